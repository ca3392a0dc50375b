//! The gallery: a justified grid with infinite scroll, filters, selection with bulk actions, and
//! a full-screen viewer.

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use zimage_shared::Page;
use zimage_shared::collections::{
    Collection, CollectionImagesChanged, CollectionImagesRequest, CreateCollectionRequest,
    CreateCollectionShareRequest,
};
use zimage_shared::generation::{
    CreateShareRequest, GalleryImage, GenerationTask, ImageSelection, ImagesDeleted, ModelInfo,
};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

#[component]
pub fn Gallery() -> impl IntoView {
    redirect_signed_out();
    // The filters live in the address too (`/gallery?q=fox&sort=oldest`), to bookmark or share.
    let start = leptos_router::hooks::use_query_map().get_untracked();
    let given = |name: &str| start.get(name).unwrap_or_default();
    let favorites_only = RwSignal::new(given("favorite") == "true");
    let model = RwSignal::new(given("model"));
    let models = RwSignal::new(Vec::<ModelInfo>::new());
    let search = RwSignal::new(given("q"));
    let shape = RwSignal::new(given("aspect"));
    let oldest = RwSignal::new(given("sort") == "oldest");
    let collection = RwSignal::new(given("collection"));
    // Days (UTC, as the dates shown): from the start of `since` to the end of `until`.
    let since = RwSignal::new(given("from").chars().take(10).collect::<String>());
    let until = RwSignal::new(
        crate::util::when::parse_day(&given("to"))
            .and_then(|day| day.pred_opt())
            .map(|day| day.to_string())
            .unwrap_or_default(),
    );
    // Folded on phones unless the address sets one of them.
    let filters_open = RwSignal::new(
        ["model", "aspect", "sort", "collection", "from", "to"]
            .iter()
            .any(|name| !given(name).is_empty()),
    );
    // `&name=value…` of the filters set.
    let query = move || {
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
        if let Some(day) = crate::util::when::parse_day(&since.get_untracked()) {
            query.push_str(&format!("&from={day}T00:00:00Z"));
        }
        if let Some(day) =
            crate::util::when::parse_day(&until.get_untracked()).and_then(|day| day.succ_opt())
        {
            query.push_str(&format!("&to={day}T00:00:00Z"));
        }
        if oldest.get_untracked() {
            query.push_str("&sort=oldest");
        }
        query
    };
    // The images first: their list (then the pictures) is what the page waits on; the menus'
    // contents can come after.
    let images = Paged::<GalleryImage>::filtered("/v1/images", query());
    let collections = Paged::<Collection>::new("/v1/collections");
    crate::util::spawn(async move {
        if let Ok(page) = api::public::<Page<ModelInfo>>("GET", "/v1/models", None).await {
            models.set(page.items);
        }
    });
    let refilter = move || {
        let query = query();
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let address = match query.strip_prefix('&') {
                Some(rest) => format!("/gallery?{rest}"),
                None => "/gallery".to_string(),
            };
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
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

    // Selection: click a tile's box (or the tile, once something is selected), shift-click for
    // a range; Esc clears it.
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let anchor = RwSignal::new(None::<Uuid>);
    let select = move |id: Uuid, range: bool| {
        let items = images.items.get_untracked();
        let at = |id: Uuid| items.iter().position(|i| i.id == id);
        match (range, anchor.get_untracked().and_then(at), at(id)) {
            (true, Some(from), Some(to)) => {
                let (from, to) = (from.min(to), from.max(to));
                selected.update(|chosen| {
                    for item in &items[from..=to] {
                        if !chosen.contains(&item.id) {
                            chosen.push(item.id);
                        }
                    }
                });
            }
            _ => selected.update(|chosen| {
                if let Some(at) = chosen.iter().position(|c| *c == id) {
                    chosen.remove(at);
                } else {
                    chosen.push(id);
                }
            }),
        }
        anchor.set(Some(id));
    };
    let open = RwSignal::new(None::<Uuid>);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if open.get_untracked().is_some() {
            return;
        }
        if ev.key() == "Escape" && !selected.get_untracked().is_empty() {
            selected.set(Vec::new());
        }
    });
    on_cleanup(move || keys.remove());
    let undo = UndoDelete::new(images);
    let tile_click = move |ev: leptos::ev::MouseEvent, id: Uuid| {
        if ev.shift_key() || ev.ctrl_key() || ev.meta_key() || !selected.get_untracked().is_empty()
        {
            ev.prevent_default();
            select(id, ev.shift_key());
        } else {
            open.set(Some(id));
        }
    };

    view! {
        <crate::components::layout::Heading key=Key::GalleryTitle />
        <div class="toolbar" role="group" aria-label=t(Key::GalleryTitle)>
            <div class="segmented">
                <button type="button" class="button button-small" aria-pressed=move || (!favorites_only.get()).to_string()
                    on:click=move |_| { favorites_only.set(false); refilter(); }>{t(Key::FilterAll)}</button>
                <button type="button" class="button button-small" aria-pressed=move || favorites_only.get().to_string()
                    on:click=move |_| { favorites_only.set(true); refilter(); }>{"★ "}{t(Key::FilterFavorites)}</button>
            </div>
            <label class="visually-hidden" for="gallery-search">{t(Key::GallerySearch)}</label>
            <input id="gallery-search" type="search" class="toolbar-search" placeholder=t(Key::GallerySearch)
                maxlength="200" prop:value=move || search.get() on:input=on_search />
            // On a phone the filters fold behind one button, so the images start near the top.
            <button type="button" class="button button-small filters-toggle" aria-controls="gallery-filters"
                aria-expanded=move || filters_open.get().to_string() on:click=move |_| filters_open.update(|o| *o = !*o)>
                {t(Key::Filters)}
            </button>
            <div id="gallery-filters" class="toolbar-filters" class:open=move || filters_open.get()>
            <label class="visually-hidden" for="gallery-model">{t(Key::ModelLabel)}</label>
            <select id="gallery-model" class="toolbar-select" on:change=move |ev| { model.set(event_target_value(&ev)); refilter(); }>
                <option value="">{t(Key::AllModels)}</option>
                <For each=move || models.get() key=|m| m.id.clone() let:m>
                    <option value=m.id.clone() selected={ let id = m.id.clone(); move || model.get() == id }>{m.name.clone()}</option>
                </For>
            </select>
            <label class="visually-hidden" for="gallery-shape">{t(Key::GalleryShape)}</label>
            <select id="gallery-shape" class="toolbar-select" on:change=move |ev| { shape.set(event_target_value(&ev)); refilter(); }>
                <option value="">{t(Key::GalleryAnyShape)}</option>
                <option value="landscape" selected=move || shape.get() == "landscape">{t(Key::GalleryLandscape)}</option>
                <option value="portrait" selected=move || shape.get() == "portrait">{t(Key::GalleryPortrait)}</option>
                <option value="square" selected=move || shape.get() == "square">{t(Key::GallerySquare)}</option>
            </select>
            <span class="toolbar-dates">
                <label for="gallery-from">{t(Key::GalleryFrom)}</label>
                <input id="gallery-from" type="date" prop:value=move || since.get()
                    on:change=move |ev| { since.set(event_target_value(&ev)); refilter(); } />
                <label for="gallery-to">{t(Key::GalleryTo)}</label>
                <input id="gallery-to" type="date" prop:value=move || until.get()
                    on:change=move |ev| { until.set(event_target_value(&ev)); refilter(); } />
            </span>
            <label class="visually-hidden" for="gallery-sort">{t(Key::GallerySort)}</label>
            <select id="gallery-sort" class="toolbar-select" on:change=move |ev| { oldest.set(event_target_value(&ev) == "oldest"); refilter(); }>
                <option value="newest">{t(Key::GalleryNewest)}</option>
                <option value="oldest" selected=move || oldest.get()>{t(Key::GalleryOldest)}</option>
            </select>
            <label class="visually-hidden" for="gallery-collection">{t(Key::CollectionsLabel)}</label>
            <select id="gallery-collection" class="toolbar-select" prop:value=move || collection.get()
                on:change=move |ev| { collection.set(event_target_value(&ev)); selected.set(Vec::new()); refilter(); }>
                <option value="">{t(Key::AllCollections)}</option>
                <For each=move || collections.items.get() key=|c| (c.id, c.image_count) let:c>
                    <option value=c.id.to_string() selected={ let id = c.id.to_string(); move || collection.get() == id }>{format!("{} ({})", c.name, c.image_count)}</option>
                </For>
            </select>
            <form class="toolbar-form" on:submit=create_collection>
                <label class="visually-hidden" for="new-collection">{t(Key::NewCollection)}</label>
                <input id="new-collection" type="text" maxlength="80" placeholder=t(Key::NewCollection)
                    prop:value=move || new_collection.get() on:input=move |ev| new_collection.set(event_target_value(&ev)) />
                <button type="submit" class="button button-small">{t(Key::CreateCollection)}</button>
            </form>
            </div>
        </div>
        <Notice message=images.error />
        {move || collection.get().parse::<Uuid>().ok().map(|id| view! {
            <section class="card collection-share" aria-labelledby="collection-share-title">
                <h2 id="collection-share-title" class="field-label">{t(Key::ShareCollection)}</h2>
                <ShareBox what=Sharing::Collection(id) />
            </section>
        })}
        <Show when=move || !images.loading.get() && images.items.get().is_empty()>
            <div class="empty-state">
                <p>{t(Key::GalleryEmpty)}</p>
                <a href="/create" class="button button-primary">{t(Key::NavCreate)}</a>
            </div>
        </Show>
        <ul class="justified" class:selecting=move || !selected.get().is_empty()>
            // The first rows are on screen at once: fetched straight away, not when laid out.
            <For each=move || images.items.get().into_iter().enumerate() key=|(_, i)| (i.id, i.favorite)
                children=move |(index, image)| view! {
                    <Shot image=image eager={index < 8} selected=selected on_open=tile_click on_select=select />
                } />
        </ul>
        <div node_ref=sentinel class="sentinel"></div>
        <ListFooter loading=images.loading cursor=images.cursor on_more=Callback::new(move |()| images.load(true)) />
        <Show when=move || !selected.get().is_empty()>
            <BulkBar images=images selected=selected collections=collections collection=collection undo=undo />
        </Show>
        {move || undo.pending.get().map(|count| view! {
            <div class="toast" role="status">
                <span>{count} " " {t(Key::ImagesDeletedCount)}</span>
                <button type="button" class="button button-small" on:click=move |_| undo.undo()>{t(Key::Undo)}</button>
            </div>
        })}
        {move || open.get().map(|id| view! { <Viewer id=id images=images open=open collections=collections /> })}
    }
}

/// One tile of the justified grid: as wide as its image's shape asks, prompt and date on hover or
/// focus, a box to select it.
#[component]
fn Shot(
    image: GalleryImage,
    /// On screen from the start: loaded at once, ahead of the rest.
    eager: bool,
    selected: RwSignal<Vec<Uuid>>,
    on_open: impl Fn(leptos::ev::MouseEvent, Uuid) + Copy + Send + Sync + 'static,
    on_select: impl Fn(Uuid, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = image.id;
    let ratio = f64::from(image.width.max(1)) / f64::from(image.height.max(1));
    let is_selected = move || selected.with(|chosen| chosen.contains(&id));
    let prompt = image.prompt.clone().unwrap_or_default();
    let date = crate::util::when::day(image.created_at);
    view! {
        <li class="shot" class:chosen=is_selected style=format!("--ratio: {ratio:.4}") data-id=id.to_string()>
            <button type="button" class="shot-open" on:click=move |ev| on_open(ev, id)
                aria-label=if prompt.is_empty() { date.clone() } else { prompt.clone() }>
                <img src=image.thumbnail_url.clone() alt="" loading=if eager { "eager" } else { "lazy" }
                    fetchpriority=if eager { "high" } else { "auto" } decoding=if eager { "sync" } else { "async" }
                    width=image.width.to_string() height=image.height.to_string() />
                <span class="shot-caption" aria-hidden="true">
                    <span class="shot-prompt">{prompt.clone()}</span>
                    <span class="shot-date">{date.clone()}</span>
                </span>
            </button>
            <input type="checkbox" class="shot-select" aria-label=t(Key::SelectImage)
                prop:checked=is_selected
                on:click=move |ev: leptos::ev::MouseEvent| on_select(id, ev.shift_key()) />
            <Show when=move || image.favorite><span class="shot-star" aria-hidden="true">"★"</span></Show>
        </li>
    }
}

/// Images deleted from the list but not yet on the server: for a few seconds "Undo" puts them
/// back. Leaving the page deletes them at once; closing the tab in the window keeps them.
#[derive(Clone, Copy)]
struct UndoDelete {
    images: Paged<GalleryImage>,
    /// Taken when the page is made: the delete may be sent while the page goes away.
    session: crate::session::Session,
    /// How many images wait, for the toast.
    pending: RwSignal<Option<usize>>,
    /// The images taken out, with where they were.
    removed: StoredValue<Vec<(usize, GalleryImage)>>,
    /// Bumped per delete, so an old timer does not send a newer batch early.
    round: StoredValue<u32>,
}

/// How long "Undo" is offered.
const UNDO_MS: i32 = 8_000;

impl UndoDelete {
    fn new(images: Paged<GalleryImage>) -> Self {
        let this = Self {
            images,
            session: use_session(),
            pending: RwSignal::new(None),
            removed: StoredValue::new(Vec::new()),
            round: StoredValue::new(0),
        };
        on_cleanup(move || this.commit());
        this
    }

    /// Takes these images out of the list and deletes them once the undo window ends.
    fn delete(self, ids: Vec<Uuid>) {
        self.commit();
        let mut removed = Vec::new();
        self.images.items.update(|all| {
            let mut at = 0;
            all.retain(|item| {
                let keep = !ids.contains(&item.id);
                if !keep {
                    removed.push((at, item.clone()));
                }
                at += 1;
                keep
            });
        });
        self.pending.set(Some(removed.len()));
        self.removed.set_value(removed);
        self.round.update_value(|r| *r += 1);
        let round = self.round.get_value();
        leptos::task::spawn_local(async move {
            crate::util::sleep_ms(UNDO_MS).await;
            if self.round.try_get_value() == Some(round) {
                self.commit();
            }
        });
    }

    /// Puts the waiting images back where they were.
    fn undo(self) {
        let removed = self.take();
        self.images.items.update(|all| put_back(all, removed));
    }

    fn take(self) -> Vec<(usize, GalleryImage)> {
        let _ = self.pending.try_set(None);
        self.removed
            .try_update_value(std::mem::take)
            .unwrap_or_default()
    }

    /// Sends the waiting delete now; if the server refuses, the images come back.
    fn commit(self) {
        let removed = self.take();
        if removed.is_empty() {
            return;
        }
        let body = ImageSelection {
            image_ids: removed.iter().map(|(_, item)| item.id).collect(),
        };
        let (session, images) = (self.session, self.images);
        leptos::task::spawn_local(async move {
            if let Err(err) = session
                .call::<ImagesDeleted>("POST", "/v1/images/bulk/delete", api::body(&body))
                .await
            {
                let _ = images.error.try_set(Some(err.message()));
                let _ = images.items.try_update(|all| put_back(all, removed));
            }
        });
    }
}

/// Puts images taken out of the list back where they were.
fn put_back(all: &mut Vec<GalleryImage>, removed: Vec<(usize, GalleryImage)>) {
    for (at, item) in removed {
        all.insert(at.min(all.len()), item);
    }
}

/// What to do with the selected images: download them as one ZIP, add them to or remove them
/// from a collection, delete them.
#[component]
fn BulkBar(
    images: Paged<GalleryImage>,
    selected: RwSignal<Vec<Uuid>>,
    collections: Paged<Collection>,
    collection: RwSignal<String>,
    undo: UndoDelete,
) -> impl IntoView {
    let session = use_session();
    let preparing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let done = RwSignal::new(None::<(Key, String)>);
    let error = RwSignal::new(None::<Key>);
    let count = move || selected.with(Vec::len);
    let download = move |_| {
        let body = api::body(&ImageSelection {
            image_ids: selected.get_untracked(),
        })
        .unwrap_or_default();
        preparing.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session.download("/v1/images/bulk/archive", body).await {
                Ok(blob) => api::save_blob(
                    &blob,
                    &format!(
                        "zimage-images-{}.zip",
                        crate::util::when::compact(crate::util::now())
                    ),
                ),
                Err(err) => {
                    let _ = error.try_set(Some(err.message()));
                }
            }
            let _ = preparing.try_set(false);
        });
    };
    let change_collection = move |target: uuid::Uuid, add: bool| {
        let body = CollectionImagesRequest {
            image_ids: selected.get_untracked(),
        };
        let path = if add {
            format!("/v1/collections/{target}/images")
        } else {
            format!("/v1/collections/{target}/images/remove")
        };
        let moved = body.image_ids.clone();
        leptos::task::spawn_local(async move {
            match session
                .call::<CollectionImagesChanged>("POST", &path, api::body(&body))
                .await
            {
                Ok(changed) => {
                    collections.items.update(|all| {
                        for c in all.iter_mut().filter(|c| c.id == target) {
                            *c = changed.collection.clone();
                        }
                    });
                    let key = if add { Key::AddedTo } else { Key::RemovedFrom };
                    let _ = done.try_set(Some((key, changed.collection.name.clone())));
                    if !add {
                        // The list shows this collection: the removed images leave it.
                        images
                            .items
                            .update(|all| all.retain(|item| !moved.contains(&item.id)));
                        selected.set(Vec::new());
                    }
                }
                Err(err) => {
                    let _ = error.try_set(Some(err.message()));
                }
            }
        });
    };
    let delete = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        undo.delete(selected.get_untracked());
        selected.set(Vec::new());
    };
    view! {
        <div class="bulk-bar" role="toolbar" aria-label=t(Key::SelectionActions)>
            <span class="bulk-count" role="status">{count} " " {t(Key::SelectedCount)}</span>
            <button type="button" class="button button-small button-ghost"
                on:click=move |_| selected.set(images.items.get_untracked().iter().map(|i| i.id).collect())>
                {t(Key::SelectAll)}
            </button>
            <button type="button" class="button button-small button-primary" on:click=download disabled=move || preparing.get()>
                {move || if preparing.get() { t(Key::Preparing)() } else { t(Key::DownloadZip)() }}
            </button>
            <Show when=move || !collections.items.get().is_empty()>
                <label class="visually-hidden" for="bulk-collection">{t(Key::AddToCollection)}</label>
                <select id="bulk-collection" class="toolbar-select" on:change=move |ev| {
                    if let Ok(target) = event_target_value(&ev).parse() { change_collection(target, true); }
                }>
                    <option value="">{t(Key::AddToCollection)}</option>
                    <For each=move || collections.items.get() key=|c| c.id let:c>
                        <option value=c.id.to_string()>{c.name.clone()}</option>
                    </For>
                </select>
            </Show>
            <Show when=move || !collection.get().is_empty()>
                <button type="button" class="button button-small" on:click=move |_| {
                    if let Ok(target) = collection.get_untracked().parse() { change_collection(target, false); }
                }>{t(Key::RemoveFromCollection)}</button>
            </Show>
            <button type="button" class="button button-small button-danger" on:click=delete>
                {move || if confirming.get() { t(Key::ConfirmDeleteSelected)() } else { t(Key::DeleteSelected)() }}
            </button>
            <button type="button" class="button button-small button-ghost" on:click=move |_| selected.set(Vec::new())>
                {t(Key::ClearSelection)}
            </button>
            {move || match done.get() {
                Some((key, name)) => view! { <span class="hint">{t(key)} " " {name}</span> }.into_any(),
                None => view! { <span class="hint bulk-hint">{t(Key::GallerySelectHint)}</span> }.into_any(),
            }}
            <Notice message=error />
        </div>
    }
}

/// The full-screen viewer: the image as large as the screen allows (or at its own size), its
/// details and actions; ←/→ move through the gallery, Esc closes, Tab stays inside.
#[component]
fn Viewer(
    id: Uuid,
    images: Paged<GalleryImage>,
    open: RwSignal<Option<Uuid>>,
    collections: Paged<Collection>,
) -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<Key>);
    let confirming = RwSignal::new(false);
    let zoomed = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let task = RwSignal::new(None::<GenerationTask>);
    let image = images
        .items
        .with_untracked(|all| all.iter().find(|i| i.id == id).cloned());
    let Some(image) = image else {
        return ().into_any();
    };
    let favorite = RwSignal::new(image.favorite);
    let panel = NodeRef::<leptos::html::Div>::new();
    let close = move || open.set(None);
    let step = move |by: isize| {
        let all = images.items.get_untracked();
        let Some(at) = all.iter().position(|i| i.id == id) else {
            return;
        };
        let next = at as isize + by;
        if next >= 0 && (next as usize) < all.len() {
            open.set(Some(all[next as usize].id));
        } else if next as usize >= all.len() && images.cursor.get_untracked().is_some() {
            images.load(true);
        }
    };
    if let Some(task_id) = image.task_id {
        crate::util::spawn(async move {
            if let Ok(found) = session
                .call::<GenerationTask>("GET", &format!("/v1/generations/{task_id}"), None)
                .await
            {
                task.set(Some(found));
            }
        });
    }
    let keys = window_event_listener(leptos::ev::keydown, move |ev| match ev.key().as_str() {
        "Escape" => close(),
        "ArrowLeft" => step(-1),
        "ArrowRight" => step(1),
        "Tab" => {
            if let Some(panel) = panel.get_untracked() {
                trap_focus(&panel, &ev);
            }
        }
        _ => {}
    });
    on_cleanup(move || {
        keys.remove();
        // Closed (not moved on): focus returns to the image's tile.
        if open.try_get_untracked().flatten().is_none()
            && let Some(tile) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| {
                    d.query_selector(&format!("[data-id='{id}'] .shot-open"))
                        .ok()
                })
                .flatten()
                .and_then(|tile| tile.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = tile.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(panel) = panel.get()
            && let Ok(Some(first)) = panel.query_selector(".viewer-close")
            && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = first.focus();
        }
    });
    let toggle = move |_| {
        let on = !favorite.get_untracked();
        leptos::task::spawn_local(async move {
            let method = if on { "PUT" } else { "DELETE" };
            match session
                .call::<GalleryImage>(method, &format!("/v1/images/{id}/favorite"), None)
                .await
            {
                Ok(updated) => {
                    let _ = favorite.try_set(updated.favorite);
                    images.items.update(|all| {
                        for item in all.iter_mut().filter(|i| i.id == id) {
                            item.favorite = updated.favorite;
                        }
                    });
                }
                Err(err) => {
                    let _ = error.try_set(Some(err.message()));
                }
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
    let prompt = image.prompt.clone().unwrap_or_default();
    let copy_prompt = {
        let prompt = prompt.clone();
        move |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&prompt);
                copied.set(true);
            }
        }
    };
    let filename = format!("zimage-{id}.{}", image.format.extension());
    let download = format!("{}&metadata=keep", image.url);
    let size = format!(
        "{} × {} · {} · {}",
        image.width,
        image.height,
        image.format.as_str().to_uppercase(),
        human_bytes(image.bytes)
    );
    view! {
        <div class="viewer" role="dialog" aria-modal="true" aria-labelledby="viewer-title">
            <div class="viewer-stage" class:zoomed=move || zoomed.get() on:click=move |_| close()>
                <img class="viewer-image" src=image.url.clone() alt=prompt.clone()
                    width=image.width.to_string() height=image.height.to_string()
                    on:click=|ev| ev.stop_propagation() />
            </div>
            <div class="viewer-panel" node_ref=panel>
                <div class="viewer-nav">
                    <button type="button" class="button button-small button-ghost" aria-label=t(Key::PreviousImage)
                        aria-keyshortcuts="ArrowLeft" on:click=move |_| step(-1)>"←"</button>
                    <button type="button" class="button button-small button-ghost" aria-label=t(Key::NextImage)
                        aria-keyshortcuts="ArrowRight" on:click=move |_| step(1)>"→"</button>
                    <button type="button" class="button button-small button-ghost" aria-pressed=move || zoomed.get().to_string()
                        on:click=move |_| zoomed.update(|z| *z = !*z)>
                        {move || if zoomed.get() { t(Key::FitToScreen)() } else { t(Key::ActualSize)() }}
                    </button>
                    <button type="button" class="button button-small button-ghost viewer-close" aria-keyshortcuts="Escape"
                        on:click=move |_| close()>{t(Key::Close)}</button>
                </div>
                <h2 id="viewer-title" class="visually-hidden">{t(Key::Details)}</h2>
                <p class="viewer-prompt">{prompt.clone()}</p>
                <Show when={ let empty = prompt.is_empty(); move || !empty }>
                    <button type="button" class="button button-small button-ghost" on:click=copy_prompt.clone()>
                        {move || if copied.get() { t(Key::Copied)() } else { t(Key::CopyPrompt)() }}
                    </button>
                </Show>
                <dl class="viewer-facts">
                    {move || task.get().and_then(|task| task.negative_prompt).map(|negative| view! {
                        <dt>{t(Key::NegativePromptShort)}</dt><dd>{negative}</dd>
                    })}
                    <dt>{t(Key::ModelLabel)}</dt><dd>{image.model.clone().unwrap_or_default()}</dd>
                    {move || task.get().and_then(|task| task.seed).map(|seed| view! {
                        <dt>{t(Key::SeedLabel)}</dt><dd>{seed}</dd>
                    })}
                    <dt>{t(Key::SizeLabel)}</dt><dd>{size}</dd>
                    {move || task.get().map(|task| view! {
                        <dt>{t(Key::CostLabel)}</dt><dd>{task.charged}</dd>
                    })}
                    <dt>{t(Key::Created)}</dt><dd>{crate::util::when::minute(image.created_at)}</dd>
                </dl>
                <Notice message=error />
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
                </div>
                <AddToCollection image_id=id collections=collections />
                <ShareBox what=Sharing::Image(id) />
            </div>
        </div>
    }
    .into_any()
}

/// Keeps Tab and Shift+Tab inside `panel`.
fn trap_focus(panel: &web_sys::HtmlDivElement, ev: &web_sys::KeyboardEvent) {
    let Ok(found) = panel.query_selector_all(
        "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let inside = active
        .as_ref()
        .is_some_and(|a| panel.contains(Some(a.unchecked_ref())));
    let at = |element: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == element.unchecked_ref::<web_sys::Element>())
    };
    if ev.shift_key() && (at(first) || !inside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (at(last) || !inside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// "1.4 MB", "820 KB".
fn human_bytes(bytes: i64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", (bytes + 1023) >> 10)
    }
}

/// Puts the image into one of the user's collections.
#[component]
pub(crate) fn AddToCollection(
    image_id: uuid::Uuid,
    collections: Paged<Collection>,
) -> impl IntoView {
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
                <label for=format!("add-{image_id}")>{t(Key::AddToCollection)}</label>
                <select id=format!("add-{image_id}") on:change=add>
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

/// What a share box shares.
#[derive(Clone, Copy)]
enum Sharing {
    Image(Uuid),
    Collection(Uuid),
}

impl Sharing {
    fn path(self) -> String {
        match self {
            Self::Image(id) => format!("/v1/images/{id}/share"),
            Self::Collection(id) => format!("/v1/collections/{id}/share"),
        }
    }

    fn body(self, prompts: bool) -> Option<String> {
        match self {
            Self::Image(_) => api::body(&CreateShareRequest {
                include_prompt: prompts,
            }),
            Self::Collection(_) => api::body(&CreateCollectionShareRequest {
                include_prompts: prompts,
            }),
        }
    }
}

/// The part of a link's answer the box shows (image and collection links both have it).
#[derive(Clone, serde::Deserialize)]
struct Link {
    url: String,
}

/// Show, make, copy and revoke the public link to an image or a collection.
#[component]
fn ShareBox(what: Sharing) -> impl IntoView {
    let session = use_session();
    let share = RwSignal::new(None::<Link>);
    let include_prompt = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let path = what.path();
    {
        let path = path.clone();
        crate::util::spawn(async move {
            // 404: not shared.
            if let Ok(link) = session.call::<Link>("GET", &path, None).await {
                share.set(Some(link));
            }
        });
    }
    let create = {
        let path = path.clone();
        move || {
            let path = path.clone();
            let body = what.body(include_prompt.get_untracked());
            leptos::task::spawn_local(async move {
                match session.call::<Link>("POST", &path, body).await {
                    Ok(link) => {
                        let _ = share.try_set(Some(link));
                    }
                    Err(err) => {
                        let _ = error.try_set(Some(err.message()));
                    }
                }
            });
        }
    };
    let revoke = move |_| {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match session.call::<()>("DELETE", &path, None).await {
                Ok(()) => {
                    let _ = share.try_set(None);
                }
                Err(err) => {
                    let _ = error.try_set(Some(err.message()));
                }
            }
        });
    };
    let copy = move |_| {
        if let (Some(link), Some(window)) = (share.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&link.url);
            copied.set(true);
        }
    };
    let prompts_label = match what {
        Sharing::Image(_) => Key::ShowPrompt,
        Sharing::Collection(_) => Key::ShowPrompts,
    };
    let url_id = match what {
        Sharing::Image(_) => "share-url",
        Sharing::Collection(_) => "collection-share-url",
    };
    view! {
        <div class="share-box">
            <Notice message=error />
            {move || match share.get() {
                None => {
                    let create = create.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" bind:checked=include_prompt />
                            <span>{t(prompts_label)}</span>
                        </label>
                        <button type="button" class="button button-small" on:click=move |_| create()>{t(Key::Share)}</button>
                    }.into_any()
                }
                Some(link) => view! {
                    <label class="field-label" for=url_id>{t(Key::ShareLink)}</label>
                    <div class="search-row">
                        <input id=url_id type="text" readonly prop:value=link.url.clone() />
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
