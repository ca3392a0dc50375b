//! The admin console: dashboard, accounts, tasks, moderation, data-rights queue, support,
//! invitations, generation backends and the audit log. Every page checks the role; the API refuses everyone else anyway.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use zimage_shared::account::{Role, User};
use zimage_shared::admin::{
    AdminReason, AdminTask, AdminUserDetail, Announcement, AnnouncementSent, AuditEntry,
    BackendHealth, BackendMode, CreateInvitation, Dashboard, Invitation, InvitationCreated,
    InvitationStatus, ModerationHit, PrivacyQueueItem,
};
use zimage_shared::auth::{SignupMode, SignupOptions};
use zimage_shared::credits::{AdminCreditRequest, CreditBalance};
use zimage_shared::generation::{CreateModerationRule, ModerationKind, ModerationRule};
use zimage_shared::support::Ticket;

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::pages::support::{Conversation, status_key};
use crate::session::{redirect_signed_out, use_session};
use crate::util::when::minute as when;

/// Tabs of the console, and the role check around every page.
#[component]
fn Console(children: ChildrenFn) -> impl IntoView {
    redirect_signed_out();
    let session = use_session();
    let is_admin = move || session.user.get().is_some_and(|u| u.role == Role::Admin);
    let children = StoredValue::new(children);
    view! {
        <Show
            when=is_admin
            fallback=move || view! {
                <Show when=move || session.user.get().is_some() fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }>
                    <p class="notice notice-error" role="alert">{t(Key::AdminOnly)}</p>
                </Show>
            }
        >
            <nav class="tabs" aria-label="Admin">
                <A href="/admin" exact=true>{t(Key::AdminDashboard)}</A>
                <A href="/admin/users">{t(Key::AdminUsers)}</A>
                <A href="/admin/tasks">{t(Key::AdminTasks)}</A>
                <A href="/admin/moderation">{t(Key::AdminModeration)}</A>
                <A href="/admin/privacy">{t(Key::AdminPrivacy)}</A>
                <A href="/admin/support">{t(Key::AdminSupport)}</A>
                <A href="/admin/invitations">{t(Key::AdminInvitations)}</A>
                <A href="/admin/backends">{t(Key::AdminBackends)}</A>
                <A href="/admin/audit">{t(Key::AdminAudit)}</A>
            </nav>
            {children.with_value(|c| c())}
        </Show>
    }
}

use crate::util::when::day;

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let session = use_session();
    let data = RwSignal::new(None::<Dashboard>);
    let error = RwSignal::new(None::<Key>);
    let load = move |days: i64| {
        leptos::task::spawn_local(async move {
            let to = crate::util::now();
            let from = to - chrono::Duration::days(days);
            let path = format!(
                "/v1/admin/dashboard?from={}&to={}",
                crate::util::when::iso(from),
                crate::util::when::iso(to)
            );
            match session.call::<Dashboard>("GET", &path, None).await {
                Ok(d) => {
                    data.set(Some(d));
                    error.set(None);
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    load(30);
    let tile = |label: Key, value: String, id: &'static str| {
        view! { <div class="tile"><span class="tile-label">{t(label)}</span><strong class="tile-value" id=id>{value}</strong></div> }
    };
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminDashboard />
            <div class="toolbar">
                <label for="period">{t(Key::Period)}</label>
                <select id="period" class="toolbar-select" on:change=move |ev| {
                    if let Ok(d) = event_target_value(&ev).parse() { load(d); }
                }>
                    <option value="7">{t(Key::Last7Days)}</option>
                    <option value="30" selected=true>{t(Key::Last30Days)}</option>
                    <option value="90">{t(Key::Last90Days)}</option>
                    <option value="365">{t(Key::Last365Days)}</option>
                </select>
            </div>
            <Notice message=error />
            <div class="stack">
            {move || data.get().map(|d| {
                let failure = if d.generations > 0 { format!("{:.1} %", 100.0 * d.generations_failed as f64 / d.generations as f64) } else { "—".into() };
                view! {
                    <div class="tiles" style="margin:0">
                        {tile(Key::Signups, d.signups.to_string(), "stat-signups")}
                        {tile(Key::Generations, d.generations.to_string(), "stat-generations")}
                        {tile(Key::FailureRate, failure, "stat-failure")}
                        {tile(Key::CreditsSold, d.credits_sold.to_string(), "stat-sold")}
                        {tile(Key::CreditsSpent, d.credits_spent.to_string(), "stat-spent")}
                        {tile(Key::Revenue, if d.revenue.is_empty() { "—".into() } else { d.revenue.iter().map(|r| zimage_shared::money::format(r.amount_cents, &r.currency)).collect::<Vec<_>>().join(" · ") }, "stat-revenue")}
                    </div>
                    <section class="card">
                        <h2>{t(Key::ByProvider)}</h2>
                        <div class="table-scroll"><table class="table">
                            <thead><tr><th scope="col">{t(Key::Provider)}</th><th scope="col">{t(Key::Generations)}</th><th scope="col">{t(Key::FailedCount)}</th><th scope="col">{t(Key::FailureRate)}</th></tr></thead>
                            <tbody>
                                {d.providers.is_empty().then(|| view! { <tr><td colspan="4" class="muted">{t(Key::NothingYet)}</td></tr> })}
                                {d.providers.iter().map(|p| view! {
                                    <tr><td>{p.provider.clone()}</td><td>{p.tasks}</td><td>{p.failed}</td><td>{format!("{:.1} %", p.failure_rate * 100.0)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <p class="muted small">{t(Key::ExcludedNote)} " " {d.excluded_accounts}</p>
                    </section>
                    {(!d.unmatched_refunds.is_empty()).then(|| view! {
                        <section class="card" id="unmatched-refunds">
                            <h2>{t(Key::UnmatchedRefunds)}</h2>
                            <p class="muted small">{t(Key::UnmatchedRefundsNote)}</p>
                            <div class="table-scroll"><table class="table">
                                <thead><tr><th scope="col">{t(Key::RefundPayment)}</th><th scope="col">{t(Key::RefundAmount)}</th><th scope="col">{t(Key::Received)}</th></tr></thead>
                                <tbody>
                                    {d.unmatched_refunds.iter().map(|r| view! {
                                        <tr>
                                            <td><code>{r.payment_intent.clone()}</code></td>
                                            <td>{r.currency.as_deref().map_or_else(|| r.amount_refunded.to_string(), |c| zimage_shared::money::format(r.amount_refunded, c))}</td>
                                            <td>{crate::util::when::minute(r.received_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        </section>
                    })}
                }
            })}
            <AnnounceCard />
            </div>
        </Console>
    }
}

#[component]
fn AnnounceCard() -> impl IntoView {
    let session = use_session();
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let result = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<Key>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = Announcement {
            subject: subject.get_untracked(),
            body: body.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<AnnouncementSent>("POST", "/v1/admin/announcements", api::body(&req))
                .await
            {
                Ok(sent) => {
                    result.set(Some(sent.recipients));
                    error.set(None);
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(Key::Announcement)}</h2>
            <p class="muted small">{t(Key::AnnouncementLead)}</p>
            <form on:submit=send novalidate>
                <Notice message=error />
                <div class="field"><label for="ann-subject">{t(Key::TicketSubject)}</label><input id="ann-subject" type="text" maxlength="150" bind:value=subject /></div>
                <div class="field"><label for="ann-body">{t(Key::TicketMessage)}</label><textarea id="ann-body" rows="4" bind:value=body></textarea></div>
                <button type="submit" class="button button-primary">{t(Key::SendAnnouncement)}</button>
                {move || result.get().map(|n| view! { <p class="notice notice-success" role="status">{t(Key::SentTo)} " " {n}</p> })}
            </form>
        </section>
    }
}

#[component]
pub fn AdminUsers() -> impl IntoView {
    let users = Paged::<User>::new("/v1/admin/users");
    let search = RwSignal::new(String::new());
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminUsers />
            <form class="toolbar" on:submit=move |ev| {
                ev.prevent_default();
                let q = search.get_untracked();
                users.filter(if q.trim().is_empty() { String::new() } else { format!("&email={}", js_sys::encode_uri_component(q.trim())) });
            }>
                <label class="visually-hidden" for="user-search">{t(Key::Email)}</label>
                <input id="user-search" type="search" placeholder="name@example.org" bind:value=search />
                <button type="submit" class="button button-small">{t(Key::Search)}</button>
            </form>
            <Notice message=users.error />
            <section class="card">
                <ul class="list">
                    <For each=move || users.items.get() key=|u| u.id let:u>
                        <li class="list-row">
                            <div>
                                <A href=format!("/admin/users/{}", u.id)><strong>{u.email.clone()}</strong></A>
                                <p class="muted small">{day(u.created_at)} {(u.role == Role::Admin).then_some(" · admin")} {(!u.email_verified).then(|| view! { " · " {t(Key::NotVerified)} })}</p>
                            </div>
                        </li>
                    </For>
                </ul>
                <ListFooter loading=users.loading cursor=users.cursor on_more=Callback::new(move |()| users.load(true)) />
            </section>
        </Console>
    }
}

#[component]
pub fn AdminUser() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = move || params.with_untracked(|p| p.get("id").unwrap_or_default());
    let detail = RwSignal::new(None::<AdminUserDetail>);
    let error = RwSignal::new(None::<Key>);
    let reason = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<AdminUserDetail>("GET", &format!("/v1/admin/users/{}", id()), None)
                .await
            {
                Ok(d) => detail.set(Some(d)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    load();
    let act = move |method: &'static str, suffix: &'static str, body: Option<String>| {
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/users/{}/{suffix}", id());
            match session.call::<AdminUserDetail>(method, &path, body).await {
                Ok(d) => {
                    detail.set(Some(d));
                    error.set(None);
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let adjust = move |_| {
        let Ok(amount) = amount.get_untracked().trim().parse::<i64>() else {
            error.set(Some(Key::ErrCheckFields));
            return;
        };
        let req = AdminCreditRequest {
            amount,
            reason: reason.get_untracked(),
            expires_at: None,
        };
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/users/{}/credits", id());
            match session
                .call::<CreditBalance>("POST", &path, api::body(&req))
                .await
            {
                Ok(_) => load(),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <Console>
            <Notice message=error />
            {move || detail.get().map(|d| {
                let disabled = d.disabled_at.is_some();
                view! {
                    <h1>{crate::components::layout::set_title(&d.user.email); d.user.email.clone()}</h1>
                    <p class="muted">
                        {t(Key::Created)} " " {day(d.user.created_at)} " · " {d.tasks} " " {t(Key::AdminTasks)} " · " {d.images} " " {t(Key::Images)}
                    </p>
                    <p class="badges">
                        {d.disabled_at.map(|at| view! { <span class="badge badge-failed" id="flag-disabled">{t(Key::Disabled)} " " {day(at)} " (" {d.disabled_reason.clone().unwrap_or_default()} ")"</span> })}
                        {d.restricted_at.map(|at| view! { <span class="badge">{t(Key::KindRestriction)} " " {day(at)}</span> })}
                        {d.objected_at.map(|at| view! { <span class="badge">{t(Key::KindObjection)} " " {day(at)}</span> })}
                    </p>
                    <div class="stack">
                        <section class="card">
                            <h2>{t(Key::Balance)}</h2>
                            <p><strong>{d.balance.available}</strong> " " {t(Key::CreditsUnit)} " · " {t(Key::Held)} " " {d.balance.held}</p>
                            <div class="field"><label for="adj-amount">{t(Key::AdjustAmount)}</label><input id="adj-amount" type="text" inputmode="numeric" bind:value=amount /></div>
                            <div class="field"><label for="adj-reason">{t(Key::Reason)}</label><input id="adj-reason" type="text" bind:value=reason /></div>
                            <button type="button" class="button" on:click=adjust>{t(Key::AdjustCredits)}</button>
                        </section>
                        <section class="card">
                            <h2>{t(Key::SessionsSection)}</h2>
                            <ul class="list">
                                {d.sessions.iter().map(|s| view! {
                                    <li class="list-row"><span>{s.user_agent.clone().unwrap_or_default()}</span><span class="muted small">{s.ip.clone().unwrap_or_default()} " · " {when(s.last_used_at)}</span></li>
                                }).collect_view()}
                            </ul>
                            <button type="button" class="button button-small" on:click=move |_| act("DELETE", "sessions", None)>{t(Key::SignOutEverywhere)}</button>
                        </section>
                        <section class="card danger-zone">
                            <h2>{t(Key::AccountAccess)}</h2>
                            {if disabled {
                                view! { <button type="button" class="button" on:click=move |_| act("POST", "enable", None)>{t(Key::Enable)}</button> }.into_any()
                            } else {
                                view! {
                                    <div class="field"><label for="disable-reason">{t(Key::Reason)}</label><input id="disable-reason" type="text" bind:value=reason /></div>
                                    <button type="button" class="button button-danger" on:click=move |_| {
                                        let body = api::body(&AdminReason { reason: reason.get_untracked() });
                                        act("POST", "disable", body)
                                    }>{t(Key::Disable)}</button>
                                }.into_any()
                            }}
                        </section>
                    </div>
                }
            })}
        </Console>
    }
}

#[component]
pub fn AdminTasks() -> impl IntoView {
    let session = use_session();
    let tasks = Paged::<AdminTask>::new("/v1/admin/tasks");
    let q = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Key>);
    let search = move || {
        let mut query = String::new();
        let text = q.get_untracked();
        if !text.trim().is_empty() {
            query.push_str(&format!("&q={}", js_sys::encode_uri_component(text.trim())));
        }
        let s = status.get_untracked();
        if !s.is_empty() {
            query.push_str(&format!("&status={s}"));
        }
        tasks.filter(query);
    };
    let refund = move |id: uuid::Uuid| {
        let body = api::body(&AdminReason {
            reason: "refunded from the admin console".into(),
        });
        leptos::task::spawn_local(async move {
            match session
                .call::<AdminTask>("POST", &format!("/v1/admin/tasks/{id}/refund"), body)
                .await
            {
                Ok(updated) => tasks.items.update(|all| {
                    for task in all.iter_mut().filter(|t| t.id == id) {
                        *task = updated.clone();
                    }
                }),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminTasks />
            <form class="toolbar" on:submit=move |ev| { ev.prevent_default(); search(); }>
                <input id="task-search" type="search" placeholder=move || t(Key::TaskSearchHint)() bind:value=q />
                <select class="toolbar-select" on:change=move |ev| { status.set(event_target_value(&ev)); search(); }>
                    <option value="">{t(Key::AllStatuses)}</option>
                    {["queued", "running", "succeeded", "failed", "canceled"].into_iter().map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                </select>
                <button type="submit" class="button button-small">{t(Key::Search)}</button>
            </form>
            <Notice message=error />
            <Notice message=tasks.error />
            <div class="table-scroll card">
                <table class="table admin-tasks">
                    <thead><tr>
                        <th scope="col">{t(Key::Created)}</th><th scope="col">{t(Key::Email)}</th><th scope="col">{t(Key::Provider)}</th>
                        <th scope="col">{t(Key::Status)}</th><th scope="col">{t(Key::Charged)}</th><th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || tasks.items.get() key=|x| (x.id, x.refunded) let:task>
                            <tr data-status=task.status.as_str()>
                                <td>{when(task.created_at)}</td>
                                <td>{task.user_email.clone()}</td>
                                <td>{task.provider.clone()} <span class="muted small">{task.provider_task_id.clone().unwrap_or_default()}</span></td>
                                <td>{task.status.as_str()} {task.failure_reason.clone().map(|r| view! { <span class="muted small">" · " {r}</span> })}</td>
                                <td>{task.charged} {(task.refunded > 0).then(|| view! { <span class="muted small">" −" {task.refunded}</span> })}</td>
                                <td>{(task.charged > task.refunded).then(|| {
                                    let id = task.id;
                                    view! { <button type="button" class="button button-small" on:click=move |_| refund(id)>{t(Key::Refund)}</button> }
                                })}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <ListFooter loading=tasks.loading cursor=tasks.cursor on_more=Callback::new(move |()| tasks.load(true)) />
        </Console>
    }
}

#[component]
pub fn AdminModeration() -> impl IntoView {
    let session = use_session();
    let rules = Paged::<ModerationRule>::new("/v1/admin/moderation/rules");
    let hits = Paged::<ModerationHit>::new("/v1/admin/moderation/events");
    let pattern = RwSignal::new(String::new());
    let regex = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let load = move || rules.load(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = CreateModerationRule {
            kind: if regex.get_untracked() {
                ModerationKind::Regex
            } else {
                ModerationKind::Term
            },
            pattern: pattern.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<ModerationRule>("POST", "/v1/admin/moderation/rules", api::body(&req))
                .await
            {
                Ok(_) => {
                    pattern.set(String::new());
                    load();
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let remove = move |id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            match session
                .call::<()>("DELETE", &format!("/v1/admin/moderation/rules/{id}"), None)
                .await
            {
                Ok(()) => load(),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminModeration />
            <div class="stack">
                <section class="card">
                    <h2>{t(Key::Rules)}</h2>
                    <Notice message=error />
                    <Notice message=rules.error />
                    <form class="toolbar" on:submit=add>
                        <input id="rule-pattern" type="text" bind:value=pattern placeholder=move || t(Key::RulePattern)() />
                        <label class="check"><input type="checkbox" bind:checked=regex /><span>"regex"</span></label>
                        <button type="submit" class="button button-small">{t(Key::AddRule)}</button>
                    </form>
                    <ul class="list">
                        <For each=move || rules.items.get() key=|r| r.id let:rule>
                            <li class="list-row">
                                <code>{rule.pattern.clone()}</code>
                                <button type="button" class="button button-small button-ghost" on:click=move |_| remove(rule.id)>{t(Key::Remove)}</button>
                            </li>
                        </For>
                    </ul>
                    <ListFooter loading=rules.loading cursor=rules.cursor on_more=Callback::new(move |()| rules.load(true)) />
                </section>
                <section class="card">
                    <h2>{t(Key::StoppedPrompts)}</h2>
                    <Show when=move || !hits.loading.get() && hits.items.get().is_empty()>
                        <p class="empty muted">{t(Key::NothingYet)}</p>
                    </Show>
                    <ul class="list">
                        <For each=move || hits.items.get() key=|h| h.id let:hit>
                            <li class="list-row">
                                <div><p>{hit.prompt.clone()}</p><p class="muted small">{hit.user_email.clone().unwrap_or_default()} " · " {when(hit.created_at)}</p></div>
                            </li>
                        </For>
                    </ul>
                    <ListFooter loading=hits.loading cursor=hits.cursor on_more=Callback::new(move |()| hits.load(true)) />
                </section>
            </div>
        </Console>
    }
}

#[component]
pub fn AdminPrivacy() -> impl IntoView {
    let queue = Paged::<PrivacyQueueItem>::new("/v1/admin/privacy/requests");
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminPrivacy />
            <p class="muted">{t(Key::PrivacyQueueLead)}</p>
            <Notice message=queue.error />
            {move || (!queue.loading.get() || !queue.items.get().is_empty()).then(|| queue.items.get()).map(|items| if items.is_empty() {
                view! { <p class="empty muted">{t(Key::QueueEmpty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll card"><table class="table privacy-queue">
                        <thead><tr><th scope="col">{t(Key::DueBy)}</th><th scope="col">{t(Key::Email)}</th><th scope="col">{t(Key::Kind)}</th><th scope="col">{t(Key::Status)}</th><th scope="col">{t(Key::Received)}</th></tr></thead>
                        <tbody>
                            {items.into_iter().map(|item| view! {
                                <tr class=if item.overdue { "overdue" } else { "" }>
                                    <td>{day(item.request.due_at)} {item.overdue.then(|| view! { " " <span class="badge badge-failed">{t(Key::Overdue)}</span> })}</td>
                                    <td>{item.user_id.map(|id| view! { <A href=format!("/admin/users/{id}")>{item.user_email.clone().unwrap_or_default()}</A> })}</td>
                                    <td>{item.request.kind.as_str()}</td>
                                    <td>{item.request.status.as_str()}</td>
                                    <td>{day(item.request.received_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            })}
            <ListFooter loading=queue.loading cursor=queue.cursor on_more=Callback::new(move |()| queue.load(true)) />
        </Console>
    }
}

#[component]
pub fn AdminSupport() -> impl IntoView {
    let tickets = Paged::<Ticket>::new("/v1/admin/support/tickets");
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminSupport />
            <div class="toolbar">
                <select id="queue-status" class="toolbar-select" on:change=move |ev| tickets.filter(format!("&status={}", event_target_value(&ev)))>
                    <option value="open">{t(Key::TicketOpen)}</option>
                    <option value="answered">{t(Key::TicketAnswered)}</option>
                    <option value="closed">{t(Key::TicketClosed)}</option>
                </select>
            </div>
            <Notice message=tickets.error />
            <section class="card">
                <Show when=move || !tickets.loading.get() && tickets.items.get().is_empty()>
                    <p class="empty muted">{t(Key::QueueEmpty)}</p>
                </Show>
                <ul class="list support-queue">
                    <For each=move || tickets.items.get() key=|x| (x.id, x.status) let:ticket>
                        <li class="list-row">
                            <div>
                                <A href=format!("/admin/support/{}", ticket.id)><strong>{ticket.subject.clone()}</strong></A>
                                <p class="muted small">{ticket.number.clone()} " · " {ticket.customer_email.clone().unwrap_or_default()} " · " {when(ticket.updated_at)}</p>
                            </div>
                            <span class="badge">{t(status_key(ticket.status))}</span>
                        </li>
                    </For>
                </ul>
                <ListFooter loading=tickets.loading cursor=tickets.cursor on_more=Callback::new(move |()| tickets.load(true)) />
            </section>
        </Console>
    }
}

#[component]
pub fn AdminSupportTicket() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    view! {
        <Console>
            <p><A href="/admin/support">"← " {t(Key::AdminSupport)}</A></p>
            {move || view! { <Conversation id=id() staff=true /> }}
        </Console>
    }
}

#[component]
pub fn AdminAudit() -> impl IntoView {
    let entries = Paged::<AuditEntry>::new("/v1/admin/audit-log");
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminAudit />
            <p class="muted">{t(Key::AuditLead)}</p>
            <Notice message=entries.error />
            <div class="table-scroll card"><table class="table audit-log">
                <thead><tr><th scope="col">{t(Key::When)}</th><th scope="col">{t(Key::Administrator)}</th><th scope="col">{t(Key::Action)}</th><th scope="col">{t(Key::Target)}</th><th scope="col">{t(Key::Details)}</th></tr></thead>
                <tbody>
                    <For each=move || entries.items.get() key=|e| e.id let:entry>
                        <tr data-action=entry.action.clone()>
                            <td>{when(entry.created_at)}</td>
                            <td>{entry.actor_email.clone().unwrap_or(entry.actor_id.clone())}</td>
                            <td><code>{entry.action.clone()}</code></td>
                            <td>{entry.target_type.clone()} " " <span class="muted small">{entry.target_id.clone().unwrap_or_default()}</span></td>
                            <td class="small">{entry.detail.to_string()}</td>
                        </tr>
                    </For>
                </tbody>
            </table></div>
            <ListFooter loading=entries.loading cursor=entries.cursor on_more=Callback::new(move |()| entries.load(true)) />
        </Console>
    }
}

fn invitation_status_key(status: InvitationStatus) -> Key {
    match status {
        InvitationStatus::Active => Key::InvitationActive,
        InvitationStatus::UsedUp => Key::InvitationUsedUp,
        InvitationStatus::Expired => Key::InvitationExpired,
        InvitationStatus::Revoked => Key::InvitationRevoked,
    }
}

/// Invitation links: make one (shown once, mailed when bound to an address), see them all with
/// their uses, withdraw one.
#[component]
pub fn AdminInvitations() -> impl IntoView {
    let session = use_session();
    let list = Paged::<Invitation>::new("/v1/admin/invitations");
    let mode = RwSignal::new(None::<SignupMode>);
    crate::util::spawn(async move {
        if let Ok(options) =
            api::public::<SignupOptions>("GET", "/v1/auth/signup-options", None).await
        {
            mode.set(Some(options.mode));
        }
    });
    let (email, note, days, uses) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("7".to_string()),
        RwSignal::new("1".to_string()),
    );
    let (email_err, note_err, uses_err) = (
        RwSignal::new(None::<Key>),
        RwSignal::new(None::<Key>),
        RwSignal::new(None::<Key>),
    );
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<InvitationCreated>);
    let copied = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Ok(max_uses) = uses.get_untracked().trim().parse::<u32>() else {
            uses_err.set(Some(Key::ErrField));
            return;
        };
        let req = CreateInvitation {
            email: Some(email.get_untracked()).filter(|e| !e.trim().is_empty()),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
            expires_in_days: days.get_untracked().parse().ok(),
            max_uses: Some(max_uses),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<InvitationCreated>("POST", "/v1/admin/invitations", api::body(&req))
                .await
            {
                Ok(made) => {
                    copied.set(false);
                    created.set(Some(made));
                    email.set(String::new());
                    note.set(String::new());
                    uses.set("1".into());
                    list.load(false);
                }
                Err(err) => {
                    for (field, sig) in [
                        ("email", email_err),
                        ("note", note_err),
                        ("max_uses", uses_err),
                    ] {
                        if let Some(key) = err.field(field) {
                            sig.set(Some(key));
                        }
                    }
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    let revoke = move |id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            match session
                .call::<Invitation>("POST", &format!("/v1/admin/invitations/{id}/revoke"), None)
                .await
            {
                Ok(_) => list.load(false),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let copy = move |_| {
        if let (Some(made), Some(window)) = (created.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&made.link);
            copied.set(true);
        }
    };
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminInvitations />
            <p class="muted">{t(Key::InvitationsLead)}</p>
            {move || mode.get().map(|m| view! {
                <p class="notice notice-info" id="signup-mode" role="status">
                    {t(if m == SignupMode::Invite { Key::SignupModeInvite } else { Key::SignupModeOpen })}
                </p>
            })}
            <div class="stack">
                <section class="card" aria-labelledby="new-invitation">
                    <h2 id="new-invitation">{t(Key::NewInvitation)}</h2>
                    <Notice message=error />
                    {move || created.get().map(|made| view! {
                        <div class="secret" role="status">
                            <p>{t(Key::InvitationLinkOnce)}</p>
                            <div class="search-row">
                                <input id="invitation-link" type="text" readonly prop:value=made.link.clone() aria-label=move || t(Key::InvitationLinkOnce)() />
                                <button type="button" class="button button-small" on:click=copy>
                                    {move || if copied.get() { t(Key::Copied)() } else { t(Key::Copy)() }}
                                </button>
                            </div>
                            {made.invitation.email.clone().map(|to| if made.mailed {
                                view! { <p class="muted small">{t(Key::InvitationMailed)} " " {to}</p> }.into_any()
                            } else {
                                view! { <p class="notice notice-warning" id="invitation-not-mailed">{t(Key::InvitationNotMailed)} " " {to}</p> }.into_any()
                            })}
                        </div>
                    })}
                    <form on:submit=create novalidate>
                        <div class="grid-2">
                            <TextField id="invitation_email" label=Key::InvitationEmail value=email kind="email" optional=true error=email_err />
                            <TextField id="invitation_note" label=Key::InvitationNote value=note optional=true error=note_err />
                            <label class="field">
                                <span class="field-label">{t(Key::ExpiresIn)}</span>
                                <select id="invitation_days" on:change=move |ev| days.set(event_target_value(&ev))>
                                    <option value="1">"1 " {t(Key::Days)}</option>
                                    <option value="7" selected=true>"7 " {t(Key::Days)}</option>
                                    <option value="30">"30 " {t(Key::Days)}</option>
                                    <option value="90">"90 " {t(Key::Days)}</option>
                                </select>
                            </label>
                            <TextField id="invitation_uses" label=Key::MaxUses value=uses kind="number" error=uses_err />
                        </div>
                        <Submit label=Key::CreateInvitation busy=busy />
                    </form>
                </section>
                <section class="card">
                    <h2>{t(Key::AdminInvitations)}</h2>
                    <Notice message=list.error />
                    <Show when=move || !list.loading.get() && list.items.get().is_empty()>
                        <p class="empty muted">{t(Key::NothingYet)}</p>
                    </Show>
                    <Show when=move || !list.items.get().is_empty()>
                        <div class="table-scroll"><table class="table" id="invitations">
                            <thead><tr>
                                <th scope="col">{t(Key::Email)}</th>
                                <th scope="col">{t(Key::InvitationNote)}</th>
                                <th scope="col">{t(Key::UsesColumn)}</th>
                                <th scope="col">{t(Key::Status)}</th>
                                <th scope="col">{t(Key::Expires)}</th>
                                <th scope="col">{t(Key::CreatedBy)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Key::Revoke)}</span></th>
                            </tr></thead>
                            <tbody>
                                <For each=move || list.items.get() key=|i| (i.id, i.status.as_str(), i.uses) let:inv>
                                    <tr>
                                        <td>{match inv.email.clone() { Some(e) => view! { <span>{e}</span> }.into_any(), None => view! { <span class="muted">{t(Key::AnyAddress)}</span> }.into_any() }}</td>
                                        <td>{inv.note.clone().unwrap_or_default()}</td>
                                        <td>{format!("{} / {}", inv.uses, inv.max_uses)}</td>
                                        <td><span class=if inv.status == InvitationStatus::Active { "badge badge-succeeded" } else { "badge" }>{t(invitation_status_key(inv.status))}</span></td>
                                        <td>{day(inv.expires_at)}</td>
                                        <td>{inv.created_by_email.clone().unwrap_or_default()}</td>
                                        <td>{(inv.status == InvitationStatus::Active).then(|| view! {
                                            <button type="button" class="button button-small button-ghost" on:click=move |_| revoke(inv.id)>{t(Key::Revoke)}</button>
                                        })}</td>
                                    </tr>
                                </For>
                            </tbody>
                        </table></div>
                    </Show>
                    <ListFooter loading=list.loading cursor=list.cursor on_more=Callback::new(move |()| list.load(true)) />
                </section>
            </div>
        </Console>
    }
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |s| format!("{s:.1} s"))
}

/// Each backend's mode, health, load and last hour, with the switch to drain or disable it.
#[component]
pub fn AdminBackends() -> impl IntoView {
    let session = use_session();
    let backends = RwSignal::new(None::<Vec<BackendHealth>>);
    let error = RwSignal::new(None::<Key>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<Vec<BackendHealth>>("GET", "/v1/admin/backends", None)
                .await
            {
                Ok(list) => {
                    backends.set(Some(list));
                    error.set(None);
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    load();
    let set_mode = move |provider: String, mode: BackendMode| {
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "mode": mode });
            match session
                .call::<BackendHealth>(
                    "PUT",
                    &format!("/v1/admin/backends/{provider}"),
                    api::body(&body),
                )
                .await
            {
                Ok(changed) => {
                    backends.update(|list| {
                        if let Some(list) = list
                            && let Some(row) =
                                list.iter_mut().find(|b| b.provider == changed.provider)
                        {
                            *row = changed;
                        }
                    });
                    error.set(None);
                }
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let mode_key = |mode: BackendMode| match mode {
        BackendMode::Active => Key::BackendActive,
        BackendMode::Draining => Key::BackendDraining,
        BackendMode::Disabled => Key::BackendDisabled,
    };
    view! {
        <Console>
            <crate::components::layout::Heading key=Key::AdminBackends />
            <p class="muted">{t(Key::BackendsLead)}</p>
            <Notice message=error />
            {move || match backends.get() {
                None => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="empty muted">{t(Key::NoBackends)}</p> }.into_any(),
                Some(list) => view! {
                    <div class="table-scroll card"><table class="table" id="backends">
                        <thead><tr>
                            <th scope="col">{t(Key::Provider)}</th>
                            <th scope="col">{t(Key::Status)}</th>
                            <th scope="col">{t(Key::Queued)}</th>
                            <th scope="col">{t(Key::InFlight)}</th>
                            <th scope="col">{t(Key::FailureRate)}</th>
                            <th scope="col">{t(Key::LatencyP50)}</th>
                            <th scope="col">{t(Key::LatencyP95)}</th>
                            <th scope="col">{t(Key::BackendMode)}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|b| {
                                let provider = b.provider.clone();
                                let select_id = format!("mode-{}", b.provider);
                                let health = if b.resting { Key::BackendResting } else { Key::BackendHealthy };
                                view! {
                                    <tr data-provider=b.provider.clone()>
                                        <td><strong>{b.provider.clone()}</strong><br/><span class="muted small">{b.models.join(", ")}</span></td>
                                        <td><span class=if b.resting { "badge badge-failed" } else { "badge badge-succeeded" }>{t(health)}</span></td>
                                        <td>{b.queued}</td>
                                        <td>{b.in_flight}{b.max_in_flight.map(|cap| format!(" / {cap}"))}</td>
                                        <td>{if b.finished_last_hour > 0 { format!("{:.1} % ({}/{})", b.error_rate * 100.0, b.failed_last_hour, b.finished_last_hour) } else { "—".into() }}</td>
                                        <td>{seconds(b.latency_p50_secs)}</td>
                                        <td>{seconds(b.latency_p95_secs)}</td>
                                        <td>
                                            <label class="visually-hidden" for=select_id.clone()>{t(Key::BackendMode)}</label>
                                            <select id=select_id class="toolbar-select" on:change=move |ev| {
                                                if let Some(mode) = BackendMode::parse(&event_target_value(&ev)) {
                                                    set_mode(provider.clone(), mode);
                                                }
                                            }>
                                                {[BackendMode::Active, BackendMode::Draining, BackendMode::Disabled].into_iter().map(|m| view! {
                                                    <option value=m.as_str() selected=m == b.mode>{t(mode_key(m))}</option>
                                                }).collect_view()}
                                            </select>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any(),
            }}
        </Console>
    }
}
