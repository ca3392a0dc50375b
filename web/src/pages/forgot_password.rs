use leptos::prelude::*;
use zimage_shared::auth::{Accepted, EmailRequest};

use crate::api;
use crate::components::form::{Notice, Submit, TextField};
use crate::i18n::{Key, t};

/// Asks for a reset link.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Key>);
    let done = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = EmailRequest { email: email.get() };
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match api::public::<Accepted>("POST", "/v1/auth/password/forgot", api::body(&request))
                .await
            {
                Ok(_) => done.set(Some(Key::ForgotDone)),
                Err(err) => notice.set(Some(err.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <crate::components::layout::Heading key=Key::ForgotTitle />
            <p>{t(Key::ForgotLead)}</p>
            <Notice message=done success=true />
            <form on:submit=submit novalidate>
                <Notice message=notice />
                <TextField id="email" label=Key::Email value=email kind="email" autocomplete="email" />
                <Submit label=Key::ForgotSubmit busy=busy />
            </form>
        </section>
    }
}
