use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use zimage_shared::auth::{LoginRequest, TokenResponse};

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t};
use crate::session::use_session;

/// Log-in form.
#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let (email, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let notice = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    // Set when the account is scheduled for deletion: the server's message, with its date.
    let pending_erasure = RwSignal::new(None::<String>);

    let attempt = Callback::new(move |keep_account: bool| {
        let request = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            keep_account,
        };
        let navigate = navigate.clone();
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match api::public::<TokenResponse>("POST", "/v1/auth/login", api::body(&request)).await
            {
                Ok(tokens) => {
                    session.sign_in(tokens);
                    let next = query.with_untracked(|q| q.get("next"));
                    navigate(
                        &crate::session::local_next(next, "/create"),
                        Default::default(),
                    );
                }
                Err(err) if err.code() == Some(zimage_shared::ErrorCode::ErasurePending) => {
                    pending_erasure.set(err.problem.map(|p| p.detail));
                }
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt.run(false);
    };

    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::LoginTitle />
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <TextField id="email" label=Key::Email value=email kind="email" autocomplete="username" />
                <TextField id="password" label=Key::Password value=password kind="password" autocomplete="current-password" />
                <Submit label=Key::LoginSubmit busy=busy />
            </form>
            <Show when=move || pending_erasure.get().is_some()>
                <div class="notice notice-warning" role="alert" id="erasure-pending">
                    <p>{t(Key::ErasurePendingText)}</p>
                    <button id="keep-account" type="button" class="button button-primary" on:click=move |_| attempt.run(true)>
                        {t(Key::KeepAccount)}
                    </button>
                </div>
            </Show>
            <p><A href="/forgot-password">{t(Key::ForgotLink)}</A></p>
            <p class="muted">{t(Key::NoAccount)} " " <A href="/signup">{t(Key::NavSignup)}</A></p>
        </section>
    }
}
