//! Generation history: every task with its status, cost and refunds; reuse, cancel, delete.

use leptos::prelude::*;
use zimage_shared::generation::{GenerationTask, TaskStatus};

use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

fn status_key(status: TaskStatus) -> Key {
    match status {
        TaskStatus::Queued => Key::TaskQueued,
        TaskStatus::Running => Key::TaskRunning,
        TaskStatus::Succeeded => Key::TaskSucceeded,
        TaskStatus::Failed => Key::TaskFailed,
        TaskStatus::Canceled => Key::TaskCanceled,
    }
}

#[component]
pub fn History() -> impl IntoView {
    redirect_signed_out();
    let session = use_session();
    let tasks = Paged::<GenerationTask>::new("/v1/generations");
    let error = RwSignal::new(None::<Key>);
    let cancel = move |id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            match session
                .call::<GenerationTask>("POST", &format!("/v1/generations/{id}/cancel"), None)
                .await
            {
                Ok(updated) => {
                    tasks.items.update(|all| {
                        for task in all.iter_mut().filter(|t| t.id == id) {
                            *task = updated.clone();
                        }
                    });
                    session.reload_credits().await;
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <crate::components::layout::Heading key=Key::HistoryTitle />
        <div class="toolbar">
            <label class="visually-hidden" for="history-status">{t(Key::AllStatuses)}</label>
            <select id="history-status" class="toolbar-select" on:change=move |ev| {
                let status = event_target_value(&ev);
                tasks.filter(if status.is_empty() { String::new() } else { format!("&status={status}") });
            }>
                <option value="">{t(Key::AllStatuses)}</option>
                {[TaskStatus::Queued, TaskStatus::Running, TaskStatus::Succeeded, TaskStatus::Failed, TaskStatus::Canceled]
                    .into_iter()
                    .map(|s| view! { <option value=s.as_str()>{t(status_key(s))}</option> })
                    .collect_view()}
            </select>
        </div>
        <Notice message=error />
        <Notice message=tasks.error />
        <section class="card">
            <Show when=move || !tasks.loading.get() && tasks.items.get().is_empty()>
                <div class="empty-state">
                    <p>{t(Key::HistoryEmpty)}</p>
                    <a href="/create" class="button button-primary">{t(Key::NavCreate)}</a>
                </div>
            </Show>
            <ul class="list">
                <For each=move || tasks.items.get() key=|task| (task.id, task.status) let:task>
                    <li class="list-row task-row">
                        <div class="task-thumbs">
                            {task.images.iter().take(2).map(|i| view! {
                                <img src=i.url.clone() alt="" width="56" height="56" loading="lazy" />
                            }).collect_view()}
                        </div>
                        <div class="task-main">
                            <p class="task-prompt">{task.prompt.clone()}</p>
                            <p class="muted small">
                                <span class=format!("badge badge-{}", task.status.as_str())>{t(status_key(task.status))}</span>
                                " " {task.model.clone()} " · " {format!("{} × {}", task.width, task.height)}
                                " · " {crate::util::when::minute(task.created_at)}
                            </p>
                            <p class="small">
                                <span class="amount">{task.cost}</span> " " {crate::i18n::credits_unit(move || Some(task.cost))}
                                {(task.charged > 0).then(|| view! { " · " {task.charged} " " {t(Key::Charged)} })}
                                {(task.refunded > 0).then(|| view! { " · " {task.refunded} " " {t(Key::Refunded)} })}
                            </p>
                        </div>
                        <div class="actions">
                            <a class="button button-small" href=format!("/create?task={}", task.id)>{t(Key::Reuse)}</a>
                            {(!task.status.is_final()).then(|| {
                                let id = task.id;
                                view! { <button type="button" class="button button-small button-ghost" on:click=move |_| cancel(id)>{t(Key::CancelTask)}</button> }
                            })}
                            {
                                let id = task.id;
                                view! { <button type="button" class="button button-small button-danger" on:click=move |_| tasks.delete(id, move |t| t.id != id)>{t(Key::Delete)}</button> }
                            }
                        </div>
                    </li>
                </For>
            </ul>
            <ListFooter loading=tasks.loading cursor=tasks.cursor on_more=Callback::new(move |()| tasks.load(true)) />
        </section>
    }
}
