use leptos::prelude::*;
use leptos_router::components::A;
use zimage_shared::account::User;
use zimage_shared::auth::SignupRequest;
use zimage_shared::validate;

use crate::api;
use crate::components::form::{CheckField, Notice, Submit, TextField};
use crate::i18n::{Key, invalid_key, t, use_i18n};

/// Sign-up form.
#[component]
pub fn Signup() -> impl IntoView {
    let i18n = use_i18n();
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
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::SignupTitle />
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <form on:submit=submit novalidate>
                        <Notice message=notice />
                        <TextField id="email" label=Key::Email value=email kind="email" autocomplete="email" error=email_err />
                        <TextField id="password" label=Key::Password value=password kind="password" autocomplete="new-password" hint=Key::PasswordHint error=password_err />
                        <TextField id="display_name" label=Key::DisplayName value=name autocomplete="nickname" optional=true error=name_err />
                        <TextField id="referral_code" label=Key::ReferralCode value=referral optional=true error=referral_err />
                        <CheckField id="accept_terms" label=Key::AcceptTerms checked=terms error=terms_err />
                        <CheckField id="age_confirmed" label=Key::AgeConfirm checked=age error=age_err />
                        <Submit label=Key::SignupSubmit busy=busy />
                    </form>
                    <p class="muted">{t(Key::HaveAccount)} " " <A href="/login">{t(Key::NavLogin)}</A></p>
                }
            >
                <p class="notice notice-success" role="status">{t(Key::SignupDone)}</p>
                <A href="/login" attr:class="button button-primary">{t(Key::ContinueToLogin)}</A>
            </Show>
        </section>
    }
}
