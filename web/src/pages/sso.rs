//! Pages a sign-in at an identity provider lands on: `/signup/finish` (a new account, once age
//! and terms are confirmed) and `/sso/link` (connecting a sign-in from the link in a mail). Both
//! take their token from the address's fragment, which browsers never send to servers.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use zimage_shared::auth::{
    Accepted, SsoSignupDetails, SsoSignupRequest, TokenRequest, TokenResponse,
};
use zimage_shared::validate;

use crate::api;
use crate::components::form::{CheckField, Notice, Submit, TextField};
use crate::i18n::{Key, invalid_key, t, use_i18n};
use crate::session::use_session;

/// The `token=` in the address's fragment, taken out of the address (so it is not left in the
/// history, nor shared with a copied link); the query stays.
fn token_from_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = hash.strip_prefix("#token=")?.to_string();
    let path = window.location().pathname().ok()?;
    let search = window.location().search().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}")),
        );
    }
    Some(token).filter(|t| !t.is_empty())
}

/// A new account from a sign-in at a provider: the address it confirmed, a name, and age and
/// terms, before anything is created.
#[component]
pub fn SsoFinish() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let i18n = use_i18n();
    let token = token_from_fragment();
    let query = leptos_router::hooks::use_query_map();
    let details = RwSignal::new(None::<SsoSignupDetails>);
    let notice = RwSignal::new(None::<Key>);
    let loading = RwSignal::new(token.is_some());
    let (email, name) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (terms, age) = (RwSignal::new(false), RwSignal::new(false));
    let (name_err, terms_err, age_err) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let busy = RwSignal::new(false);
    match token.clone() {
        None => notice.set(Some(Key::SsoFinishMissing)),
        Some(token) => crate::util::spawn(async move {
            let body = api::body(&TokenRequest { token });
            match api::public::<SsoSignupDetails>("POST", "/v1/auth/sso/signup/details", body).await
            {
                Ok(found) => {
                    email.set(found.email.clone());
                    name.set(found.display_name.clone().unwrap_or_default());
                    details.set(Some(found));
                }
                Err(err) => notice.set(Some(err.message())),
            }
            loading.set(false);
        }),
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let Some(token) = token.clone() else {
            return;
        };
        let mut ok = true;
        if let Err(e) = validate::optional_text(Some(&name.get()), validate::DISPLAY_NAME_MAX_CHARS)
        {
            name_err.set(Some(invalid_key(e)));
            ok = false;
        }
        if !terms.get() {
            terms_err.set(Some(invalid_key(validate::Invalid::MustAcceptTerms)));
            ok = false;
        }
        if !age.get() {
            age_err.set(Some(invalid_key(validate::Invalid::MustConfirmAge)));
            ok = false;
        }
        if !ok {
            notice.set(Some(Key::ErrCheckFields));
            return;
        }
        let request = SsoSignupRequest {
            token,
            display_name: Some(name.get()).filter(|n| !n.trim().is_empty()),
            locale: Some(i18n.locale.get_untracked().as_str().to_string()),
            referral_code: None,
            accept_terms: true,
            age_confirmed: true,
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::public::<TokenResponse>("POST", "/v1/auth/sso/signup", api::body(&request))
                .await
            {
                Ok(tokens) => {
                    session.sign_in(tokens);
                    // Where the sign-in was started from asked to land, if anywhere.
                    let next = query.with_untracked(|q| q.get("next"));
                    navigate(
                        &crate::session::local_next(next, "/create"),
                        Default::default(),
                    );
                }
                Err(err) => {
                    if let Some(key) = err.field("display_name") {
                        name_err.set(Some(key));
                    }
                    notice.set(Some(err.message()));
                    busy.set(false);
                }
            }
        });
    };
    let provider = move || details.get().map(|d| d.provider_name).unwrap_or_default();
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::SsoFinishTitle />
            <Notice message=notice />
            <Show when=move || loading.get()>
                <p class="loading" role="status">{t(Key::Loading)}</p>
            </Show>
            <Show
                when=move || details.get().is_some()
                fallback=move || view! {
                    <Show when=move || !loading.get()>
                        <a href="/login" class="button button-primary">{t(Key::ContinueToLogin)}</a>
                    </Show>
                }
            >
                <p class="muted" id="sso-finish-lead">
                    {t(Key::SsoFinishLead)} " " <strong>{provider}</strong> " " {t(Key::SsoFinishAs)} " " <strong>{move || email.get()}</strong>
                </p>
                <form on:submit=submit.clone() novalidate>
                    <TextField id="email" label=Key::Email value=email kind="email" autocomplete="email" readonly=true />
                    <TextField id="display_name" label=Key::DisplayName value=name autocomplete="nickname" optional=true error=name_err />
                    <CheckField id="accept_terms" label=Key::AcceptTerms checked=terms error=terms_err />
                    <CheckField id="age_confirmed" label=Key::AgeConfirm checked=age error=age_err />
                    <Submit label=Key::SsoFinishSubmit busy=busy />
                </form>
            </Show>
        </section>
    }
}

/// Connects a sign-in at a provider to the account a mail was sent to, when its owner says so.
#[component]
pub fn SsoLink() -> impl IntoView {
    let token = StoredValue::new(token_from_fragment());
    let notice = RwSignal::new(None::<Key>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let missing = token.with_value(Option::is_none);
    if missing {
        notice.set(Some(Key::VerifyMissing));
    }
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = token.get_value() else {
            return;
        };
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let body = api::body(&TokenRequest { token });
            match api::public::<Accepted>("POST", "/v1/auth/sso/link/confirm", body).await {
                Ok(_) => done.set(true),
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::SsoLinkTitle />
            <Notice message=notice />
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <Show when=move || !missing>
                        <p class="muted">{t(Key::SsoLinkLead)}</p>
                        <form on:submit=confirm novalidate>
                            <Submit label=Key::SsoLinkSubmit busy=busy />
                        </form>
                    </Show>
                }
            >
                <p class="notice notice-success" role="status" id="sso-link-done">{t(Key::SsoLinkDone)}</p>
                <a href="/login" class="button button-primary">{t(Key::ContinueToLogin)}</a>
            </Show>
        </section>
    }
}
