//! Security: two-factor authentication, the devices signed in to the account and the account's
//! security log.

use leptos::prelude::*;
use zimage_shared::account::{RecoveryCodes, SecondFactorCode, TotpSetup, TwoFactorStatus};

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
