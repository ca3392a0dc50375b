use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Key, t};

/// Shown for any unknown page.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::NotFoundTitle />
            <p>{t(Key::NotFoundLead)}</p>
            <A href="/">{t(Key::BackHome)}</A>
        </section>
    }
}
