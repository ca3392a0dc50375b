//! The two links of an e-mail address change: confirming the new address (sent there), and
//! undoing the change (sent to the old address).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::account::User;
use zimage_shared::auth::{Accepted, TokenRequest};

use crate::api;
use crate::i18n::{Key, t, tr, use_i18n};
use crate::session::use_session;

/// A status line for a link's outcome: working, done or failed.
#[component]
fn Outcome(status: RwSignal<Key>, done: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p
            class="notice"
            class:notice-success=move || done.get()
            class:notice-error=move || {
                !done.get() && !matches!(status.get(), Key::VerifyWorking | Key::EmailChangeUndoLead)
            }
            role="status"
            aria-live="polite"
        >
            {move || tr(i18n.locale.get(), status.get())}
        </p>
    }
}

/// `/email-change?token=`: moves the account to the address the link was sent to.
#[component]
pub fn ConfirmEmailChange() -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(Key::VerifyWorking);
    let done = RwSignal::new(false);
    match use_query_map().get_untracked().get("token") {
        None => status.set(Key::VerifyMissing),
        Some(token) => crate::util::spawn(async move {
            let path = "/v1/auth/email-change/confirm";
            match api::public::<User>("POST", path, api::body(&TokenRequest { token })).await {
                Ok(user) => {
                    if session
                        .user
                        .get_untracked()
                        .is_some_and(|u| u.id == user.id)
                    {
                        session.set_user(user);
                    }
                    done.set(true);
                    status.set(Key::EmailChangeDone);
                }
                Err(err) => status.set(err.message()),
            }
        }),
    }
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::EmailChangeConfirmTitle />
            <Outcome status=status done=done />
            <Show when=move || done.get()>
                <Show
                    when=move || session.user.get().is_some()
                    fallback=|| view! { <a href="/login" class="button button-primary">{t(Key::ContinueToLogin)}</a> }
                >
                    <a href="/account" class="button button-primary">{t(Key::NavAccount)}</a>
                </Show>
            </Show>
        </section>
    }
}

/// `/email-change/undo?token=`: puts the old address back and signs every device out, once the
/// visitor presses the button (a mail scanner opening the link changes nothing).
#[component]
pub fn UndoEmailChange() -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(Key::EmailChangeUndoLead);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let token = use_query_map().get_untracked().get("token");
    if token.is_none() {
        status.set(Key::VerifyMissing);
    }
    let has_token = token.is_some();
    let undo = move |_| {
        let Some(token) = token.clone() else {
            return;
        };
        busy.set(true);
        crate::util::spawn(async move {
            let path = "/v1/auth/email-change/undo";
            match api::public::<Accepted>("POST", path, api::body(&TokenRequest { token })).await {
                Ok(_) => {
                    // This browser's session ended with every other.
                    session.logout().await;
                    done.set(true);
                    status.set(Key::EmailChangeUndone);
                }
                Err(err) => status.set(err.message()),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::EmailChangeUndoTitle />
            <Outcome status=status done=done />
            <Show when=move || has_token && !done.get() && status.get() == Key::EmailChangeUndoLead>
                <button type="button" id="undo-email-change" class="button button-danger"
                    disabled=move || busy.get() on:click=undo.clone()>
                    {t(Key::EmailChangeUndoButton)}
                </button>
            </Show>
            <Show when=move || done.get()>
                <a href="/login" class="button button-primary">{t(Key::ContinueToLogin)}</a>
            </Show>
        </section>
    }
}
