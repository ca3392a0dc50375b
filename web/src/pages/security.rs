//! Security: two-factor authentication, the devices signed in to the account and the account's
//! security log.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::account::{
    RecoveryCodes, SecondFactorCode, SignInMethods, TotpSetup, TwoFactorStatus,
};
use zimage_shared::auth::{IdentityLinkRequest, SsoStart};

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t, tr, use_i18n};
use crate::pages::account::{SecurityLogSection, SessionsSection, when};
use crate::session::{redirect_signed_out, use_session};

#[component]
pub fn Security() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::SecurityTitle />
            <div class="stack">
                <SignInMethodsSection />
                <TwoFactorSection />
                <SessionsSection />
                <SecurityLogSection />
            </div>
        </Show>
    }
}

/// What the two-factor section shows.
#[derive(Clone, PartialEq)]
enum Stage {
    Loading,
    Off,
    /// A new secret for the app, waiting for its first code.
    Setup(TotpSetup),
    /// Recovery codes just made, shown once.
    Codes(Vec<String>),
    On(TwoFactorStatus),
}

/// The `otpauth://` URI as a QR code (SVG), for the phone's authenticator app to scan.
fn qr_svg(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// Two-factor authentication: turn it on with an authenticator app (QR code, then its first
/// code), see and replace the recovery codes, turn it off. Actions that need a code proved in
/// the last few minutes ask for one first.
#[component]
fn TwoFactorSection() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let stage = RwSignal::new(Stage::Loading);
    let code = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<TwoFactorStatus>("GET", "/v1/me/two-factor", None)
                .await
            {
                Ok(status) if status.enabled => stage.set(Stage::On(status)),
                Ok(_) => stage.set(Stage::Off),
                Err(err) => notice.set(Some(err.message())),
            }
        });
    };
    load();
    let begin = move |_| {
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<TotpSetup>("POST", "/v1/me/two-factor/totp", None)
                .await
            {
                Ok(setup) => {
                    code.set(String::new());
                    stage.set(Stage::Setup(setup));
                }
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        busy.set(true);
        let body = SecondFactorCode {
            code: code.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<RecoveryCodes>("POST", "/v1/me/two-factor/totp/confirm", api::body(&body))
                .await
            {
                Ok(made) => stage.set(Stage::Codes(made.codes)),
                Err(err) => notice.set(Some(err.message())),
            }
            code.set(String::new());
            busy.set(false);
        });
    };
    // Runs `action` ("codes": new recovery codes, else turning it off); a fresh code, when the
    // server wants one first, is asked for by the step-up dialog.
    let act = move |action: &'static str| {
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = match action {
                "codes" => session
                    .call::<RecoveryCodes>("POST", "/v1/me/two-factor/recovery-codes", None)
                    .await
                    .map(|made| stage.set(Stage::Codes(made.codes))),
                _ => session
                    .call::<()>("DELETE", "/v1/me/two-factor", None)
                    .await
                    .map(|()| stage.set(Stage::Off)),
            };
            if let Err(err) = outcome {
                notice.set(Some(err.message()));
            }
            busy.set(false);
        });
    };
    let copy_codes = move |codes: Vec<String>| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&codes.join("\n"));
        }
    };
    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t(Key::TwoFactorSection)}</h2>
            <Notice message=notice />
            {move || match stage.get() {
                Stage::Loading => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
                Stage::Off => view! {
                    <p class="muted">{t(Key::TwoFactorOffLead)}</p>
                    <button type="button" id="two-factor-on" class="button button-primary" disabled=move || busy.get() on:click=begin>
                        {t(Key::TwoFactorTurnOn)}
                    </button>
                }.into_any(),
                Stage::Setup(setup) => {
                    let svg = qr_svg(&setup.otpauth_uri);
                    let grouped = setup.secret.as_bytes().chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>().join(" ");
                    view! {
                        <p>{t(Key::TwoFactorScan)}</p>
                        <div class="qr" role="img" aria-label=move || tr(i18n.locale.get(), Key::TwoFactorQrLabel) inner_html=svg></div>
                        <p class="muted small">{t(Key::TwoFactorTypeKey)}</p>
                        <p><code class="secret-value" id="two-factor-secret">{grouped}</code></p>
                        <p><a href=setup.otpauth_uri.clone() class="button button-small">{t(Key::TwoFactorOpenApp)}</a></p>
                        <form on:submit=confirm novalidate>
                            <TextField id="two-factor-code" label=Key::SecondFactorCode value=code autocomplete="one-time-code" />
                            <Submit label=Key::TwoFactorConfirm busy=busy />
                        </form>
                    }.into_any()
                }
                Stage::Codes(codes) => {
                    let shown = codes.clone();
                    let download = format!(
                        "data:text/plain;charset=utf-8,{}",
                        String::from(js_sys::encode_uri_component(&format!("{}\n", codes.join("\n"))))
                    );
                    view! {
                        <div class="secret" role="status">
                            <p><strong>{t(Key::RecoveryCodesOnce)}</strong></p>
                            <ul class="recovery-codes" id="recovery-codes">
                                {shown.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                            </ul>
                            <div class="actions">
                                <button type="button" class="button button-small" on:click=move |_| copy_codes(codes.clone())>{t(Key::Copy)}</button>
                                <a class="button button-small" href=download download="z-image-studio-recovery-codes.txt">{t(Key::Download)}</a>
                                <button type="button" id="recovery-codes-done" class="button button-small button-primary" on:click=move |_| { stage.set(Stage::Loading); load(); }>{t(Key::RecoveryCodesSaved)}</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Stage::On(status) => view! {
                    <p id="two-factor-status">
                        <span class="badge">{t(Key::TwoFactorOnBadge)}</span> " "
                        {status.enabled_at.map(|at| format!("{} {}", tr(i18n.locale.get_untracked(), Key::TwoFactorSince), when(at))).unwrap_or_default()}
                        " · " {status.recovery_codes_left.to_string()} " " {t(Key::RecoveryCodesLeft)}
                    </p>
                    <div class="actions">
                        <button type="button" id="new-recovery-codes" class="button" disabled=move || busy.get() on:click=move |_| act("codes")>{t(Key::NewRecoveryCodes)}</button>
                        <button type="button" id="two-factor-off" class="button button-danger" disabled=move || busy.get() on:click=move |_| act("off")>{t(Key::TwoFactorTurnOff)}</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// The ways to sign in: the password, and accounts at identity providers, connected here and
/// removed while another way remains. Connecting goes to the provider and comes back to
/// `/security?linked=…` (or `?sso_error=…`).
#[component]
fn SignInMethodsSection() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let query = use_query_map();
    let methods = RwSignal::new(None::<SignInMethods>);
    let notice = RwSignal::new(None::<Key>);
    let linked = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    if let Some(code) = query.with_untracked(|q| q.get("sso_error")) {
        notice.set(Some(crate::components::sso::error_key(&code)));
    } else if query.with_untracked(|q| q.get("linked").is_some()) {
        linked.set(Some(Key::SignInLinked));
    }
    let load = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<SignInMethods>("GET", "/v1/me/identities", None)
                .await
            {
                Ok(found) => methods.set(Some(found)),
                Err(err) => notice.set(Some(err.message())),
            }
        });
    };
    load();
    // With a password on the account, connecting asks for it first (the provider waiting).
    let asking = RwSignal::new(None::<(String, String)>);
    let link_password = RwSignal::new(String::new());
    let password_err = RwSignal::new(None::<Key>);
    let connect = move |provider: String| {
        notice.set(None);
        linked.set(None);
        let has_password = methods.with_untracked(|m| m.as_ref().is_some_and(|m| m.password));
        if has_password
            && asking.with_untracked(|a| a.as_ref().is_none_or(|(id, _)| *id != provider))
        {
            let name = methods.with_untracked(|m| {
                m.as_ref()
                    .and_then(|m| m.available.iter().find(|p| p.id == provider))
                    .map(|p| p.name.clone())
                    .unwrap_or_default()
            });
            link_password.set(String::new());
            asking.set(Some((provider, name)));
            set_timeout(
                || {
                    crate::components::layout::focus_first("#link-password");
                },
                std::time::Duration::ZERO,
            );
            return;
        }
        busy.set(true);
        let body = IdentityLinkRequest {
            provider,
            password: has_password.then(|| link_password.get_untracked()),
            login_hint: None,
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<SsoStart>("POST", "/v1/me/identities", api::body(&body))
                .await
            {
                Ok(start) => crate::components::sso::go_to(&start.authorization_url),
                Err(err) => {
                    match err.field("password") {
                        Some(key) => password_err.set(Some(key)),
                        None => notice.set(Some(err.message())),
                    }
                    busy.set(false);
                }
            }
        });
    };
    let remove = move |id: String| {
        notice.set(None);
        linked.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/v1/me/identities/{id}");
            match session.call::<()>("DELETE", &path, None).await {
                Ok(()) => load(),
                Err(err) => notice.set(Some(
                    if err.code() == Some(zimage_shared::ErrorCode::Conflict) {
                        Key::SignInLastWay
                    } else {
                        err.message()
                    },
                )),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="sign-in-methods-heading" id="sign-in-methods">
            <h2 id="sign-in-methods-heading">{t(Key::SignInMethodsSection)}</h2>
            <p class="muted">{t(Key::SignInMethodsLead)}</p>
            <Notice message=notice />
            <Notice message=linked success=true />
            {move || match methods.get() {
                None => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
                Some(found) => {
                    let password = found.password;
                    view! {
                        <ul class="identity-list" id="identities">
                            <li>
                                <div>
                                    <strong>{t(Key::SignInPassword)}</strong> " "
                                    {if password {
                                        view! { <span class="badge">{t(Key::SignInPasswordSet)}</span> }.into_any()
                                    } else {
                                        view! { <span class="muted small">{t(Key::SignInPasswordNone)}</span> }.into_any()
                                    }}
                                </div>
                            </li>
                            {found.identities.into_iter().map(|identity| {
                                let id = identity.id.to_string();
                                let who = identity.email.clone().or(identity.username.clone()).unwrap_or_default();
                                let used = identity.last_used_at.map(|at| format!("{} {}", tr(i18n.locale.get_untracked(), Key::SignInLastUsed), when(at)));
                                view! {
                                    <li class="identity" data-provider=identity.provider.clone()>
                                        <div>
                                            <strong>{identity.provider_name.clone()}</strong> " "
                                            <span>{who}</span>
                                            {used.map(|u| view! { <span class="muted small">" · " {u}</span> })}
                                        </div>
                                        <button type="button" class="button button-small button-danger" disabled=move || busy.get()
                                            on:click=move |_| remove(id.clone())>
                                            {t(Key::SignInRemove)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {move || asking.get().map(|(provider, name)| view! {
                            <form id="link-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); connect(provider.clone()); } novalidate>
                                <p>{t(Key::SignInConnect)} " " <strong>{name}</strong></p>
                                <TextField id="link-password" label=Key::Password value=link_password kind="password" autocomplete="current-password" error=password_err />
                                <div class="actions">
                                    <Submit label=Key::SignInConnect busy=busy />
                                    <button type="button" class="button button-ghost" on:click=move |_| asking.set(None)>{t(Key::CancelEdit)}</button>
                                </div>
                            </form>
                        })}
                        <div class="actions" hidden=move || asking.get().is_some()>
                            {found.available.into_iter().map(|provider| {
                                let id = provider.id.clone();
                                view! {
                                    <button type="button" class="button" id=format!("connect-{}", provider.id) disabled=move || busy.get()
                                        on:click=move |_| connect(id.clone())>
                                        {t(Key::SignInConnect)} " " {provider.name.clone()}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
