//! The public page of a shared image: works without an account.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use zimage_shared::generation::SharedImage;

use crate::api;
use crate::i18n::{Key, t};

#[component]
pub fn Shared() -> impl IntoView {
    let params = use_params_map();
    let card = RwSignal::new(None::<SharedImage>);
    let missing = RwSignal::new(false);
    Effect::new(move |_| {
        let token = params.get().get("token").unwrap_or_default();
        crate::util::spawn(async move {
            match api::public::<SharedImage>("GET", &format!("/v1/shared/{token}"), None).await {
                Ok(found) => card.set(Some(found)),
                Err(_) => missing.set(true),
            }
        });
    });
    view! {
        <Show when=move || missing.get()>
            <div class="empty-state">
                <crate::components::layout::Heading key=Key::SharedTitle />
                <p class="notice notice-error">{t(Key::SharedGone)}</p>
                <a href="/" class="button">{t(Key::BackHome)}</a>
            </div>
        </Show>
        <Show when=move || !missing.get() && card.get().is_none()>
            <p class="loading" role="status">{t(Key::Loading)}</p>
        </Show>
        {move || card.get().map(|c| view! {
            <article class="card shared-card">
                <crate::components::layout::Heading key=Key::SharedTitle class="visually-hidden" />
                <img class="shared-image" src=c.image_url.clone() alt=c.prompt.clone().unwrap_or_default()
                    width=c.width.to_string() height=c.height.to_string() />
                {c.prompt.clone().map(|p| view! { <p class="shared-prompt">{p}</p> })}
                <p class="muted small">
                    {c.model.clone().unwrap_or_default()} " · " {format!("{} × {}", c.width, c.height)}
                </p>
                <a href="/signup" class="button button-primary">{t(Key::SharedCta)}</a>
            </article>
        })}
    }
}
