//! The cookie-consent banner. Until a choice is made only essential storage is used (the sign-in
//! cookie and this choice). The choice is kept in this browser and, when signed in, recorded as
//! the product-analytics consent so it follows the account: an account that has answered is not
//! asked again in another browser.

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

fn remember(all: bool) {
    crate::storage::set(STORAGE_KEY, if all { "all" } else { "essential" });
}

#[component]
pub fn CookieBanner() -> impl IntoView {
    let session = use_session();
    // Shown from the first paint when this browser has no answer, so it takes its place before
    // anything is drawn below it (appearing later would push the page down). An account that
    // answered in another browser closes it once its answer arrives: a one-time flash in each
    // new browser, where waiting for the answer would shift every such page.
    let open = RwSignal::new(stored_choice().is_none());
    Effect::new(move |_| {
        if !session.ready.get() {
            return;
        }
        // Again after signing in: the account's answer may close the banner, or take this
        // browser's.
        let _ = session.user.get();
        let stored = stored_choice();
        crate::util::spawn(async move {
            let answer = session
                .call::<Consents>("GET", "/v1/me/consents", None)
                .await;
            match (answer, stored) {
                (Ok(account), _) if account.answered_at.is_some() => {
                    remember(account.product_analytics);
                    open.set(false);
                }
                (Ok(mut account), Some(choice)) => {
                    account.product_analytics = choice == "all";
                    let _ = session
                        .call::<Consents>("PUT", "/v1/me/consents", api::body(&account))
                        .await;
                    open.set(false);
                }
                (_, stored) => open.set(stored.is_none()),
            }
        });
    });
    let choose = move |all: bool| {
        remember(all);
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
