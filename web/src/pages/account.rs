use leptos::prelude::*;
use leptos_router::components::A;
use zimage_shared::account::{
    ApiKeyCreated, ApiKeyInfo, ApiKeyScope, CreateApiKeyRequest, SessionInfo, UpdateProfileRequest,
    User,
};
use zimage_shared::auth::{
    Accepted, ChangeEmailRequest, ChangePasswordRequest, EmailChangePending, EmailRequest,
};
use zimage_shared::privacy::{Consents, SecurityEvent};
use zimage_shared::validate;

use crate::api;
use crate::components::form::{CheckField, Notice, Submit, TextField, parse_credit_cap};
use crate::components::paged::{ListFooter, Paged};
use crate::i18n::{Key, invalid_key, t, tr, use_i18n};
use crate::session::{redirect_signed_out, use_session};

/// "Chrome on Linux" from a User-Agent string; the raw string when nothing is recognised.
fn describe_agent(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) => ua.chars().take(60).collect(),
    }
}

pub(crate) fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} UTC", crate::util::when::minute(at))
}

/// Account settings: profile, password, signed-in devices and API keys.
#[component]
pub fn Account() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::AccountTitle />
            <p class="muted account-email">{move || session.user.get().map(|u| u.email).unwrap_or_default()}</p>
            <VerifyBanner />
            <div class="stack">
                <ProfileSection />
                <EmailSection />
                <PasswordSection />
                <KeysSection />
                <crate::pages::oauth::AuthorizedAppsSection />
                <section class="card" aria-labelledby="more-heading">
                    <h2 id="more-heading">{t(Key::AccountMore)}</h2>
                    <ul class="link-list">
                        <li><A href="/security">{t(Key::SecurityTitle)}</A> <p class="muted small">{t(Key::SecurityLinkHelp)}</p></li>
                        <li><A href="/privacy">{t(Key::PrivacyCenterTitle)}</A> <p class="muted small">{t(Key::PrivacyLinkHelp)}</p></li>
                    </ul>
                </section>
            </div>
        </Show>
    }
}

#[component]
fn VerifyBanner() -> impl IntoView {
    let session = use_session();
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let resend = move |_| {
        let Some(user) = session.user.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = EmailRequest { email: user.email };
            let result = api::public::<Accepted>(
                "POST",
                "/v1/auth/resend-verification",
                api::body(&request),
            )
            .await;
            notice.set(Some(match result {
                Ok(_) => Key::Resent,
                Err(err) => err.message(),
            }));
            busy.set(false);
        });
    };
    view! {
        <Show when=move || session.user.get().is_some_and(|u| !u.email_verified)>
            <div class="banner" role="status">
                <p>{t(Key::Unverified)}</p>
                <button type="button" class="button button-small" on:click=resend disabled=move || busy.get()>{t(Key::Resend)}</button>
                <Notice message=notice success=true />
            </div>
        </Show>
    }
}

#[component]
fn ProfileSection() -> impl IntoView {
    let session = use_session();
    let user = session.user.get_untracked();
    let field = |f: fn(&User) -> Option<String>| {
        RwSignal::new(user.as_ref().and_then(f).unwrap_or_default())
    };
    let name = field(|u| u.display_name.clone());
    let organization = field(|u| u.organization.clone());
    let (name_err, org_err) = (RwSignal::new(None), RwSignal::new(None));
    let notice = RwSignal::new(None::<Key>);
    let saved = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        notice.set(None);
        let text = |s: RwSignal<String>| Some(Some(s.get()).filter(|v| !v.trim().is_empty()));
        let patch = UpdateProfileRequest {
            display_name: text(name),
            organization: text(organization),
            ..Default::default()
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<User>("PATCH", "/v1/me", api::body(&patch))
                .await
            {
                Ok(user) => {
                    session.set_user(user);
                    saved.set(Some(Key::Saved));
                }
                Err(err) => {
                    for (f, sig) in [("display_name", name_err), ("organization", org_err)] {
                        if let Some(key) = err.field(f) {
                            sig.set(Some(key));
                        }
                    }
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{t(Key::ProfileSection)}</h2>
            <AvatarPicker />
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <Notice message=saved success=true />
                <TextField id="display_name" label=Key::DisplayName value=name autocomplete="nickname" optional=true error=name_err />
                <TextField id="organization" label=Key::Organization value=organization autocomplete="organization" optional=true error=org_err />
                <Submit label=Key::Save busy=busy />
            </form>
        </section>
    }
}

/// The profile picture: upload one (any size; the server crops and scales it), or remove it.
#[component]
fn AvatarPicker() -> impl IntoView {
    use wasm_bindgen::JsCast;
    let session = use_session();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);
    let done = move |answer: Result<User, crate::api::ApiError>| {
        match answer {
            Ok(user) => {
                session.set_user(user);
                error.set(None);
            }
            Err(err) => error.set(Some(match err.code() {
                Some(zimage_shared::ErrorCode::ValidationFailed) => Key::ErrUploadInvalid,
                _ => err.message(),
            })),
        }
        busy.set(false);
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        let Some(form) = crate::util::file_form(&file) else {
            return;
        };
        // The same file can be picked again after a failure.
        if let Some(input) = input {
            input.set_value("");
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            done(
                session
                    .upload_as::<User>("PUT", "/v1/me/avatar", &form)
                    .await,
            );
        });
    };
    let remove = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            done(session.call::<User>("DELETE", "/v1/me/avatar", None).await);
        });
    };
    let has_picture = move || session.user.get().is_some_and(|u| u.avatar_url.is_some());
    view! {
        <div class="avatar-picker">
            <crate::components::avatar::Avatar user=session.user size="large" />
            <div class="avatar-actions">
                <div class="row">
                    <input id="avatar-file" type="file" accept="image/png,image/jpeg,image/webp" class="visually-hidden"
                        disabled=move || busy.get() on:change=on_pick />
                    <label class="button button-small" for="avatar-file" class:disabled=move || busy.get()>
                        {move || tr(i18n.locale.get(), if busy.get() { Key::ReferenceUploading } else { Key::AvatarUpload })}
                    </label>
                    <Show when=has_picture>
                        <button type="button" id="avatar-remove" class="button button-small button-ghost" disabled=move || busy.get() on:click=remove>{t(Key::Remove)}</button>
                    </Show>
                </div>
                <p class="hint">{t(Key::AvatarHint)}</p>
                <p class="error-text" role="alert">{move || error.get().map(|k| tr(i18n.locale.get(), k))}</p>
            </div>
        </div>
    }
}

/// The account's address, and moving it to another (confirmed from the new inbox).
#[component]
fn EmailSection() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let (new_email, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (email_err, password_err) = (RwSignal::new(None), RwSignal::new(None));
    let notice = RwSignal::new(None::<Key>);
    // The address a confirmation link went to.
    let sent = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        sent.set(None);
        email_err.set(None);
        password_err.set(None);
        if let Err(e) = validate::normalize_email(&new_email.get()) {
            email_err.set(Some(invalid_key(e)));
            return;
        }
        let request = ChangeEmailRequest {
            new_email: new_email.get(),
            password: password.get(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<EmailChangePending>("POST", "/v1/me/email", api::body(&request))
                .await
            {
                Ok(pending) => {
                    new_email.set(String::new());
                    password.set(String::new());
                    sent.set(Some(pending.new_email));
                }
                Err(err) => {
                    email_err.set(err.field("new_email"));
                    password_err.set(err.field("password"));
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">{t(Key::EmailSection)}</h2>
            <p id="current-email">
                {t(Key::EmailCurrent)} " "
                <strong>{move || session.user.get().map(|u| u.email).unwrap_or_default()}</strong>
            </p>
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <Show when=move || sent.get().is_some()>
                    <p class="notice notice-success" role="status" id="email-change-sent">
                        {move || format!(
                            "{} {}",
                            tr(i18n.locale.get(), Key::EmailChangeSent),
                            sent.get().unwrap_or_default()
                        )}
                        ". " {t(Key::EmailChangeSentHow)}
                    </p>
                </Show>
                <TextField id="new_email" label=Key::NewEmail value=new_email kind="email" autocomplete="email" error=email_err />
                <TextField id="email_password" label=Key::CurrentPassword value=password kind="password" autocomplete="current-password" error=password_err />
                <Submit label=Key::ChangeEmail busy=busy />
            </form>
        </section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let session = use_session();
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let lock_down = RwSignal::new(false);
    let (current_err, new_err) = (RwSignal::new(None), RwSignal::new(None));
    let notice = RwSignal::new(None::<Key>);
    let done = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        notice.set(None);
        let email = session
            .user
            .get_untracked()
            .map(|u| u.email)
            .unwrap_or_default();
        if let Err(e) = validate::check_password_shape(&new.get(), &email) {
            new_err.set(Some(invalid_key(e)));
            return;
        }
        let request = ChangePasswordRequest {
            current_password: current.get(),
            new_password: new.get(),
            lock_down: lock_down.get(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<()>("POST", "/v1/me/password", api::body(&request))
                .await
            {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    done.set(Some(if lock_down.get_untracked() {
                        Key::PasswordChangedLockedDown
                    } else {
                        Key::PasswordChanged
                    }));
                    lock_down.set(false);
                }
                Err(err) => {
                    current_err.set(err.field("current_password"));
                    new_err.set(err.field("new_password"));
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t(Key::PasswordSection)}</h2>
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <Notice message=done success=true />
                <TextField id="current_password" label=Key::CurrentPassword value=current kind="password" autocomplete="current-password" error=current_err />
                <TextField id="new_password" label=Key::NewPassword value=new kind="password" autocomplete="new-password" hint=Key::PasswordHint error=new_err />
                <CheckField id="lock_down" label=Key::LockDown checked=lock_down />
                <Submit label=Key::ChangePassword busy=busy />
            </form>
        </section>
    }
}

#[component]
pub fn SessionsSection() -> impl IntoView {
    let i18n = use_i18n();
    let paged = Paged::<SessionInfo>::new("/v1/me/sessions");
    let Paged {
        items,
        cursor,
        loading,
        error,
        ..
    } = paged;
    let revoke = move |id: zimage_shared::ids::SessionId| paged.delete(id, move |s| s.id != id);
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t(Key::SessionsSection)}</h2>
            <Notice message=error />
            <ul class="list" aria-busy=move || loading.get().to_string()>
                <For each=move || items.get() key=|s| s.id let:s>
                    <li class="list-row">
                        <div>
                            <strong title=s.user_agent.clone().unwrap_or_default()>
                                {s.user_agent.as_deref().map(describe_agent).unwrap_or_else(|| tr(i18n.locale.get_untracked(), Key::UnknownDevice).into())}
                            </strong>
                            <p class="muted small">
                                {s.ip.clone().unwrap_or_default()} " · " {t(Key::LastActive)} " " {when(s.last_used_at)}
                            </p>
                        </div>
                        {if s.current {
                            view! { <span class="badge">{t(Key::ThisDevice)}</span> }.into_any()
                        } else {
                            let id = s.id;
                            view! { <button type="button" class="button button-small button-ghost" on:click=move |_| revoke(id)>{t(Key::SignOutDevice)}</button> }.into_any()
                        }}
                    </li>
                </For>
            </ul>
            <ListFooter loading=loading cursor=cursor on_more=Callback::new(move |()| paged.load(true)) />
        </section>
    }
}

#[component]
fn KeysSection() -> impl IntoView {
    let session = use_session();
    let paged = Paged::<ApiKeyInfo>::new("/v1/me/api-keys");
    let Paged {
        items,
        cursor,
        loading,
        error,
        ..
    } = paged;
    let name = RwSignal::new(String::new());
    let name_err = RwSignal::new(None::<Key>);
    let can_write = RwSignal::new(false);
    let can_read_credits = RwSignal::new(false);
    let can_read_generations = RwSignal::new(false);
    let can_generate = RwSignal::new(false);
    let can_webhooks = RwSignal::new(false);
    // Limits: an expiry (days from now, empty for never), credit caps, the models it may use.
    let expiry_days = RwSignal::new(String::new());
    let daily_cap = RwSignal::new(String::new());
    let daily_err = RwSignal::new(None::<Key>);
    let monthly_cap = RwSignal::new(String::new());
    let monthly_err = RwSignal::new(None::<Key>);
    let models = RwSignal::new(Vec::<zimage_shared::generation::ModelInfo>::new());
    let chosen_models = RwSignal::new(Vec::<String>::new());
    crate::util::spawn(async move {
        if let Ok(page) = api::public::<zimage_shared::Page<zimage_shared::generation::ModelInfo>>(
            "GET",
            "/v1/models",
            None,
        )
        .await
        {
            models.set(page.items);
        }
    });
    let secret = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        if let Err(e) = validate::required_text(&name.get(), validate::API_KEY_NAME_MAX_CHARS) {
            name_err.set(Some(invalid_key(e)));
            return;
        }
        let scopes = [
            (can_write.get(), ApiKeyScope::ProfileWrite),
            (can_read_credits.get(), ApiKeyScope::CreditsRead),
            (can_read_generations.get(), ApiKeyScope::GenerationsRead),
            (can_generate.get(), ApiKeyScope::GenerationsWrite),
            (can_webhooks.get(), ApiKeyScope::WebhooksWrite),
        ]
        .into_iter()
        .filter_map(|(on, scope)| on.then_some(scope))
        .collect();
        let (Ok(daily), Ok(monthly)) = (
            parse_credit_cap(&daily_cap.get(), daily_err),
            parse_credit_cap(&monthly_cap.get(), monthly_err),
        ) else {
            return;
        };
        let chosen = chosen_models.get();
        let request = CreateApiKeyRequest {
            name: name.get(),
            scopes,
            expires_at: expiry_days
                .get()
                .parse::<i64>()
                .ok()
                .map(|days| crate::util::now() + chrono::Duration::days(days)),
            daily_credit_limit: daily,
            monthly_credit_limit: monthly,
            allowed_models: (!chosen.is_empty()).then_some(chosen),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session
                .call::<ApiKeyCreated>("POST", "/v1/me/api-keys", api::body(&request))
                .await
            {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    items.update(|all| all.insert(0, created.key));
                    name.set(String::new());
                    daily_cap.set(String::new());
                    monthly_cap.set(String::new());
                    chosen_models.set(Vec::new());
                }
                Err(err) => {
                    name_err.set(err.field("name"));
                    error.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    let revoke = move |id: zimage_shared::ids::ApiKeyId| {
        leptos::task::spawn_local(async move {
            match session
                .call::<()>("DELETE", &format!("/v1/me/api-keys/{id}"), None)
                .await
            {
                Ok(()) => items.update(|all| all.retain(|k| k.id != id)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="keys-heading">
            <h2 id="keys-heading">{t(Key::KeysSection)}</h2>
            <p class="muted">{t(Key::KeysLead)}</p>
            <p><a href="/developers">{t(Key::DevelopersLink)} " →"</a></p>
            <Notice message=error />
            <Show when=move || secret.get().is_some()>
                <div class="secret" role="status">
                    <p>{t(Key::KeyCreated)}</p>
                    <code class="secret-value">{move || secret.get().unwrap_or_default()}</code>
                </div>
            </Show>
            <form on:submit=create novalidate class="inline-form">
                <TextField id="key_name" label=Key::KeyName value=name error=name_err />
                <CheckField id="key_scope_profile" label=Key::ScopeProfileWrite checked=can_write />
                <CheckField id="key_scope_credits" label=Key::ScopeCreditsRead checked=can_read_credits />
                <CheckField id="key_scope_gen_read" label=Key::ScopeGenerationsRead checked=can_read_generations />
                <CheckField id="key_scope_gen_write" label=Key::ScopeGenerationsWrite checked=can_generate />
                <CheckField id="key_scope_webhooks" label=Key::ScopeWebhooksWrite checked=can_webhooks />
                <fieldset class="key-limits">
                    <legend>{t(Key::KeyLimits)}</legend>
                    <div class="limit-row">
                    <label class="field">
                        <span class="field-label">{t(Key::KeyExpires)}</span>
                        <select id="key_expires" on:change=move |ev| expiry_days.set(event_target_value(&ev))>
                            <option value="">{t(Key::KeyNeverExpires)}</option>
                            <option value="7">{t(Key::KeyExpires7)}</option>
                            <option value="30">{t(Key::KeyExpires30)}</option>
                            <option value="90">{t(Key::KeyExpires90)}</option>
                            <option value="365">{t(Key::KeyExpires365)}</option>
                        </select>
                    </label>
                    <TextField id="key_daily_cap" label=Key::KeyDailyCap value=daily_cap kind="number" optional=true error=daily_err />
                    <TextField id="key_monthly_cap" label=Key::KeyMonthlyCap value=monthly_cap kind="number" optional=true error=monthly_err />
                    </div>
                    <div class="field">
                        <span class="field-label">{t(Key::KeyModels)}</span>
                        <For each=move || models.get() key=|m| m.id.clone() let:model>
                            {
                                let id = model.id.clone();
                                let checked_id = id.clone();
                                view! {
                                    <label class="check">
                                        <input type="checkbox" prop:checked=move || chosen_models.get().contains(&checked_id)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen_models.update(|all| {
                                                    all.retain(|m| *m != id);
                                                    if on { all.push(id.clone()); }
                                                });
                                            } />
                                        <span>{model.name.clone()}</span>
                                    </label>
                                }
                            }
                        </For>
                    </div>
                </fieldset>
                <Submit label=Key::CreateKey busy=busy />
            </form>
            <Show when=move || !loading.get() && items.get().is_empty()>
                <p class="empty">{t(Key::NoKeys)}</p>
            </Show>
            <ul class="list">
                <For each=move || items.get() key=|k| k.id let:k>
                    <li class="list-row">
                        <div>
                            <strong>{k.name.clone()}</strong> " " <code>{format!("{}…", k.prefix)}</code>
                            <p class="muted small">
                                {t(Key::Created)} " " {when(k.created_at)} " · "
                                {match k.last_used_at { Some(at) => view! { <span>{t(Key::LastActive)} " " {when(at)}</span> }.into_any(), None => view! { <span>{t(Key::NeverUsed)}</span> }.into_any() }}
                                {k.expires_at.map(|at| view! { " · " <span>{t(Key::KeyExpiresOn)} " " {when(at)}</span> })}
                            </p>
                            <p class="muted small">
                                {k.usage.requests} " " {t(Key::KeyRequests)} " · "
                                {k.usage.credits_today} {k.daily_credit_limit.map(|c| format!(" / {c}"))} " " {t(Key::CreditsUnit)} " " {t(Key::KeyToday)} " · "
                                {k.usage.credits_this_month} {k.monthly_credit_limit.map(|c| format!(" / {c}"))} " " {t(Key::CreditsUnit)} " " {t(Key::KeyThisMonth)}
                                {k.allowed_models.clone().map(|m| view! { " · " <span>{t(Key::KeyOnly)} " " {m.join(", ")}</span> })}
                            </p>
                        </div>
                        {
                            let id = k.id;
                            view! { <button type="button" class="button button-small button-danger" on:click=move |_| revoke(id)>{t(Key::RevokeKey)}</button> }
                        }
                    </li>
                </For>
            </ul>
            <ListFooter loading=loading cursor=cursor on_more=Callback::new(move |()| paged.load(true)) />
        </section>
    }
}

/// Consents to optional uses of data: both off unless turned on; saved at once.
#[component]
pub fn ConsentsSection() -> impl IntoView {
    let session = use_session();
    let marketing = RwSignal::new(false);
    let analytics = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let notice = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<Key>);
    crate::util::spawn(async move {
        if let Ok(c) = session
            .call::<Consents>("GET", "/v1/me/consents", None)
            .await
        {
            marketing.set(c.marketing_email);
            analytics.set(c.product_analytics);
        }
        loaded.set(true);
    });
    let save = move || {
        if !loaded.get_untracked() {
            return;
        }
        let body = Consents {
            marketing_email: marketing.get_untracked(),
            product_analytics: analytics.get_untracked(),
            answered_at: None,
        };
        leptos::task::spawn_local(async move {
            match session
                .call::<Consents>("PUT", "/v1/me/consents", api::body(&body))
                .await
            {
                Ok(_) => notice.set(Some(Key::Saved)),
                Err(err) => error.set(Some(err.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="privacy-heading">
            <h2 id="privacy-heading">{t(Key::PrivacySection)}</h2>
            <p class="muted">{t(Key::PrivacyLead)}</p>
            <label class="check">
                <input id="consent_marketing" type="checkbox" bind:checked=marketing on:change=move |_| save() />
                <span>{t(Key::ConsentMarketing)}</span>
            </label>
            <label class="check">
                <input id="consent_analytics" type="checkbox" bind:checked=analytics on:change=move |_| save() />
                <span>{t(Key::ConsentAnalytics)}</span>
            </label>
            <Notice message=notice success=true />
            <Notice message=error />
        </section>
    }
}

fn event_label(kind: &str) -> Key {
    match kind {
        "login" => Key::EventLogin,
        "password.changed" => Key::EventPasswordChanged,
        "password.reset" => Key::EventPasswordReset,
        "session.revoked" => Key::EventSessionRevoked,
        "api_key.created" => Key::EventKeyCreated,
        "api_key.revoked" => Key::EventKeyRevoked,
        "webhook.created" => Key::EventWebhookCreated,
        "oauth.authorized" => Key::EventAppAuthorized,
        "oauth.revoked" => Key::EventAppRevoked,
        "oauth_app.created" => Key::EventAppRegistered,
        "oauth_app.deleted" => Key::EventAppDeleted,
        "two_factor.enabled" => Key::EventTwoFactorEnabled,
        "two_factor.disabled" => Key::EventTwoFactorDisabled,
        "two_factor.sign_in" => Key::EventTwoFactorSignIn,
        "two_factor.verified" => Key::EventTwoFactorVerified,
        "two_factor.recovery_codes_replaced" => Key::EventRecoveryCodesReplaced,
        "passkey.added" => Key::EventPasskeyAdded,
        "passkey.removed" => Key::EventPasskeyRemoved,
        "passkey.sign_in" => Key::EventPasskeySignIn,
        "webhook.secret_rotated" => Key::EventWebhookSecretRotated,
        "consent.changed" => Key::EventConsentChanged,
        "privacy.export_requested" => Key::EventExportRequested,
        "privacy.erasure_requested" => Key::EventErasureRequested,
        "privacy.erasure_confirmed" => Key::EventErasureConfirmed,
        "privacy.erasure_canceled" => Key::EventErasureCanceled,
        "privacy.restriction_requested" | "privacy.objection_requested" => Key::EventFlagSet,
        "privacy.restriction_lifted" | "privacy.objection_lifted" => Key::EventFlagLifted,
        k if k.ends_with("_withdrawn") => Key::EventRequestWithdrawn,
        _ => Key::EventOther,
    }
}

/// The account's security log.
#[component]
pub fn SecurityLogSection() -> impl IntoView {
    let events = Paged::<SecurityEvent>::new("/v1/me/security-events");
    view! {
        <section class="card" aria-labelledby="security-heading">
            <h2 id="security-heading">{t(Key::SecurityLogSection)}</h2>
            <Notice message=events.error />
            <ul class="list security-log">
                <For each=move || events.items.get() key=|e| e.id let:event>
                    <li class="list-row" data-kind=event.kind.clone()>
                        <div>
                            <strong>{t(event_label(&event.kind))}</strong>
                            {(event.detail["new_device"] == true).then(|| view! { " " <span class="badge">{t(Key::NewDevice)}</span> })}
                            <p class="muted small">
                                {event.user_agent.as_deref().map(describe_agent).unwrap_or_default()}
                                {event.ip.clone().map(|ip| format!(" · {ip}"))}
                            </p>
                        </div>
                        <span class="muted small">{crate::util::when::minute(event.created_at)}</span>
                    </li>
                </For>
            </ul>
            <ListFooter loading=events.loading cursor=events.cursor on_more=Callback::new(move |()| events.load(true)) />
        </section>
    }
}
