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
            <h1>{t(Key::Tagline)}</h1>
            <p class="lead">{t(Key::HomeLead)}</p>
            <Show
                when=move || session.user.get().is_some()
                fallback=|| view! { <A href="/signup" attr:class="button button-primary">{t(Key::GetStarted)}</A> }
            >
                <A href="/account" attr:class="button button-primary">{t(Key::NavAccount)}</A>
            </Show>
        </section>
    }
}
