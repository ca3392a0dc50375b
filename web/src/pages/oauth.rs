//! OAuth for third-party apps: the consent page (`/oauth/authorize`), the device page
//! (`/device`), the developer's own apps (on the developers page) and the apps the user
//! authorized (on the account page).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::oauth::{
    AuthorizationParams, AuthorizeDecision, AuthorizeRedirect, AuthorizedApp,
    CreateOAuthAppRequest, DeviceDecision, DeviceRequestInfo, OAuthApp, OAuthAppCreated,
    OAuthAppSummary, OAuthClientType, OAuthConsent,
};

use crate::api;
use crate::components::form::{Notice, Submit, TextField, parse_credit_cap};
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, t};
use crate::session::{redirect_signed_out, use_session};

fn scope_key(scope: ApiKeyScope) -> Key {
    match scope {
        ApiKeyScope::ProfileWrite => Key::ScopeProfileWrite,
        ApiKeyScope::CreditsRead => Key::ScopeCreditsRead,
        ApiKeyScope::GenerationsRead => Key::ScopeGenerationsRead,
        ApiKeyScope::GenerationsWrite => Key::ScopeGenerationsWrite,
        ApiKeyScope::WebhooksWrite => Key::ScopeWebhooksWrite,
    }
}

/// What an app may do, as a list: reading the profile always, then each scope.
#[component]
fn ScopeList(scopes: Vec<ApiKeyScope>) -> impl IntoView {
    view! {
        <ul class="scope-list">
            <li>{t(Key::ScopeProfileRead)}</li>
            {scopes.into_iter().map(|s| view! { <li>{t(scope_key(s))}</li> }).collect_view()}
        </ul>
    }
}

/// The app's name and who made it.
#[component]
fn AppHeading(app: OAuthAppSummary) -> impl IntoView {
    let developer = app.developer.clone();
    view! {
        <div class="app-heading">
            <span class="app-avatar" aria-hidden="true">
                {app.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
            </span>
            <div>
                <h2 id="consent-app">{app.name.clone()}</h2>
                <p class="muted small">
                    {t(Key::AuthorizeBy)} " "
                    {match developer {
                        Some(name) => view! { <span>{name}</span> }.into_any(),
                        None => view! { <span>{t(Key::AuthorizeUnknownDeveloper)}</span> }.into_any(),
                    }}
                </p>
            </div>
        </div>
    }
}

fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}

/// The host a redirect URI sends the browser to (or its scheme, for an app on the device).
fn destination(uri: &str) -> String {
    web_sys::Url::new(uri)
        .ok()
        .map(|u| {
            let host = u.host();
            if host.is_empty() { u.protocol() } else { host }
        })
        .unwrap_or_else(|| uri.to_string())
}

/// The consent page: an app asks to act for the signed-in user.
#[component]
pub fn Authorize() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    // Read as the URL standard reads a query (`+` is a space), as the app encoded it.
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = {
        let found = web_sys::UrlSearchParams::new_with_str(&search).ok();
        let get = |name: &str| found.as_ref().and_then(|p| p.get(name));
        AuthorizationParams {
            response_type: get("response_type"),
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            scope: get("scope"),
            state: get("state"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
        }
    };
    let params = StoredValue::new(params);
    let consent = RwSignal::new(None::<OAuthConsent>);
    let invalid = RwSignal::new(false);
    let leaving = RwSignal::new(false);
    let cap = RwSignal::new(String::new());
    let cap_err = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if session.user.get().is_none() {
            return;
        }
        let query = search.clone();
        crate::util::spawn(async move {
            match session
                .call::<OAuthConsent>("GET", &format!("/v1/oauth/authorize{query}"), None)
                .await
            {
                Ok(found) => {
                    // The cap chosen before stays unless the user changes it.
                    if let Some(limit) = found.current.as_ref().and_then(|c| c.monthly_credit_limit)
                    {
                        cap.set(limit.to_string());
                    }
                    consent.set(Some(found));
                }
                Err(_) => invalid.set(true),
            }
        });
    });
    let answer = move |approve: bool| {
        let Ok(limit) = parse_credit_cap(&cap.get_untracked(), cap_err) else {
            return;
        };
        let decision = AuthorizeDecision {
            request: params.get_value(),
            approve,
            monthly_credit_limit: if approve { limit } else { None },
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match session
                .call::<AuthorizeRedirect>("POST", "/v1/oauth/authorize", api::body(&decision))
                .await
            {
                Ok(redirect) => {
                    leaving.set(true);
                    go_to(&redirect.redirect_to);
                }
                Err(err) => {
                    cap_err.set(err.field("monthly_credit_limit"));
                    error.set(Some(err.message()));
                    busy.set(false);
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        answer(true);
    };
    view! {
        <section class="card narrow consent" aria-labelledby="consent-title">
            <crate::components::layout::Heading key=Key::AuthorizeTitle id="consent-title" />
            {move || {
                if leaving.get() {
                    view! { <p class="loading" role="status">{t(Key::AuthorizeRedirecting)}</p> }.into_any()
                } else if invalid.get() {
                    view! { <p class="notice notice-error" role="alert" id="consent-invalid">{t(Key::AuthorizeInvalid)}</p> }.into_any()
                } else if let Some(back) = consent.get().and_then(|c| c.redirect_to.clone().map(|to| (to, c.redirect_uri))) {
                    // Never sent on without a click: the address is the app's, not ours.
                    let (to, uri) = back;
                    let code = web_sys::Url::new(&to)
                        .ok()
                        .and_then(|u| u.search_params().get("error"))
                        .unwrap_or_default();
                    view! {
                        <p class="notice notice-error" role="alert" id="consent-refused">
                            {t(Key::AuthorizeCannot)} " " <code>{code}</code>
                        </p>
                        <p class="muted small">{t(Key::AuthorizeReturnTo)} " " <strong>{destination(&uri)}</strong></p>
                        <div class="actions consent-actions">
                            <a class="button" id="consent-return" href=to>{t(Key::AuthorizeReturn)}</a>
                        </div>
                    }.into_any()
                } else if let Some(c) = consent.get() {
                    let spends = c.scopes.contains(&ApiKeyScope::GenerationsWrite);
                    view! {
                        <AppHeading app=c.app.clone() />
                        <p>{t(Key::AuthorizeWants)}</p>
                        <ScopeList scopes=c.scopes.clone() />
                        <p class="muted small">{t(Key::AuthorizeNever)}</p>
                        {c.current.is_some().then(|| view! { <p class="muted small">{t(Key::AuthorizeAgain)}</p> })}
                        <form on:submit=submit novalidate>
                            <Show when=move || spends>
                                <TextField id="consent_cap" label=Key::AuthorizeCap value=cap kind="number" optional=true hint=Key::AuthorizeCapHint error=cap_err />
                            </Show>
                            <Notice message=error />
                            <p class="muted small">{t(Key::AuthorizeSentTo)} " " <strong id="consent-destination">{destination(&c.redirect_uri)}</strong></p>
                            <div class="actions consent-actions">
                                <button type="button" id="consent-deny" class="button button-ghost" disabled=move || busy.get() on:click=move |_| answer(false)>{t(Key::AuthorizeDeny)}</button>
                                <Submit label=Key::AuthorizeAllow busy=busy />
                            </div>
                        </form>
                    }.into_any()
                } else {
                    view! { <p class="loading" role="status">{t(Key::Loading)}</p> }.into_any()
                }
            }}
        </section>
    }
}

/// The device page: the user enters the code a TV or CLI shows, then allows or denies it.
#[component]
pub fn Device() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    let query = use_query_map();
    let code = RwSignal::new(
        query
            .with_untracked(|q| q.get("user_code"))
            .unwrap_or_default(),
    );
    let code_err = RwSignal::new(None::<Key>);
    let request = RwSignal::new(None::<DeviceRequestInfo>);
    let outcome = RwSignal::new(None::<Key>);
    let cap = RwSignal::new(String::new());
    let cap_err = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let look_up = move || {
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            code_err.set(Some(Key::ErrRequired));
            return;
        }
        code_err.set(None);
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!(
                "/v1/oauth/device?user_code={}",
                js_sys::encode_uri_component(typed.trim())
            );
            match session.call::<DeviceRequestInfo>("GET", &path, None).await {
                Ok(found) => {
                    if let Some(limit) = found.current.as_ref().and_then(|c| c.monthly_credit_limit)
                    {
                        cap.set(limit.to_string());
                    }
                    request.set(Some(found));
                }
                Err(err) if err.status == 404 => code_err.set(Some(Key::DeviceUnknown)),
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    // A code in the address (from a QR code) is looked up as soon as the user is known.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        if session.user.get().is_some() && !code.get_untracked().is_empty() {
            look_up();
            return true;
        }
        false
    });
    let answer = move |approve: bool| {
        let Some(found) = request.get_untracked() else {
            return;
        };
        let Ok(limit) = parse_credit_cap(&cap.get_untracked(), cap_err) else {
            return;
        };
        let decision = DeviceDecision {
            user_code: found.user_code.clone(),
            approve,
            monthly_credit_limit: if approve { limit } else { None },
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<()>("POST", "/v1/oauth/device", api::body(&decision))
                .await
            {
                Ok(()) => {
                    request.set(None);
                    outcome.set(Some(if approve {
                        Key::DeviceApproved
                    } else {
                        Key::DeviceDenied
                    }));
                }
                Err(err) if err.status == 404 => {
                    request.set(None);
                    code_err.set(Some(Key::DeviceUnknown));
                }
                Err(err) => {
                    cap_err.set(err.field("monthly_credit_limit"));
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow consent" aria-labelledby="device-title">
            <crate::components::layout::Heading key=Key::DeviceTitle id="device-title" />
            {move || {
                if let Some(done) = outcome.get() {
                    view! { <p class="notice notice-success" role="status" id="device-outcome">{t(done)}</p> }.into_any()
                } else if let Some(found) = request.get() {
                    let spends = found.scopes.contains(&ApiKeyScope::GenerationsWrite);
                    view! {
                        <AppHeading app=found.app.clone() />
                        <p class="muted small">{t(Key::DeviceCode)} " " <code>{found.user_code.clone()}</code></p>
                        <p class="notice notice-warning" role="note">{t(Key::DeviceWarning)}</p>
                        <p>{t(Key::AuthorizeWants)}</p>
                        <ScopeList scopes=found.scopes.clone() />
                        <p class="muted small">{t(Key::AuthorizeNever)}</p>
                        <Show when=move || spends>
                            <TextField id="device_cap" label=Key::AuthorizeCap value=cap kind="number" optional=true hint=Key::AuthorizeCapHint error=cap_err />
                        </Show>
                        <Notice message=error />
                        <div class="actions consent-actions">
                            <button type="button" id="device-deny" class="button button-ghost" disabled=move || busy.get() on:click=move |_| answer(false)>{t(Key::AuthorizeDeny)}</button>
                            <button type="button" id="device-allow" class="button button-primary" disabled=move || busy.get() on:click=move |_| answer(true)>{t(Key::AuthorizeAllow)}</button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted">{t(Key::DeviceLead)}</p>
                        <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); look_up(); } novalidate>
                            <TextField id="user_code" label=Key::DeviceCode value=code error=code_err autocomplete="one-time-code" />
                            <Notice message=error />
                            <Submit label=Key::DeviceContinue busy=busy />
                        </form>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The apps the user authorized, with what each may do and has spent; each can be revoked.
#[component]
pub fn AuthorizedAppsSection() -> impl IntoView {
    let grants = Paged::<AuthorizedApp>::new("/v1/me/authorized-apps");
    view! {
        <section class="card" aria-labelledby="authorized-heading">
            <h2 id="authorized-heading">{t(Key::AuthorizedAppsSection)}</h2>
            <p class="muted">{t(Key::AuthorizedAppsLead)}</p>
            <Notice message=grants.error />
            <Show when=move || !grants.loading.get() && grants.items.get().is_empty()>
                <p class="empty">{t(Key::NoAuthorizedApps)}</p>
            </Show>
            <ul class="list">
                <For each=move || grants.items.get() key=|g| g.id let:grant>
                    <li class="list-row authorized-app">
                        <div>
                            <strong>{grant.app.name.clone()}</strong>
                            <p class="muted small">
                                {if grant.scopes.is_empty() {
                                    t(Key::ProfileOnly)().to_string()
                                } else {
                                    grant.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                                }}
                            </p>
                            <p class="muted small">
                                {t(Key::Created)} " " {crate::util::when::day(grant.created_at)} " · "
                                {match grant.last_used_at {
                                    Some(at) => view! { <span>{t(Key::LastActive)} " " {crate::util::when::minute(at)}</span> }.into_any(),
                                    None => view! { <span>{t(Key::NeverUsed)}</span> }.into_any(),
                                }}
                                " · " {grant.spent_this_month}
                                {grant.monthly_credit_limit.map(|c| format!(" / {c}"))}
                                " " {t(Key::CreditsUnit)} " " {t(Key::KeyThisMonth)}
                            </p>
                        </div>
                        {
                            let id = grant.id;
                            view! {
                                <button type="button" class="button button-small button-danger"
                                    on:click=move |_| grants.delete(id, move |g: &AuthorizedApp| g.id != id)>
                                    {t(Key::RevokeKey)}
                                </button>
                            }
                        }
                    </li>
                </For>
            </ul>
            <ListFooter loading=grants.loading cursor=grants.cursor on_more=Callback::new(move |()| grants.load(true)) />
        </section>
    }
}

/// The developer's own apps: register (the secret shown once), list, delete.
#[component]
pub fn OAuthAppsCard() -> impl IntoView {
    let session = use_session();
    let apps = Paged::<OAuthApp>::new("/v1/me/oauth-apps");
    let name = RwSignal::new(String::new());
    let name_err = RwSignal::new(None::<Key>);
    let uris = RwSignal::new(String::new());
    let uris_err = RwSignal::new(None::<Key>);
    let confidential = RwSignal::new(false);
    let created = RwSignal::new(None::<OAuthAppCreated>);
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let register = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        name_err.set(name.get().trim().is_empty().then_some(Key::ErrRequired));
        let redirect_uris: Vec<String> = uris
            .get()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        uris_err.set(redirect_uris.is_empty().then_some(Key::ErrRequired));
        if name_err.get().is_some() || uris_err.get().is_some() {
            return;
        }
        let body = CreateOAuthAppRequest {
            name: name.get(),
            redirect_uris,
            client_type: if confidential.get() {
                OAuthClientType::Confidential
            } else {
                OAuthClientType::Public
            },
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<OAuthAppCreated>("POST", "/v1/me/oauth-apps", api::body(&body))
                .await
            {
                Ok(made) => {
                    apps.items.update(|all| all.insert(0, made.app.clone()));
                    created.set(Some(made));
                    name.set(String::new());
                    uris.set(String::new());
                }
                Err(err) => {
                    name_err.set(err.field("name"));
                    uris_err.set(err.field("redirect_uris"));
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="oauth-apps-heading">
            <h2 id="oauth-apps-heading">{t(Key::OAuthAppsSection)}</h2>
            <p class="muted">{t(Key::OAuthAppsLead)}</p>
            {move || created.get().map(|made| view! {
                <div class="secret" role="status" id="oauth-app-created">
                    <p><strong>{made.app.name.clone()}</strong> " · client_id " <code id="oauth-client-id">{made.app.client_id.clone()}</code></p>
                    {made.client_secret.clone().map(|secret| view! {
                        <p>{t(Key::OAuthSecretOnce)}</p>
                        <code class="secret-value">{secret}</code>
                    })}
                </div>
            })}
            <form on:submit=register novalidate>
                <TextField id="oauth_app_name" label=Key::OAuthAppName value=name error=name_err />
                <div class="field">
                    <label for="oauth_redirect_uris">{t(Key::OAuthRedirectUris)}</label>
                    <textarea id="oauth_redirect_uris" rows="3" aria-describedby="oauth_redirect_uris-hint"
                        prop:value=move || uris.get() on:input=move |ev| uris.set(event_target_value(&ev))></textarea>
                    <p class="hint" id="oauth_redirect_uris-hint">{t(Key::OAuthRedirectHint)}</p>
                    {move || uris_err.get().map(|k| view! { <p class="error-text" role="alert">{t(k)}</p> })}
                </div>
                <fieldset class="field">
                    <legend>{t(Key::OAuthClientType)}</legend>
                    <label class="check">
                        <input type="radio" name="oauth_client_type" id="oauth_public" prop:checked=move || !confidential.get() on:change=move |_| confidential.set(false) />
                        <span>{t(Key::OAuthPublic)}</span>
                    </label>
                    <label class="check">
                        <input type="radio" name="oauth_client_type" id="oauth_confidential" prop:checked=move || confidential.get() on:change=move |_| confidential.set(true) />
                        <span>{t(Key::OAuthConfidential)}</span>
                    </label>
                </fieldset>
                <Notice message=error />
                <Submit label=Key::OAuthRegister busy=busy />
            </form>
            <Show when=move || !apps.loading.get() && apps.items.get().is_empty()>
                <p class="empty">{t(Key::OAuthNoApps)}</p>
            </Show>
            <ul class="list">
                <For each=move || apps.items.get() key=|a| (a.id, a.authorized_users) let:app>
                    <li class="list-row">
                        <div class="task-main">
                            <strong>{app.name.clone()}</strong> " " <code>{app.client_id.clone()}</code>
                            <p class="muted small">
                                {match app.client_type { OAuthClientType::Public => "public", OAuthClientType::Confidential => "confidential" }}
                                " · " {app.authorized_users} " " {t(Key::OAuthUsers)}
                            </p>
                            <p class="muted small">{app.redirect_uris.join(" · ")}</p>
                        </div>
                        {
                            let id = app.id;
                            view! {
                                <button type="button" class="button button-small button-danger"
                                    on:click=move |_| apps.delete(id, move |a: &OAuthApp| a.id != id)>
                                    {t(Key::Delete)}
                                </button>
                            }
                        }
                    </li>
                </For>
            </ul>
            <ListFooter loading=apps.loading cursor=apps.cursor on_more=Callback::new(move |()| apps.load(true)) />
        </section>
    }
}
