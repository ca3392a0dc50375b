//! The Privacy Center: consents, export, restriction and objection, account deletion, and the
//! history of every request with its due date. Also the page the erasure e-mail links to.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use zimage_shared::privacy::{
    ConfirmPrivacyRequest, CreatePrivacyRequest, PrivacyFlags, PrivacyRequest, PrivacyRequestKind,
    PrivacyRequestStatus,
};

use crate::api;
use crate::components::form::Notice;
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::pages::account::ConsentsSection;
use crate::session::{redirect_signed_out, use_session};

use crate::util::when::day;

fn kind_label(kind: PrivacyRequestKind) -> Key {
    match kind {
        PrivacyRequestKind::Export => Key::KindExport,
        PrivacyRequestKind::Erasure => Key::KindErasure,
        PrivacyRequestKind::Restriction => Key::KindRestriction,
        PrivacyRequestKind::Objection => Key::KindObjection,
    }
}

fn status_label(status: PrivacyRequestStatus) -> Key {
    match status {
        PrivacyRequestStatus::AwaitingConfirmation => Key::StatusAwaitingConfirmation,
        PrivacyRequestStatus::Pending => Key::StatusPendingRequest,
        PrivacyRequestStatus::Processing => Key::StatusProcessing,
        PrivacyRequestStatus::Scheduled => Key::StatusScheduled,
        PrivacyRequestStatus::Completed => Key::StatusCompleted,
        PrivacyRequestStatus::Canceled => Key::RequestCanceled,
        PrivacyRequestStatus::Failed => Key::RequestFailed,
        PrivacyRequestStatus::Expired => Key::RequestExpired,
    }
}

/// A listed download link works for 10 minutes: the click fetches a fresh one, so a page left
/// open still downloads (the listed link is the fallback).
fn fresh_download(ev: leptos::ev::MouseEvent, session: crate::session::Session, id: uuid::Uuid) {
    ev.prevent_default();
    leptos::task::spawn_local(async move {
        let path = format!("/v1/privacy/requests/{id}");
        if let Ok(PrivacyRequest {
            download_url: Some(url),
            ..
        }) = session.call::<PrivacyRequest>("GET", &path, None).await
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().set_href(&url);
        }
    });
}

fn human_bytes(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

#[component]
pub fn PrivacyCenter() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::PrivacyCenterTitle />
            <p class="muted">{t(Key::PrivacyCenterLead)} " " <A href="/legal/privacy">{t(Key::PrivacyPolicy)}</A> " · " <A href="/legal/retention">{t(Key::RetentionTitle)}</A></p>
            <div class="stack">
                <RequestsSection />
                <ConsentsSection />
                <FlagsSection />
                <EraseSection />
            </div>
        </Show>
    }
}

/// Export, plus the history of every request (refreshed while one is being worked on).
#[component]
fn RequestsSection() -> impl IntoView {
    let session = use_session();
    let requests = Paged::<PrivacyRequest>::new("/v1/privacy/requests");
    let notice = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    // Poll while anything is queued or being built, so "ready" shows up without a reload.
    Effect::new(move |_| {
        let open = requests.items.get().iter().any(|r| {
            matches!(
                r.status,
                PrivacyRequestStatus::Pending | PrivacyRequestStatus::Processing
            )
        });
        if open {
            crate::util::spawn(async move {
                crate::util::sleep_ms(1500).await;
                requests.load(false);
            });
        }
    });
    let export = move |_| {
        busy.set(true);
        error.set(None);
        notice.set(None);
        let body = CreatePrivacyRequest {
            kind: PrivacyRequestKind::Export,
            note: None,
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<PrivacyRequest>("POST", "/v1/privacy/requests", api::body(&body))
                .await
            {
                Ok(_) => {
                    notice.set(Some(Key::ExportQueued));
                    requests.load(false);
                }
                Err(err) => error.set(Some(match err.code() {
                    Some(zimage_shared::ErrorCode::RequestInProgress) => Key::ErrRequestOpen,
                    Some(zimage_shared::ErrorCode::LimitReached) => Key::ErrExportLimit,
                    _ => err.message(),
                })),
            }
            busy.set(false);
        });
    };
    let withdraw = move |id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            match session
                .call::<PrivacyRequest>("POST", &format!("/v1/privacy/requests/{id}/cancel"), None)
                .await
            {
                Ok(_) => requests.load(false),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">{t(Key::ExportSection)}</h2>
            <p class="muted">{t(Key::ExportLead)}</p>
            <button id="request-export" type="button" class="button button-primary" disabled=move || busy.get() on:click=export>
                {move || if busy.get() { t(Key::Working)() } else { t(Key::RequestExport)() }}
            </button>
            <Notice message=notice success=true />
            <Notice message=error />
            <h3>{t(Key::RequestsHistory)}</h3>
            <Notice message=requests.error />
            <Show when=move || !requests.loading.get() && requests.items.get().is_empty()>
                <p class="empty muted">{t(Key::NoRequests)}</p>
            </Show>
            <ul class="list privacy-requests" aria-busy=move || requests.loading.get().to_string()>
                <For each=move || requests.items.get() key=|r| (r.id, r.status, r.completed_at) let:r>
                    <li class="list-row" data-kind=r.kind.as_str() data-status=r.status.as_str()>
                        <div>
                            <strong>{t(kind_label(r.kind))}</strong> " "
                            <span class="badge">{t(status_label(r.status))}</span>
                            <p class="muted small">
                                {t(Key::Received)} " " {day(r.received_at)} " · "
                                {match r.completed_at {
                                    Some(done) => view! { {t(Key::Answered)} " " {day(done)} }.into_any(),
                                    None => view! { {t(Key::DueBy)} " " {day(r.due_at)} }.into_any(),
                                }}
                                {r.purge_after.filter(|_| r.status == PrivacyRequestStatus::Scheduled).map(|at| view! { " · " {t(Key::DeletedOn)} " " {day(at)} })}
                                {r.download_expires_at.map(|at| view! { " · " {t(Key::AvailableUntil)} " " {day(at)} })}
                            </p>
                        </div>
                        {r.download_url.clone().map(|url| {
                            let id = r.id;
                            view! {
                            <a class="button button-small download-export" href=url download="" on:click=move |ev| fresh_download(ev, session, id)>
                                {t(Key::DownloadExport)} {r.archive_bytes.map(|b| format!(" ({})", human_bytes(b)))}
                            </a>
                        }})}
                        {matches!(r.status, PrivacyRequestStatus::AwaitingConfirmation | PrivacyRequestStatus::Pending).then(|| {
                            let id = r.id;
                            view! { <button type="button" class="button button-small button-ghost" on:click=move |_| withdraw(id)>{t(Key::Withdraw)}</button> }
                        })}
                    </li>
                </For>
            </ul>
            <ListFooter loading=requests.loading cursor=requests.cursor on_more=Callback::new(move |()| requests.load(true)) />
        </section>
    }
}

/// Restriction and objection, each switched on by a request and off again here.
#[component]
fn FlagsSection() -> impl IntoView {
    let session = use_session();
    let flags = RwSignal::new(None::<PrivacyFlags>);
    let error = RwSignal::new(None::<Key>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<PrivacyFlags>("GET", "/v1/privacy/flags", None)
                .await
            {
                Ok(f) => flags.set(Some(f)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    reload();
    let toggle = move |kind: PrivacyRequestKind, on: bool| {
        leptos::task::spawn_local(async move {
            let result = if on {
                let body = CreatePrivacyRequest { kind, note: None };
                session
                    .call::<PrivacyRequest>("POST", "/v1/privacy/requests", api::body(&body))
                    .await
                    .map(drop)
            } else {
                session
                    .call::<PrivacyFlags>(
                        "DELETE",
                        &format!("/v1/privacy/flags/{}", kind.as_str()),
                        None,
                    )
                    .await
                    .map(drop)
            };
            match result {
                Ok(()) => reload(),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    let row = move |kind: PrivacyRequestKind, label: Key, help: Key| {
        let active = move || {
            flags.get().and_then(|f| match kind {
                PrivacyRequestKind::Restriction => f.restricted_at,
                _ => f.objected_at,
            })
        };
        view! {
            <div class="list-row" data-flag=kind.as_str()>
                <div>
                    <strong>{t(label)}</strong>
                    <p class="muted small">{t(help)}</p>
                    {move || active().map(|at| view! { <p class="small"><span class="badge">{t(Key::InForceSince)} " " {day(at)}</span></p> })}
                </div>
                <button type="button" class="button button-small" disabled=move || flags.get().is_none()
                    on:click=move |_| toggle(kind, active().is_none())>
                    {move || if active().is_some() { t(Key::Lift)() } else { t(Key::Apply)() }}
                </button>
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="flags-heading">
            <h2 id="flags-heading">{t(Key::FlagsSection)}</h2>
            <Notice message=error />
            {row(PrivacyRequestKind::Restriction, Key::KindRestriction, Key::RestrictionHelp)}
            {row(PrivacyRequestKind::Objection, Key::KindObjection, Key::ObjectionHelp)}
        </section>
    }
}

/// Deleting the account: two clicks here, then the link in the e-mail.
#[component]
fn EraseSection() -> impl IntoView {
    let session = use_session();
    let armed = RwSignal::new(false);
    let notice = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    let erase = move |_| {
        if !armed.get_untracked() {
            armed.set(true);
            return;
        }
        let body = CreatePrivacyRequest {
            kind: PrivacyRequestKind::Erasure,
            note: None,
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<PrivacyRequest>("POST", "/v1/privacy/requests", api::body(&body))
                .await
            {
                Ok(_) => notice.set(Some(Key::ErasureMailed)),
                Err(err) => error.set(Some(match err.code() {
                    Some(zimage_shared::ErrorCode::RequestInProgress) => Key::ErrRequestOpen,
                    _ => err.message(),
                })),
            }
            armed.set(false);
        });
    };
    view! {
        <section class="card danger-zone" aria-labelledby="erase-heading">
            <h2 id="erase-heading">{t(Key::EraseSection)}</h2>
            <p class="muted">{t(Key::EraseLead)}</p>
            <button id="request-erasure" type="button" class="button button-danger" on:click=erase>
                {move || if armed.get() { t(Key::EraseConfirmClick)() } else { t(Key::EraseButton)() }}
            </button>
            <Notice message=notice success=true />
            <Notice message=error />
        </section>
    }
}

/// Where the erasure e-mail leads: one more deliberate click, then the account is off.
#[component]
pub fn ConfirmErasure() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let token = move || query.with_untracked(|q| q.get("token").unwrap_or_default());
    let request = move || query.with_untracked(|q| q.get("request").unwrap_or_default());
    let done = RwSignal::new(None::<PrivacyRequest>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        busy.set(true);
        let body = ConfirmPrivacyRequest { token: token() };
        let path = format!("/v1/privacy/requests/{}/confirm", request());
        leptos::task::spawn_local(async move {
            match api::public::<PrivacyRequest>("POST", &path, api::body(&body)).await {
                Ok(r) => {
                    // Every session of the account has ended; forget this one too.
                    session.logout().await;
                    done.set(Some(r));
                }
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::ConfirmErasureTitle />
            <Show
                when=move || done.get().is_some()
                fallback=move || view! {
                    <p>{t(Key::ConfirmErasureLead)}</p>
                    <Notice message=error />
                    <button id="confirm-erasure" type="button" class="button button-danger" disabled=move || busy.get() on:click=confirm>
                        {t(Key::ConfirmErasureButton)}
                    </button>
                }
            >
                <p class="notice notice-success" role="status" id="erasure-scheduled">
                    {t(Key::ErasureScheduledText)} " "
                    {move || done.get().and_then(|r| r.purge_after).map(day).unwrap_or_default()}
                </p>
            </Show>
        </section>
    }
}

/// Where the unsubscribe link of a marketing e-mail leads; works signed out.
#[component]
pub fn Unsubscribe() -> impl IntoView {
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token").unwrap_or_default());
    let done = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let token = StoredValue::new(token);
    let go = move |_| {
        let path = format!(
            "/v1/unsubscribe?token={}",
            js_sys::encode_uri_component(&token.get_value())
        );
        leptos::task::spawn_local(async move {
            match api::public::<()>("POST", &path, None).await {
                Ok(()) => done.set(true),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::UnsubscribeTitle />
            <Show when=move || done.get() fallback=move || view! {
                <p>{t(Key::UnsubscribeLead)}</p>
                <Notice message=error />
                <button id="unsubscribe" type="button" class="button button-primary" on:click=go>{t(Key::UnsubscribeButton)}</button>
            }>
                <p class="notice notice-success" role="status">{t(Key::Unsubscribed)}</p>
            </Show>
        </section>
    }
}
