//! The step-up dialog: when the server wants a fresh second factor before a sensitive action
//! (changing the password, creating an API key, asking for erasure, managing two-factor
//! authentication itself), it asks for a code from the authenticator app, or one of the
//! account's passkeys, proves it, and the action goes on as if nothing had interrupted it
//! ([`crate::session::Session::call_with`]).

use leptos::html;
use leptos::prelude::*;
use zimage_shared::account::{PasskeyList, PasskeyStepUpRequest, SecondFactorCode};
use zimage_shared::auth::PasskeyOptions;

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t};
use crate::session::use_session;

#[component]
pub fn StepUpDialog() -> impl IntoView {
    let session = use_session();
    let dialog = NodeRef::<html::Dialog>::new();
    let code = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    // Whether the account has a passkey this browser could use instead of a code (asked each
    // time the dialog opens: passkeys come and go).
    let passkey = RwSignal::new(false);
    // Leaving the page cancels the action that asked: it is not replayed on another page.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) && session.step_up.get_untracked() {
            session.step_up_done(false);
        }
        path
    });
    // A modal dialog: the browser keeps focus inside it and Esc cancels it.
    Effect::new(move |_| {
        let open = session.step_up.get();
        let Some(dialog) = dialog.get() else {
            return;
        };
        if open && !dialog.open() {
            code.set(String::new());
            notice.set(None);
            let _ = dialog.show_modal();
            passkey.set(false);
            if crate::components::passkey::supported() {
                leptos::task::spawn_local(async move {
                    let list = session
                        .send::<PasskeyList>("GET", "/v1/me/passkeys", None, &[])
                        .await;
                    // Only for the dialog still open (not one closed meanwhile).
                    if session.step_up.get_untracked() {
                        passkey.set(list.is_ok_and(|l| l.available && !l.items.is_empty()));
                    }
                });
            }
        } else if !open && dialog.open() {
            dialog.close();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        busy.set(true);
        let body = SecondFactorCode {
            code: code.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let path = "/v1/me/two-factor/verify";
            match session
                .send::<()>("POST", path, api::body(&body), &[])
                .await
            {
                Ok(()) => session.step_up_done(true),
                Err(err) => notice.set(Some(err.message())),
            }
            code.set(String::new());
            busy.set(false);
        });
    };
    let with_passkey = move |_| {
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let proved = async {
                let path = "/v1/me/two-factor/passkey-options";
                let options = session
                    .send::<PasskeyOptions>("POST", path, None, &[])
                    .await
                    .map_err(|e| e.message())?;
                let credential = crate::components::passkey::sign(&options.public_key)
                    .await
                    .map_err(|e| e.message())?;
                let body = PasskeyStepUpRequest {
                    ceremony: options.ceremony,
                    credential,
                };
                session
                    .send::<()>("POST", "/v1/me/two-factor/passkey", api::body(&body), &[])
                    .await
                    .map_err(|e| e.message())
            }
            .await;
            match proved {
                Ok(()) => session.step_up_done(true),
                Err(key) => notice.set(Some(key)),
            }
            busy.set(false);
        });
    };
    view! {
        <dialog node_ref=dialog id="step-up" class="dialog" aria-labelledby="step-up-title"
            on:cancel=move |_: web_sys::Event| session.step_up_done(false)>
            <form on:submit=submit novalidate>
                <h2 id="step-up-title">{t(Key::StepUpTitle)}</h2>
                <p class="muted">{t(Key::StepUpLead)}</p>
                <Notice message=notice />
                <TextField id="step-up-code" label=Key::SecondFactorCode value=code autocomplete="one-time-code" />
                <div class="actions">
                    <Submit label=Key::SecondFactorConfirmIt busy=busy />
                    <button type="button" class="button" on:click=move |_| session.step_up_done(false)>{t(Key::CancelEdit)}</button>
                </div>
                <Show when=move || passkey.get()>
                    <div class="passkey-alt">
                        <p class="sso-divider"><span>{t(Key::SsoOr)}</span></p>
                        <button type="button" id="step-up-passkey" class="button button-block" disabled=move || busy.get()
                            on:click=with_passkey>
                            <span aria-hidden="true" class="passkey-icon">{"\u{1F511}"}</span> " " {t(Key::PasskeyUseInstead)}
                        </button>
                    </div>
                </Show>
            </form>
        </dialog>
    }
}
