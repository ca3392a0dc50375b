use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Key, t};
use crate::session::use_session;

/// Start page.
#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="hero">
            <crate::components::layout::Heading key=Key::Tagline />
            <p class="lead">{t(Key::HomeLead)}</p>
            <Show
                when=move || session.user.get().is_some()
                fallback=|| view! { <A href="/signup" attr:class="button button-primary">{t(Key::GetStarted)}</A> }
            >
                <div class="hero-actions">
                    <A href="/create" attr:class="button button-primary">{t(Key::CreateTitle)}</A>
                    <A href="/gallery" attr:class="button">{t(Key::NavGallery)}</A>
                </div>
            </Show>
        </section>
    }
}
