//! The gallery: a responsive grid with infinite scroll, filters and a lightbox.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use zimage_shared::Page;
use zimage_shared::collections::{
    Collection, CollectionImagesChanged, CollectionImagesRequest, CreateCollectionRequest,
};
use zimage_shared::generation::{CreateShareRequest, GalleryImage, ModelInfo, ShareInfo};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

#[component]
pub fn Gallery() -> impl IntoView {
    redirect_signed_out();
    let images = Paged::<GalleryImage>::new("/v1/images");
    let favorites_only = RwSignal::new(false);
    let model = RwSignal::new(String::new());
    let models = RwSignal::new(Vec::<ModelInfo>::new());
    let search = RwSignal::new(String::new());
    let shape = RwSignal::new(String::new());
    let oldest = RwSignal::new(false);
    let collection = RwSignal::new(String::new());
    let collections = Paged::<Collection>::new("/v1/collections");
    let open = RwSignal::new(None::<GalleryImage>);
    crate::util::spawn(async move {
        if let Ok(page) = api::public::<Page<ModelInfo>>("GET", "/v1/models", None).await {
            models.set(page.items);
        }
    });
    let refilter = move || {
        let mut query = String::new();
        if favorites_only.get_untracked() {
            query.push_str("&favorite=true");
        }
        for (name, value) in [
            ("model", model.get_untracked()),
            ("q", search.get_untracked().trim().to_string()),
            ("aspect", shape.get_untracked()),
            ("collection", collection.get_untracked()),
        ] {
            if !value.is_empty() {
                query.push_str(&format!("&{name}={}", js_sys::encode_uri_component(&value)));
            }
        }
        if oldest.get_untracked() {
            query.push_str("&sort=oldest");
        }
        images.filter(query);
    };
    // Searching as one types, once typing pauses.
    let typed = RwSignal::new(0u32);
    let on_search = move |ev: leptos::ev::Event| {
        search.set(event_target_value(&ev));
        typed.update(|n| *n += 1);
        let mine = typed.get_untracked();
        leptos::task::spawn_local(async move {
            crate::util::sleep_ms(300).await;
            if typed.get_untracked() == mine {
                refilter();
            }
        });
    };
    let new_collection = RwSignal::new(String::new());
    let session = use_session();
    let create_collection = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_collection.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        let body = CreateCollectionRequest {
            name,
            description: None,
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<Collection>("POST", "/v1/collections", api::body(&body))
                .await
            {
                Ok(made) => {
                    collections.items.update(|all| all.insert(0, made.clone()));
                    new_collection.set(String::new());
                    collection.set(made.id.to_string());
                    refilter();
                }
                Err(err) => images.error.set(Some(err.message())),
            }
        });
    };

    // Infinite scroll: load the next page when the sentinel under the grid comes into view.
    let sentinel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(element) = sentinel.get() else {
            return;
        };
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|e| {
                e.dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if visible && !images.loading.get_untracked() && images.cursor.get_untracked().is_some()
            {
                images.load(true);
            }
        });
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin("400px");
        if let Ok(observer) = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        ) {
            observer.observe(&element);
            on_cleanup(move || observer.disconnect());
        }
        callback.forget();
    });

    view! {
        <crate::components::layout::Heading key=Key::GalleryTitle />
        <div class="toolbar" role="group" aria-label=t(Key::GalleryTitle)>
            <div class="segmented">
                <button type="button" class="button button-small" aria-pressed=move || (!favorites_only.get()).to_string()
                    on:click=move |_| { favorites_only.set(false); refilter(); }>{t(Key::FilterAll)}</button>
                <button type="button" class="button button-small" aria-pressed=move || favorites_only.get().to_string()
                    on:click=move |_| { favorites_only.set(true); refilter(); }>{"★ "}{t(Key::FilterFavorites)}</button>
            </div>
            <label class="visually-hidden" for="gallery-model">{t(Key::ModelLabel)}</label>
            <select id="gallery-model" class="toolbar-select" on:change=move |ev| { model.set(event_target_value(&ev)); refilter(); }>
                <option value="">{t(Key::AllModels)}</option>
                <For each=move || models.get() key=|m| m.id.clone() let:m>
                    <option value=m.id.clone()>{m.name.clone()}</option>
                </For>
            </select>
            <label class="visually-hidden" for="gallery-search">{t(Key::GallerySearch)}</label>
            <input id="gallery-search" type="search" class="toolbar-search" placeholder=t(Key::GallerySearch)
                maxlength="200" prop:value=move || search.get() on:input=on_search />
            <label class="visually-hidden" for="gallery-shape">{t(Key::GalleryShape)}</label>
            <select id="gallery-shape" class="toolbar-select" on:change=move |ev| { shape.set(event_target_value(&ev)); refilter(); }>
                <option value="">{t(Key::GalleryAnyShape)}</option>
                <option value="landscape">{t(Key::GalleryLandscape)}</option>
                <option value="portrait">{t(Key::GalleryPortrait)}</option>
                <option value="square">{t(Key::GallerySquare)}</option>
            </select>
            <label class="visually-hidden" for="gallery-sort">{t(Key::GallerySort)}</label>
            <select id="gallery-sort" class="toolbar-select" on:change=move |ev| { oldest.set(event_target_value(&ev) == "oldest"); refilter(); }>
                <option value="newest">{t(Key::GalleryNewest)}</option>
                <option value="oldest">{t(Key::GalleryOldest)}</option>
            </select>
            <label class="visually-hidden" for="gallery-collection">{t(Key::CollectionsLabel)}</label>
            <select id="gallery-collection" class="toolbar-select" prop:value=move || collection.get()
                on:change=move |ev| { collection.set(event_target_value(&ev)); refilter(); }>
                <option value="">{t(Key::AllCollections)}</option>
                <For each=move || collections.items.get() key=|c| (c.id, c.image_count) let:c>
                    <option value=c.id.to_string()>{format!("{} ({})", c.name, c.image_count)}</option>
                </For>
            </select>
            <form class="toolbar-form" on:submit=create_collection>
                <label class="visually-hidden" for="new-collection">{t(Key::NewCollection)}</label>
                <input id="new-collection" type="text" maxlength="80" placeholder=t(Key::NewCollection)
                    prop:value=move || new_collection.get() on:input=move |ev| new_collection.set(event_target_value(&ev)) />
                <button type="submit" class="button button-small">{t(Key::CreateCollection)}</button>
            </form>
        </div>
        <Notice message=images.error />
        <Show when=move || !images.loading.get() && images.items.get().is_empty()>
            <div class="empty-state">
                <p>{t(Key::GalleryEmpty)}</p>
                <a href="/create" class="button button-primary">{t(Key::NavCreate)}</a>
            </div>
        </Show>
        <ul class="gallery-grid">
            <For each=move || images.items.get() key=|i| (i.id, i.favorite) let:image>
                <li class="tile">
                    <button type="button" class="tile-button" on:click={ let image = image.clone(); move |_| open.set(Some(image.clone())) }>
                        <img src=image.thumbnail_url.clone() alt=image.prompt.clone().unwrap_or_default() loading="lazy" />
                        <Show when=move || image.favorite><span class="tile-star" aria-hidden="true">"★"</span></Show>
                    </button>
                </li>
            </For>
        </ul>
        <div node_ref=sentinel class="sentinel"></div>
        <ListFooter loading=images.loading cursor=images.cursor on_more=Callback::new(move |()| images.load(true)) />
        {move || open.get().map(|image| view! { <Lightbox image=image images=images open=open collections=collections /> })}
    }
}

/// The full image with its details and actions; Escape or the close button closes it.
#[component]
fn Lightbox(
    image: GalleryImage,
    images: Paged<GalleryImage>,
    open: RwSignal<Option<GalleryImage>>,
    collections: Paged<Collection>,
) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<Key>);
    let confirming = RwSignal::new(false);
    let favorite = RwSignal::new(image.favorite);
    let id = image.id;
    let close = move || open.set(None);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            close();
        }
    });
    on_cleanup(move || keys.remove());
    let toggle = move |_| {
        let on = !favorite.get_untracked();
        leptos::task::spawn_local(async move {
            let method = if on { "PUT" } else { "DELETE" };
            match session
                .call::<GalleryImage>(method, &format!("/v1/images/{id}/favorite"), None)
                .await
            {
                Ok(updated) => {
                    favorite.set(updated.favorite);
                    images.items.update(|all| {
                        for item in all.iter_mut().filter(|i| i.id == id) {
                            item.favorite = updated.favorite;
                        }
                    });
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let delete = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        images.delete(id, move |i| i.id != id);
        close();
    };
    let filename = format!("zimage-{id}.{}", image.format.extension());
    let download = format!("{}&metadata=keep", image.url);
    view! {
        <div class="lightbox" role="dialog" aria-modal="true" aria-labelledby="lightbox-title" on:click=move |_| close()>
            <div class="lightbox-panel" on:click=|ev| ev.stop_propagation()>
                <img class="lightbox-image" src=image.url.clone() alt=image.prompt.clone().unwrap_or_default() />
                <div class="lightbox-details">
                    <h2 id="lightbox-title" class="visually-hidden">{t(Key::Details)}</h2>
                    <p class="lightbox-prompt">{image.prompt.clone().unwrap_or_default()}</p>
                    <p class="muted small">
                        {image.model.clone().unwrap_or_default()} " · " {format!("{} × {}", image.width, image.height)}
                        " · " {image.format.as_str().to_uppercase()} " · " {image.created_at.format("%Y-%m-%d %H:%M").to_string()}
                    </p>
                    <Notice message=error />
                    <AddToCollection image_id=id collections=collections />
                    <ShareBox image_id=id />
                    <div class="actions">
                        <a class="button button-small button-primary" href=download download=filename>{t(Key::Download)}</a>
                        <button type="button" class="button button-small" aria-pressed=move || favorite.get().to_string() on:click=toggle>
                            {move || if favorite.get() { "★ " } else { "☆ " }}
                            {move || if favorite.get() { t(Key::Unfavorite)() } else { t(Key::Favorite)() }}
                        </button>
                        {image.task_id.map(|task| view! { <a class="button button-small" href=format!("/create?task={task}")>{t(Key::Reuse)}</a> })}
                        <button type="button" class="button button-small button-danger" on:click=delete>
                            {move || if confirming.get() { t(Key::ConfirmDelete)() } else { t(Key::Delete)() }}
                        </button>
                        <button type="button" class="button button-small button-ghost" on:click=move |_| close()>{t(Key::Close)}</button>
                    </div>
                </div>
            </div>
        </div>
    }
}

/// Puts the image into one of the user's collections.
#[component]
fn AddToCollection(image_id: uuid::Uuid, collections: Paged<Collection>) -> impl IntoView {
    let session = use_session();
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Key>);
    let add = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        let Ok(collection) = chosen.parse::<uuid::Uuid>() else {
            return;
        };
        let body = CollectionImagesRequest {
            image_ids: vec![image_id],
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<CollectionImagesChanged>(
                    "POST",
                    &format!("/v1/collections/{collection}/images"),
                    api::body(&body),
                )
                .await
            {
                Ok(changed) => {
                    done.set(Some(changed.collection.name.clone()));
                    collections.items.update(|all| {
                        for c in all.iter_mut().filter(|c| c.id == collection) {
                            *c = changed.collection.clone();
                        }
                    });
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <Show when=move || !collections.items.get().is_empty()>
            <div class="field add-to-collection">
                <label for="add-to-collection">{t(Key::AddToCollection)}</label>
                <select id="add-to-collection" on:change=add>
                    <option value="">"—"</option>
                    <For each=move || collections.items.get() key=|c| c.id let:c>
                        <option value=c.id.to_string()>{c.name.clone()}</option>
                    </For>
                </select>
                {move || done.get().map(|name| view! { <p class="hint" role="status">{t(Key::AddedTo)} " " {name}</p> })}
                <Notice message=error />
            </div>
        </Show>
    }
}

/// Make, copy and revoke the image's public link.
#[component]
fn ShareBox(image_id: uuid::Uuid) -> impl IntoView {
    let session = use_session();
    let share = RwSignal::new(None::<ShareInfo>);
    let include_prompt = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let path = format!("/v1/images/{image_id}/share");
    let create = {
        let path = path.clone();
        move || {
            let path = path.clone();
            let body = CreateShareRequest {
                include_prompt: include_prompt.get_untracked(),
            };
            leptos::task::spawn_local(async move {
                match session
                    .call::<ShareInfo>("POST", &path, api::body(&body))
                    .await
                {
                    Ok(info) => share.set(Some(info)),
                    Err(err) => error.set(Some(err.message())),
                }
            });
        }
    };
    let revoke = move |_| {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match session.call::<()>("DELETE", &path, None).await {
                Ok(()) => share.set(None),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let copy = move |_| {
        if let (Some(info), Some(window)) = (share.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&info.url);
            copied.set(true);
        }
    };
    let create_click = create.clone();
    view! {
        <div class="share-box">
            <Notice message=error />
            {move || match share.get() {
                None => {
                    let create = create_click.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" bind:checked=include_prompt />
                            <span>{t(Key::ShowPrompt)}</span>
                        </label>
                        <button type="button" class="button button-small" on:click=move |_| create()>{t(Key::Share)}</button>
                    }.into_any()
                }
                Some(info) => view! {
                    <label class="field-label" for="share-url">{t(Key::ShareLink)}</label>
                    <div class="search-row">
                        <input id="share-url" type="text" readonly prop:value=info.url.clone() />
                        <button type="button" class="button button-small" on:click=copy>
                            {move || if copied.get() { t(Key::Copied)() } else { t(Key::Copy)() }}
                        </button>
                    </div>
                    <button type="button" class="button button-small button-danger" on:click=revoke.clone()>{t(Key::StopSharing)}</button>
                }.into_any(),
            }}
        </div>
    }
}
