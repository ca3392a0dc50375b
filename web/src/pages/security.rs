//! Security: two-factor authentication, the devices signed in to the account and the account's
//! security log.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::account::{
    Passkey, PasskeyCreateRequest, PasskeyList, PasskeyOptionsRequest, PasskeyUpdateRequest,
    RecoveryCodes, SecondFactorCode, SignInMethods, TotpSetup, TwoFactorStatus,
};
use zimage_shared::auth::{IdentityLinkRequest, PasskeyOptions, SsoStart};

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t, tr, use_i18n};
use crate::pages::account::{SecurityLogSection, SessionsSection, when};
use crate::session::{redirect_signed_out, use_session};

#[component]
pub fn Security() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    // The ways in, shared: passkeys ask for the password only where the account has one.
    let methods = RwSignal::new(None::<SignInMethods>);
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::SecurityTitle />
            <div class="stack">
                <SignInMethodsSection methods=methods />
                <PasskeysSection methods=methods />
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
fn SignInMethodsSection(methods: RwSignal<Option<SignInMethods>>) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let query = use_query_map();
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

/// The account's passkeys: add (with the password where the account has one), rename, remove.
#[component]
fn PasskeysSection(methods: RwSignal<Option<SignInMethods>>) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let list = RwSignal::new(None::<PasskeyList>);
    let notice = RwSignal::new(None::<Key>);
    let added = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let name_err = RwSignal::new(None::<Key>);
    let password = RwSignal::new(String::new());
    let password_err = RwSignal::new(None::<Key>);
    let adding = RwSignal::new(false);
    // The passkey being renamed, and its new name.
    let renaming = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let supported = crate::components::passkey::supported();
    let load = move || {
        leptos::task::spawn_local(async move {
            match session
                .call::<PasskeyList>("GET", "/v1/me/passkeys", None)
                .await
            {
                Ok(found) => list.set(Some(found)),
                Err(err) => notice.set(Some(err.message())),
            }
        });
    };
    load();
    // The password is asked unless the account is known to have none (so a list that has not
    // loaded yet cannot leave the server's question unanswered and unseen).
    let has_password = move || methods.with(|m| m.as_ref().is_none_or(|m| m.password));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        added.set(None);
        name_err.set(None);
        password_err.set(None);
        let chosen = name.get_untracked().trim().to_string();
        if chosen.is_empty() {
            name_err.set(Some(Key::ErrRequired));
            return;
        }
        busy.set(true);
        let with_password = methods.with_untracked(|m| m.as_ref().is_none_or(|m| m.password));
        let request = PasskeyOptionsRequest {
            password: with_password.then(|| password.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let made = async {
                let options = session
                    .call::<PasskeyOptions>("POST", "/v1/me/passkey-options", api::body(&request))
                    .await
                    .map_err(|err| match err.field("password") {
                        Some(key) => {
                            password_err.set(Some(key));
                            None
                        }
                        None => Some(err.message()),
                    })?;
                let credential = crate::components::passkey::create(&options.public_key)
                    .await
                    .map_err(|e| Some(e.message()))?;
                let body = PasskeyCreateRequest {
                    ceremony: options.ceremony,
                    name: chosen,
                    credential,
                };
                session
                    .call::<Passkey>("POST", "/v1/me/passkeys", api::body(&body))
                    .await
                    .map_err(|err| match err.field("name") {
                        Some(key) => {
                            name_err.set(Some(key));
                            None
                        }
                        None => Some(err.message()),
                    })
            }
            .await;
            match made {
                Ok(_) => {
                    adding.set(false);
                    name.set(String::new());
                    password.set(String::new());
                    added.set(Some(Key::PasskeyAdded));
                    load();
                }
                Err(Some(key)) => notice.set(Some(key)),
                Err(None) => {}
            }
            busy.set(false);
        });
    };
    let rename = move |id: String| {
        notice.set(None);
        let body = PasskeyUpdateRequest {
            name: new_name.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/v1/me/passkeys/{id}");
            match session
                .call::<Passkey>("PATCH", &path, api::body(&body))
                .await
            {
                Ok(_) => {
                    renaming.set(None);
                    load();
                }
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    let remove = move |id: String| {
        notice.set(None);
        added.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/v1/me/passkeys/{id}");
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
    let row = move |passkey: Passkey| {
        let id = passkey.id.to_string();
        let (rename_id, remove_id, edit_id) = (id.clone(), id.clone(), id.clone());
        let locale = i18n.locale.get_untracked();
        let facts = format!(
            "{} {}{}",
            tr(locale, Key::PasskeyAddedOn),
            when(passkey.created_at),
            passkey
                .last_used_at
                .map(|at| format!(" · {} {}", tr(locale, Key::SignInLastUsed), when(at)))
                .unwrap_or_default()
        );
        let current = passkey.name.clone();
        let shown = passkey.name.clone();
        let backed_up = passkey.backed_up;
        let editing = move || renaming.get().as_deref() == Some(edit_id.as_str());
        view! {
            <li class="identity passkey" data-name=passkey.name.clone()>
                <Show when=editing.clone() fallback=move || view! {
                    <div>
                        <strong class="passkey-name">{shown.clone()}</strong> " "
                        {backed_up.then(|| view! { <span class="badge">{t(Key::PasskeySynced)}</span> })}
                        <div class="muted small">{facts.clone()}</div>
                    </div>
                }>
                    <form class="inline-form" on:submit={
                        let id = rename_id.clone();
                        move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); rename(id.clone()); }
                    } novalidate>
                        <TextField id="passkey-new-name" label=Key::PasskeyName value=new_name autocomplete="off" />
                        <div class="actions">
                            <Submit label=Key::PasskeySave busy=busy />
                            <button type="button" class="button button-ghost" on:click=move |_| renaming.set(None)>{t(Key::CancelEdit)}</button>
                        </div>
                    </form>
                </Show>
                <div class="actions" hidden=move || renaming.get().is_some()>
                    <button type="button" class="button button-small button-ghost" disabled=move || busy.get()
                        on:click={
                            let id = id.clone();
                            let current = current.clone();
                            move |_| { new_name.set(current.clone()); renaming.set(Some(id.clone())); }
                        }>
                        {t(Key::PasskeyRename)}
                    </button>
                    <button type="button" class="button button-small button-danger" disabled=move || busy.get()
                        on:click=move |_| remove(remove_id.clone())>
                        {t(Key::SignInRemove)}
                    </button>
                </div>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="passkeys-heading" id="passkeys">
            <h2 id="passkeys-heading">{t(Key::PasskeysSection)}</h2>
            <p class="muted">{t(Key::PasskeysLead)}</p>
            <Notice message=notice />
            <Notice message=added success=true />
            {move || match list.get() {
                None => view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any(),
                Some(found) if !found.available => view! { <p class="muted">{t(Key::PasskeysOff)}</p> }.into_any(),
                Some(found) => {
                    let full = found.items.len() >= found.limit as usize;
                    view! {
                        {if found.items.is_empty() {
                            view! { <p class="muted" id="passkeys-empty">{t(Key::PasskeysNone)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="identity-list" id="passkey-list">
                                    {found.items.into_iter().map(row).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {if !supported {
                            view! { <p class="notice notice-info">{t(Key::PasskeyUnsupported)}</p> }.into_any()
                        } else if full {
                            view! { <p class="muted small">{t(Key::ErrLimitReached)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="actions" hidden=move || adding.get()>
                                    <button type="button" class="button" id="passkey-add" on:click=move |_| {
                                        adding.set(true);
                                        set_timeout(|| { crate::components::layout::focus_first("#passkey-name"); }, std::time::Duration::ZERO);
                                    }>
                                        {t(Key::PasskeyAdd)}
                                    </button>
                                </div>
                                <form id="passkey-form" on:submit=add novalidate hidden=move || !adding.get()>
                                    <TextField id="passkey-name" label=Key::PasskeyName value=name autocomplete="off" hint=Key::PasskeyNameHint error=name_err />
                                    <Show when=has_password>
                                        <TextField id="passkey-password" label=Key::Password value=password kind="password" autocomplete="current-password" error=password_err />
                                    </Show>
                                    <div class="actions">
                                        <Submit label=Key::PasskeyAdd busy=busy />
                                        <button type="button" class="button button-ghost" on:click=move |_| adding.set(false)>{t(Key::CancelEdit)}</button>
                                    </div>
                                </form>
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}
