//! Lists loaded page by page from `{items, next_cursor}` endpoints.

use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;
use serde::de::DeserializeOwned;
use zimage_shared::Page;

use crate::i18n::{Key, t};
use crate::session::{Session, use_session};

/// A list endpoint loaded page by page, with the signals its section renders.
pub struct Paged<T: Send + Sync + 'static> {
    path: &'static str,
    /// Extra query parameters (filters), e.g. `&favorite=true`.
    query: RwSignal<String>,
    /// Bumped by every load; answers to older loads (before a filter change) are dropped.
    generation: RwSignal<u32>,
    pub items: RwSignal<Vec<T>>,
    pub cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<Key>>,
    session: Session,
    /// The page that made the list: its loads end with it, whoever starts them. Weak: the page
    /// owns this value, and a strong reference back would keep the page alive for ever (its
    /// clean-ups never run).
    owner: StoredValue<Option<WeakOwner>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Paged<T> {
    /// Starts loading the first page.
    pub fn new(path: &'static str) -> Self {
        Self::filtered(path, String::new())
    }

    /// Starts loading the first page with these filters (`&name=value…`, already encoded).
    pub fn filtered(path: &'static str, query: String) -> Self {
        let paged = Self {
            path,
            query: RwSignal::new(query),
            generation: RwSignal::new(0),
            items: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            session: use_session(),
            owner: StoredValue::new(Owner::current().map(|owner| owner.downgrade())),
        };
        paged.load(false);
        paged
    }

    /// Runs `fut` until it ends or the page goes away.
    fn spawn(self, fut: impl std::future::Future<Output = ()> + 'static) {
        match self.owner.try_get_value() {
            Some(Some(page)) => {
                // A page that is gone loads nothing.
                if let Some(owner) = page.upgrade() {
                    owner.with(|| crate::util::spawn(fut));
                }
            }
            Some(None) => crate::util::spawn(fut),
            None => {}
        }
    }

    /// Loads the first page, or with `append` the page after the last one loaded.
    pub fn load(self, append: bool) {
        let query = self.query.get_untracked();
        let url = match (append, self.cursor.get_untracked()) {
            (true, Some(c)) => format!("{}?limit=20{query}&cursor={c}", self.path),
            _ => format!("{}?limit=20{query}", self.path),
        };
        self.loading.set(true);
        self.generation.update(|g| *g += 1);
        let generation = self.generation.get_untracked();
        self.spawn(async move {
            // The first page may have been asked for while the app downloaded (`boot.js`).
            let early = if append {
                None
            } else {
                crate::api::early_read::<Page<T>>(&url).await
            };
            let result = match early {
                Some(page) => Ok(page),
                None => self.session.call::<Page<T>>("GET", &url, None).await,
            };
            if self.generation.get_untracked() != generation {
                return;
            }
            match result {
                Ok(page) => {
                    if append {
                        self.items.update(|all| all.extend(page.items));
                    } else {
                        self.items.set(page.items);
                    }
                    self.cursor.set(page.next_cursor);
                }
                Err(err) => self.error.set(Some(err.message())),
            }
            self.loading.set(false);
        });
    }

    /// Replaces the filters (`&name=value…`, already encoded) and loads the first page again.
    pub fn filter(self, query: String) {
        self.query.set(query);
        self.cursor.set(None);
        self.load(false);
    }

    /// Deletes `{path}/{id}` and drops the items `keep` rejects.
    pub fn delete(self, id: impl std::fmt::Display, keep: impl Fn(&T) -> bool + 'static) {
        let url = format!("{}/{id}", self.path);
        self.spawn(async move {
            match self.session.call::<()>("DELETE", &url, None).await {
                Ok(()) => self.items.update(|all| all.retain(|item| keep(item))),
                Err(err) => self.error.set(Some(err.message())),
            }
        });
    }
}

/// Loading indicator and "load more" button under a paged list.
#[component]
pub fn ListFooter(
    loading: RwSignal<bool>,
    cursor: RwSignal<Option<String>>,
    on_more: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || loading.get()><p class="loading" role="status">{t(Key::Loading)}</p></Show>
        <Show when=move || cursor.get().is_some() && !loading.get()>
            <button type="button" class="button button-small" on:click=move |_| on_more.run(())>{t(Key::LoadMore)}</button>
        </Show>
    }
}
