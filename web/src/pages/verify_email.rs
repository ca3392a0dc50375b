use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zimage_shared::account::User;
use zimage_shared::auth::TokenRequest;

use crate::api;
use crate::i18n::{Key, t, tr, use_i18n};
use crate::session::use_session;

/// Consumes the token from the verification e-mail as soon as the page opens.
#[component]
pub fn VerifyEmail() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let query = use_query_map();
    let status = RwSignal::new(Key::VerifyWorking);
    let verified = RwSignal::new(false);
    match query.get_untracked().get("token") {
        None => status.set(Key::VerifyMissing),
        Some(token) => crate::util::spawn(async move {
            match api::public::<User>(
                "POST",
                "/v1/auth/verify-email",
                api::body(&TokenRequest { token }),
            )
            .await
            {
                Ok(user) => {
                    if session
                        .user
                        .get_untracked()
                        .is_some_and(|u| u.id == user.id)
                    {
                        session.set_user(user);
                    }
                    verified.set(true);
                    status.set(Key::VerifyDone);
                }
                Err(err) => status.set(err.message()),
            }
        }),
    }
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::VerifyTitle />
            <p
                class="notice"
                class:notice-success=move || verified.get()
                class:notice-error=move || !verified.get() && status.get() != Key::VerifyWorking
                role="status"
                aria-live="polite"
            >
                {move || tr(i18n.locale.get(), status.get())}
            </p>
            <Show when=move || verified.get()>
                <Show
                    when=move || session.user.get().is_some()
                    fallback=|| view! { <a href="/login" class="button button-primary">{t(Key::ContinueToLogin)}</a> }
                >
                    <a href="/create" class="button button-primary">{t(Key::ContinueToAccount)}</a>
                </Show>
            </Show>
        </section>
    }
}
