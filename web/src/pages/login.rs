use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use zimage_shared::auth::{
    LoginRequest, PasskeyOptions, PasskeySignInOptionsRequest, PasskeySignInRequest,
    SecondFactorChallenge, SecondFactorRequest, SignupOptions, SsoProviderInfo, TokenResponse,
};

use zimage_shared::ErrorCode;

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t};
use crate::session::use_session;

/// Log-in form.
#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let (email, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    // Set when the account is scheduled for deletion: the server's message, with its date.
    let pending_erasure = RwSignal::new(None::<String>);
    // Whether that answer came to a passkey sign-in (keeping the account asks the passkey
    // again) rather than to the password.
    let erasure_by_passkey = RwSignal::new(false);
    // With two-factor authentication on: the challenge the password earned, for the code step.
    let challenge = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    // Identity providers to continue with, and what the way back from one said.
    let providers = RwSignal::new(Vec::<SsoProviderInfo>::new());
    // Whether this installation and this browser both do passkeys, and whether the challenge
    // of the second step takes one.
    let passkeys = RwSignal::new(false);
    let passkey_second = RwSignal::new(false);
    crate::util::spawn(async move {
        let path = "/v1/auth/signup-options";
        if let Ok(options) = api::public::<SignupOptions>("GET", path, None).await {
            providers.set(options.providers);
            passkeys.set(options.passkeys && crate::components::passkey::supported());
        }
    });
    let link_sent = query.with_untracked(|q| q.get("sso").as_deref() == Some("link_sent"));
    // Shown above the provider buttons (the password form has its own).
    let sso_notice = RwSignal::new(None::<Key>);
    if let Some(code) = query.with_untracked(|q| q.get("sso_error")) {
        sso_notice.set(Some(crate::components::sso::error_key(&code)));
    }
    // A provider sign-in into an account with two-factor authentication lands here with its
    // challenge in the fragment (never sent to servers), followed by `&passkey` when one of
    // the account's passkeys may answer it; it is taken out of the address.
    if let Some(window) = web_sys::window()
        && let Ok(hash) = window.location().hash()
        && let Some(asked) = hash.strip_prefix("#second_factor=")
    {
        let (asked, passkey) = match asked.strip_suffix("&passkey") {
            Some(asked) => (asked, true),
            None => (asked, false),
        };
        passkey_second.set(passkey);
        challenge.set(Some(asked.to_string()));
        // The query (`next`, where to land afterwards) stays.
        let search = window.location().search().unwrap_or_default();
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("/login{search}")),
            );
        }
    }
    let next = Signal::derive(move || query.with(|q| q.get("next")));
    let done = Callback::new(move |tokens: TokenResponse| {
        session.sign_in(tokens);
        let next = query.with_untracked(|q| q.get("next"));
        navigate(
            &crate::session::local_next(next, "/create"),
            Default::default(),
        );
    });

    let attempt = Callback::new(move |keep_account: bool| {
        let request = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            keep_account,
        };
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let answer = api::send("POST", "/v1/auth/login", api::body(&request), None).await;
            // 202: the password was right, and a code is asked for.
            let answer = answer.and_then(|(status, text)| match status {
                202 => api::decode::<SecondFactorChallenge>(status, &text).map(Err),
                _ => api::decode::<TokenResponse>(status, &text).map(Ok),
            });
            match answer {
                Ok(Ok(tokens)) => done.run(tokens),
                Ok(Err(asked)) => {
                    pending_erasure.set(None);
                    code.set(String::new());
                    passkey_second.set(asked.methods.iter().any(|m| m == "passkey"));
                    challenge.set(Some(asked.challenge));
                    set_timeout(
                        || {
                            crate::components::layout::focus_first("#code");
                        },
                        std::time::Duration::ZERO,
                    );
                }
                Err(err) if err.code() == Some(zimage_shared::ErrorCode::ErasurePending) => {
                    erasure_by_passkey.set(false);
                    pending_erasure.set(err.problem.map(|p| p.detail));
                }
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    });
    // A passkey alone (`asked` is `None`), or as the answer to the second step's challenge.
    // `keep_account`: cancel the account's scheduled deletion (a passkey alone; after a password,
    // the challenge carries that choice).
    let with_passkey = Callback::new(move |(asked, keep_account): (Option<String>, bool)| {
        busy.set(true);
        notice.set(None);
        sso_notice.set(None);
        leptos::task::spawn_local(async move {
            let signed_in = async {
                let request = PasskeySignInOptionsRequest {
                    challenge: asked.clone(),
                };
                let path = "/v1/auth/passkey/options";
                let options = api::public::<PasskeyOptions>("POST", path, api::body(&request))
                    .await
                    .map_err(|e| Err(e.message()))?;
                let credential = crate::components::passkey::sign(&options.public_key)
                    .await
                    .map_err(|e| Err(e.message()))?;
                let request = PasskeySignInRequest {
                    ceremony: options.ceremony,
                    credential,
                    challenge: asked,
                    keep_account,
                };
                api::public::<TokenResponse>("POST", "/v1/auth/passkey", api::body(&request))
                    .await
                    .map_err(|e| match e.code() {
                        // Scheduled for deletion: its date, to offer keeping the account.
                        Some(zimage_shared::ErrorCode::ErasurePending) => {
                            Ok(e.problem.map(|p| p.detail).unwrap_or_default())
                        }
                        _ => Err(e.message()),
                    })
            }
            .await;
            match signed_in {
                Ok(tokens) => done.run(tokens),
                Err(Ok(pending)) => {
                    // Shown on the first step's card.
                    challenge.set(None);
                    erasure_by_passkey.set(true);
                    pending_erasure.set(Some(pending));
                }
                Err(Err(key)) => {
                    if key == Key::ErrChallengeEnded {
                        challenge.set(None);
                        password.set(String::new());
                    }
                    notice.set(Some(key));
                }
            }
            busy.set(false);
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt.run(false);
    };
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(asked) = challenge.get_untracked() else {
            return;
        };
        let request = SecondFactorRequest {
            challenge: asked,
            code: code.get_untracked(),
        };
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let path = "/v1/auth/login/second-factor";
            match api::public::<TokenResponse>("POST", path, api::body(&request)).await {
                Ok(tokens) => done.run(tokens),
                Err(err) => {
                    // A challenge that ended (too many wrong codes, or too late) needs the
                    // password again.
                    if err.code() == Some(ErrorCode::ChallengeEnded) {
                        challenge.set(None);
                        password.set(String::new());
                    }
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <Show when=move || challenge.get().is_some()>
            <section class="card narrow">
                <h1 id="second-factor-heading" tabindex="-1">{t(Key::SecondFactorTitle)}</h1>
                <p class="muted">{t(Key::SecondFactorLead)}</p>
                <form on:submit=submit_code novalidate>
                    <Notice message=notice />
                    <TextField id="code" label=Key::SecondFactorCode value=code autocomplete="one-time-code" />
                    <Submit label=Key::SecondFactorSubmit busy=busy />
                </form>
                <Show when=move || passkey_second.get() && passkeys.get()>
                    <p>
                        <button type="button" id="passkey-second-factor" class="button button-block" disabled=move || busy.get()
                            on:click=move |_| with_passkey.run((challenge.get_untracked(), false))>
                            {t(Key::PasskeyUseInstead)}
                        </button>
                    </p>
                </Show>
                <p>
                    <button type="button" class="button button-ghost button-small"
                        on:click=move |_| { challenge.set(None); notice.set(None); }>
                        {t(Key::SecondFactorBack)}
                    </button>
                </p>
            </section>
        </Show>
        <section class="card narrow" hidden=move || challenge.get().is_some()>
            <crate::components::layout::Heading key=Key::LoginTitle />
            <Show when=move || link_sent>
                <p class="notice notice-info" id="sso-link-sent" role="status">{t(Key::SsoLinkSent)}</p>
            </Show>
            <Notice message=sso_notice />
            <crate::components::sso::SsoButtons providers=providers.into() next=next invitation=Signal::stored(None) notice=sso_notice divider=true />
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <TextField id="email" label=Key::Email value=email kind="email" autocomplete="username" />
                <TextField id="password" label=Key::Password value=password kind="password" autocomplete="current-password" />
                <Submit label=Key::LoginSubmit busy=busy />
            </form>
            <Show when=move || passkeys.get()>
                <div class="passkey-alt">
                    <p class="sso-divider"><span>{t(Key::SsoOr)}</span></p>
                    <button type="button" id="passkey-sign-in" class="button button-block" disabled=move || busy.get()
                        on:click=move |_| with_passkey.run((None, false))>
                        <span aria-hidden="true" class="passkey-icon">{"\u{1F511}"}</span> " " {t(Key::PasskeySignIn)}
                    </button>
                </div>
            </Show>
            <Show when=move || pending_erasure.get().is_some()>
                <div class="notice notice-warning" role="alert" id="erasure-pending">
                    <p>{t(Key::ErasurePendingText)}</p>
                    <button id="keep-account" type="button" class="button button-primary" disabled=move || busy.get() on:click=move |_| {
                            if erasure_by_passkey.get_untracked() {
                                with_passkey.run((None, true));
                            } else {
                                attempt.run(true);
                            }
                        }>
                        {t(Key::KeepAccount)}
                    </button>
                </div>
            </Show>
            <p><A href="/forgot-password">{t(Key::ForgotLink)}</A></p>
            <p class="muted">{t(Key::NoAccount)} " " <A href="/signup">{t(Key::NavSignup)}</A></p>
        </section>
    }
}
