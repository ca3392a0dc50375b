use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use zimage_shared::ErrorCode;
use zimage_shared::account::User;
use zimage_shared::auth::{SignupMode, SignupOptions, SignupRequest};
use zimage_shared::validate;

use crate::api;
use crate::components::form::{CheckField, Notice, Submit, TextField};
use crate::i18n::{Key, invalid_key, t, use_i18n};

/// Sign-up form. Where sign-up is invite-only it says so, takes the invitation from the link
/// (`/signup?invitation=…`), and keeps the address an invitation is bound to.
#[component]
pub fn Signup() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let invitation = Memo::new(move |_| {
        query
            .get()
            .get("invitation")
            .filter(|t| !t.trim().is_empty())
    });
    // Until the answer comes the form shows as on an open installation (the usual case).
    let options = RwSignal::new(None::<SignupOptions>);
    let bound = Memo::new(move |_| {
        options
            .get()
            .and_then(|o| o.invitation)
            .and_then(|i| i.email)
    });
    let (email, password, name, referral) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (terms, age) = (RwSignal::new(false), RwSignal::new(false));
    let (email_err, password_err, name_err, referral_err, terms_err, age_err) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    // Asked again when the link changes (the page stays mounted across `/signup` links).
    Effect::new(move |_| {
        let token = invitation.get();
        let path = match &token {
            Some(token) => format!(
                "/v1/auth/signup-options?invitation={}",
                js_sys::encode_uri_component(token)
            ),
            None => "/v1/auth/signup-options".to_string(),
        };
        crate::util::spawn(async move {
            if let Ok(found) = api::public::<SignupOptions>("GET", &path, None).await {
                // An answer about an earlier link is no longer wanted.
                if invitation.get_untracked() != token {
                    return;
                }
                if let Some(to) = found.invitation.as_ref().and_then(|i| i.email.clone()) {
                    email.set(to);
                }
                options.set(Some(found));
            }
        });
    });
    let invite_only = move || options.get().is_some_and(|o| o.mode == SignupMode::Invite);
    let providers = Signal::derive(move || options.get().map(|o| o.providers).unwrap_or_default());
    // Until the answer comes the password form shows (the usual case).
    let password_signup = move || options.get().is_none_or(|o| o.password_signup);
    let invited = move || options.get().is_some_and(|o| o.invitation.is_some());
    // Invite-only with neither a usable invitation nor an allowed domain: nothing to fill in.
    let closed = move || {
        options.get().is_some_and(|o| {
            o.mode == SignupMode::Invite && o.invitation.is_none() && o.allowed_domains.is_empty()
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let mut ok = true;
        let mut check = |sig: RwSignal<Option<Key>>, r: Result<(), validate::Invalid>| {
            if let Err(e) = r {
                sig.set(Some(invalid_key(e)));
                ok = false;
            }
        };
        check(email_err, validate::normalize_email(&email.get()).map(drop));
        check(
            password_err,
            validate::check_password_shape(&password.get(), &email.get()),
        );
        check(
            name_err,
            validate::optional_text(Some(&name.get()), validate::DISPLAY_NAME_MAX_CHARS).map(drop),
        );
        check(
            terms_err,
            if terms.get() {
                Ok(())
            } else {
                Err(validate::Invalid::MustAcceptTerms)
            },
        );
        check(
            age_err,
            if age.get() {
                Ok(())
            } else {
                Err(validate::Invalid::MustConfirmAge)
            },
        );
        if !ok {
            notice.set(Some(Key::ErrCheckFields));
            return;
        }
        let request = SignupRequest {
            email: email.get(),
            password: password.get(),
            display_name: Some(name.get()).filter(|n| !n.trim().is_empty()),
            locale: Some(i18n.locale.get_untracked().as_str().to_string()),
            referral_code: Some(referral.get()).filter(|r| !r.trim().is_empty()),
            accept_terms: true,
            age_confirmed: true,
            // Sent unless the server said it cannot be used (its answer may be late, or lost).
            invitation: invitation.get_untracked().filter(|_| {
                options
                    .get_untracked()
                    .is_none_or(|o| o.invitation.is_some())
            }),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::public::<User>("POST", "/v1/auth/signup", api::body(&request)).await {
                Ok(_) => done.set(true),
                Err(err) => {
                    for (field, sig) in [
                        ("email", email_err),
                        ("password", password_err),
                        ("display_name", name_err),
                        ("referral_code", referral_err),
                    ] {
                        if let Some(key) = err.field(field) {
                            sig.set(Some(key));
                        }
                    }
                    notice.set(Some(if err.field("invitation").is_some() {
                        Key::ErrInvitationNotUsable
                    } else if err.code() == Some(ErrorCode::InvitationRequired) {
                        Key::ErrInvitationRequired
                    } else {
                        err.message()
                    }));
                }
            }
            busy.set(false);
        });
    };

    let domains = move || {
        options
            .get()
            .map(|o| o.allowed_domains.join(", "))
            .unwrap_or_default()
    };
    let until = move || {
        options
            .get()
            .and_then(|o| o.invitation)
            .map(|i| crate::util::when::day(i.expires_at))
            .unwrap_or_default()
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::SignupTitle />
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <Show when=invited>
                        <p class="notice notice-success" id="signup-invited" role="status">
                            {t(Key::SignupInvited)} " " {until}
                            {move || bound.get().map(|to| view! { " " {t(Key::SignupInvitedFor)} " " <strong>{to}</strong> })}
                        </p>
                    </Show>
                    <Show when=move || invite_only() && !invited()>
                        <div class="notice notice-info" id="signup-invite-only" role="status">
                            <p>{move || if invitation.get().is_some() { t(Key::ErrInvitationNotUsable)() } else { t(Key::SignupInviteOnly)() }}</p>
                            <Show when=move || !domains().is_empty()>
                                <p>{t(Key::SignupAllowedDomains)} " " <strong>{domains}</strong></p>
                            </Show>
                        </div>
                    </Show>
                    <Show when=move || !password_signup()>
                        <p class="muted" id="sso-only">{t(Key::SsoOnlyLead)}</p>
                        <Notice message=notice />
                    </Show>
                    <Show when=move || !closed()>
                        <crate::components::sso::SsoButtons providers=providers next=Signal::stored(None)
                            invitation=Signal::derive(move || invitation.get()) notice=notice
                            divider=Signal::derive(password_signup) />
                    </Show>
                    <Show when=move || !closed() && password_signup()>
                        <form on:submit=submit novalidate>
                            <Notice message=notice />
                            <TextField id="email" label=Key::Email value=email kind="email" autocomplete="email" error=email_err readonly=Signal::derive(move || bound.get().is_some()) />
                            <TextField id="password" label=Key::Password value=password kind="password" autocomplete="new-password" hint=Key::PasswordHint error=password_err />
                            <TextField id="display_name" label=Key::DisplayName value=name autocomplete="nickname" optional=true error=name_err />
                            <TextField id="referral_code" label=Key::ReferralCode value=referral optional=true error=referral_err />
                            <CheckField id="accept_terms" label=Key::AcceptTerms checked=terms error=terms_err />
                            <CheckField id="age_confirmed" label=Key::AgeConfirm checked=age error=age_err />
                            <Submit label=Key::SignupSubmit busy=busy />
                        </form>
                    </Show>
                    <p class="muted">{t(Key::HaveAccount)} " " <A href="/login">{t(Key::NavLogin)}</A></p>
                }
            >
                <p class="notice notice-success" role="status">{t(Key::SignupDone)}</p>
                <A href="/login" attr:class="button button-primary">{t(Key::ContinueToLogin)}</A>
            </Show>
        </section>
    }
}
