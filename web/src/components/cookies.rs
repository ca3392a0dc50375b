//! The cookie-consent banner. Until a choice is made only essential storage is used (the sign-in
//! cookie and this choice). The choice is kept in this browser and, when signed in, recorded as
//! the product-analytics consent so it follows the account.

use leptos::prelude::*;
use leptos_router::components::A;
use zimage_shared::privacy::Consents;

use crate::api;
use crate::i18n::{Key, t};
use crate::session::use_session;

const STORAGE_KEY: &str = "zimage.cookie-choice";

fn stored_choice() -> Option<String> {
    crate::storage::get(STORAGE_KEY)
}

#[component]
pub fn CookieBanner() -> impl IntoView {
    let session = use_session();
    let open = RwSignal::new(stored_choice().is_none());
    let choose = move |all: bool| {
        crate::storage::set(STORAGE_KEY, if all { "all" } else { "essential" });
        open.set(false);
        if session.user.get_untracked().is_some() {
            leptos::task::spawn_local(async move {
                if let Ok(mut consents) = session
                    .call::<Consents>("GET", "/v1/me/consents", None)
                    .await
                {
                    consents.product_analytics = all;
                    let _ = session
                        .call::<Consents>("PUT", "/v1/me/consents", api::body(&consents))
                        .await;
                }
            });
        }
    };
    view! {
        <Show when=move || open.get()>
            <div class="cookie-banner" role="dialog" aria-labelledby="cookie-title">
                <p id="cookie-title">
                    {t(Key::CookieText)} " " <A href="/legal/privacy">{t(Key::PrivacyPolicy)}</A>
                </p>
                <div class="cookie-actions">
                    <button id="cookies-essential" type="button" class="button button-small" on:click=move |_| choose(false)>{t(Key::CookieEssential)}</button>
                    <button id="cookies-all" type="button" class="button button-primary button-small" on:click=move |_| choose(true)>{t(Key::CookieAll)}</button>
                </div>
            </div>
        </Show>
    }
}
