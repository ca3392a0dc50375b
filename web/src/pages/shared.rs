//! The public pages of a shared image and of a shared collection: they work without an account.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use zimage_shared::collections::{SharedCollection, SharedCollectionImage};
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

/// A shared collection: its name and description, then its images in rows that keep their
/// shapes, a page at a time; a click opens the full image.
#[component]
pub fn SharedAlbum() -> impl IntoView {
    let params = use_params_map();
    let album = RwSignal::new(None::<SharedCollection>);
    let images = RwSignal::new(Vec::<SharedCollectionImage>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let missing = RwSignal::new(false);
    let load = move |after: Option<String>| {
        let token = params.get_untracked().get("token").unwrap_or_default();
        let path = match &after {
            Some(c) => format!("/v1/shared-collections/{token}?limit=30&cursor={c}"),
            None => format!("/v1/shared-collections/{token}?limit=30"),
        };
        loading.set(true);
        crate::util::spawn(async move {
            match api::public::<SharedCollection>("GET", &path, None).await {
                Ok(page) => {
                    cursor.set(page.next_cursor.clone());
                    images.update(|all| all.extend(page.items.iter().cloned()));
                    album.set(Some(page));
                }
                Err(_) => missing.set(true),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        let _ = params.get();
        images.set(Vec::new());
        load(None);
    });
    view! {
        <Show when=move || missing.get()>
            <div class="empty-state">
                <crate::components::layout::Heading key=Key::SharedAlbumTitle />
                <p class="notice notice-error">{t(Key::SharedGone)}</p>
                <a href="/" class="button">{t(Key::BackHome)}</a>
            </div>
        </Show>
        {move || album.get().map(|a| {
            crate::components::layout::set_title(&a.name);
            view! {
                <header class="album-header">
                    <h1>{a.name.clone()}</h1>
                    {a.description.clone().map(|d| view! { <p class="album-description">{d}</p> })}
                    <p class="muted small">{a.image_count} " " {t(if a.image_count == 1 { Key::ImageCountOne } else { Key::ImagesCount })}</p>
                </header>
            }
        })}
        <ul class="justified shared-album">
            <For each=move || images.get() key=|i| i.url.clone() let:image>
                <li class="shot" style=format!("--ratio: {:.4}", f64::from(image.width.max(1)) / f64::from(image.height.max(1)))>
                    <a class="shot-open" href=image.url.clone() target="_blank" rel="noopener"
                        aria-label=image.prompt.clone().unwrap_or_else(|| format!("{} × {}", image.width, image.height))>
                        <img src=image.thumbnail_url.clone() alt="" loading="lazy" decoding="async"
                            width=image.width.to_string() height=image.height.to_string() />
                        {image.prompt.clone().map(|p| view! {
                            <span class="shot-caption" aria-hidden="true"><span class="shot-prompt">{p}</span></span>
                        })}
                    </a>
                </li>
            </For>
        </ul>
        <Show when=move || loading.get()><p class="loading" role="status">{t(Key::Loading)}</p></Show>
        <Show when=move || cursor.get().is_some() && !loading.get()>
            <button type="button" class="button button-small" on:click=move |_| load(cursor.get_untracked())>{t(Key::LoadMore)}</button>
        </Show>
        <Show when=move || album.get().is_some()>
            <p class="album-cta"><a href="/signup" class="button button-primary">{t(Key::SharedCta)}</a></p>
        </Show>
    }
}
