use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use zimage_shared::auth::ResetPasswordRequest;
use zimage_shared::validate;

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, invalid_key, t};

/// Sets a new password with the token from the e-mail.
#[component]
pub fn ResetPassword() -> impl IntoView {
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let password_err = RwSignal::new(None::<Key>);
    let notice = RwSignal::new(None::<Key>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = query.get().get("token") else {
            notice.set(Some(Key::ErrInvalidToken));
            return;
        };
        if let Err(e) = validate::check_password_shape(&password.get(), "") {
            password_err.set(Some(invalid_key(e)));
            return;
        }
        let request = ResetPasswordRequest {
            token,
            new_password: password.get(),
        };
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match api::public::<()>("POST", "/v1/auth/password/reset", api::body(&request)).await {
                Ok(()) => done.set(true),
                Err(err) => {
                    password_err.set(err.field("new_password"));
                    notice.set(Some(err.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::ResetTitle />
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <form on:submit=submit novalidate>
                        <Notice message=notice />
                        <TextField id="new_password" label=Key::NewPassword value=password kind="password" autocomplete="new-password" hint=Key::PasswordHint error=password_err />
                        <Submit label=Key::ResetSubmit busy=busy />
                    </form>
                }
            >
                <p class="notice notice-success" role="status">{t(Key::ResetDone)}</p>
                <A href="/login" attr:class="button button-primary">{t(Key::ContinueToLogin)}</A>
            </Show>
        </section>
    }
}
