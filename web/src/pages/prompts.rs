//! The prompt library: save, search, edit, use and delete prompts.

use leptos::prelude::*;
use zimage_shared::ErrorCode;
use zimage_shared::generation::MAX_PROMPT_CHARS;
use zimage_shared::prompts::{
    CreatePromptRequest, MAX_TITLE_CHARS, SavedPrompt, UpdatePromptRequest,
};

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

fn percent_encode(raw: &str) -> String {
    js_sys::encode_uri_component(raw)
        .as_string()
        .unwrap_or_default()
}

#[component]
pub fn Prompts() -> impl IntoView {
    redirect_signed_out();
    let session = use_session();
    let prompts = Paged::<SavedPrompt>::new("/v1/prompts");
    let search = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let title_err = RwSignal::new(None::<Key>);
    let text_err = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let (new_title, new_text) = (title.get_untracked(), text.get_untracked());
        let mut ok = true;
        if new_title.trim().is_empty() || new_title.chars().count() > MAX_TITLE_CHARS {
            title_err.set(Some(if new_title.trim().is_empty() {
                Key::ErrRequired
            } else {
                Key::ErrTooLong
            }));
            ok = false;
        }
        if new_text.trim().is_empty() || new_text.chars().count() > MAX_PROMPT_CHARS {
            text_err.set(Some(if new_text.trim().is_empty() {
                Key::ErrRequired
            } else {
                Key::ErrTooLong
            }));
            ok = false;
        }
        if !ok {
            return;
        }
        let body = CreatePromptRequest {
            title: new_title,
            prompt: new_text,
            ..Default::default()
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<SavedPrompt>("POST", "/v1/prompts", api::body(&body))
                .await
            {
                Ok(saved) => {
                    prompts.items.update(|all| all.insert(0, saved));
                    title.set(String::new());
                    text.set(String::new());
                }
                Err(err) if err.code() == Some(ErrorCode::LimitReached) => {
                    error.set(Some(Key::ErrPromptLibraryFull))
                }
                Err(err) => {
                    title_err.set(err.field("title"));
                    text_err.set(err.field("prompt"));
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = search.get_untracked();
        prompts.filter(if q.trim().is_empty() {
            String::new()
        } else {
            format!("&q={}", percent_encode(q.trim()))
        });
    };
    view! {
        <crate::components::layout::Heading key=Key::PromptsTitle />
        <p class="muted">{t(Key::PromptsLead)}</p>
        <div class="stack">
            <section class="card" aria-labelledby="new-prompt">
                <h2 id="new-prompt">{t(Key::AddPrompt)}</h2>
                <form on:submit=create novalidate>
                    <TextField id="prompt_title" label=Key::TitleLabel value=title error=title_err />
                    <div class="field" class:field-invalid=move || text_err.get().is_some()>
                        <label for="prompt_text">{t(Key::PromptLabel)}</label>
                        <textarea id="prompt_text" rows="3" maxlength=MAX_PROMPT_CHARS.to_string()
                            aria-invalid=move || text_err.get().is_some().to_string()
                            prop:value=move || text.get()
                            on:input=move |ev| { text.set(event_target_value(&ev)); text_err.set(None); }></textarea>
                        <p class="error-text" role="alert">{move || text_err.get().map(|k| t(k)())}</p>
                    </div>
                    <Notice message=error />
                    <Submit label=Key::AddPrompt busy=busy />
                </form>
            </section>
            <section class="card" aria-labelledby="library">
                <h2 id="library" class="visually-hidden">{t(Key::PromptsTitle)}</h2>
                <form class="search-row" role="search" on:submit=on_search>
                    <label class="visually-hidden" for="prompt_search">{t(Key::SearchLabel)}</label>
                    <input id="prompt_search" type="search" bind:value=search placeholder=t(Key::SearchLabel) />
                    <button type="submit" class="button button-small">{t(Key::SearchLabel)}</button>
                </form>
                <Notice message=prompts.error />
                <Show when=move || !prompts.loading.get() && prompts.items.get().is_empty()>
                    <p class="empty">{t(Key::PromptsEmpty)}</p>
                </Show>
                <ul class="list">
                    <For each=move || prompts.items.get() key=|p| (p.id, p.updated_at) let:saved>
                        <PromptRow saved=saved prompts=prompts />
                    </For>
                </ul>
                <ListFooter loading=prompts.loading cursor=prompts.cursor on_more=Callback::new(move |()| prompts.load(true)) />
            </section>
        </div>
    }
}

#[component]
fn PromptRow(saved: SavedPrompt, prompts: Paged<SavedPrompt>) -> impl IntoView {
    let session = use_session();
    let editing = RwSignal::new(false);
    let title = RwSignal::new(saved.title.clone());
    let text = RwSignal::new(saved.prompt.clone());
    let error = RwSignal::new(None::<Key>);
    let id = saved.id;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdatePromptRequest {
            title: Some(title.get_untracked()),
            prompt: Some(text.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<SavedPrompt>("PATCH", &format!("/v1/prompts/{id}"), api::body(&body))
                .await
            {
                Ok(updated) => prompts.items.update(|all| {
                    for item in all.iter_mut().filter(|p| p.id == id) {
                        *item = updated.clone();
                    }
                }),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <li class="list-row prompt-row">
            <Show
                when=move || editing.get()
                fallback={
                    let saved = saved.clone();
                    move || view! {
                        <div class="task-main">
                            <p class="prompt-title">{saved.title.clone()}</p>
                            <p class="muted small task-prompt">{saved.prompt.clone()}</p>
                        </div>
                        <div class="actions">
                            <a class="button button-small button-primary" href=format!("/create?prompt={id}")>{t(Key::UsePrompt)}</a>
                            <button type="button" class="button button-small" on:click=move |_| editing.set(true)>{t(Key::Edit)}</button>
                            <button type="button" class="button button-small button-danger" on:click=move |_| prompts.delete(id, move |p| p.id != id)>{t(Key::Delete)}</button>
                        </div>
                    }
                }
            >
                <form class="edit-form" on:submit=save novalidate>
                    <TextField id="edit_title" label=Key::TitleLabel value=title />
                    <div class="field">
                        <label for="edit_text">{t(Key::PromptLabel)}</label>
                        <textarea id="edit_text" rows="3" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    </div>
                    <Notice message=error />
                    <div class="actions">
                        <button type="submit" class="button button-small button-primary">{t(Key::Save)}</button>
                        <button type="button" class="button button-small button-ghost" on:click=move |_| editing.set(false)>{t(Key::CancelEdit)}</button>
                    </div>
                </form>
            </Show>
        </li>
    }
}
