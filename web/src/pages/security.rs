//! Security: the devices signed in to the account and the account's security log.

use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::pages::account::{SecurityLogSection, SessionsSection};
use crate::session::{redirect_signed_out, use_session};

#[component]
pub fn Security() -> impl IntoView {
    let session = use_session();
    redirect_signed_out();
    view! {
        <Show
            when=move || session.user.get().is_some()
            fallback=|| view! { <p class="loading" role="status">{t(Key::Loading)}</p> }
        >
            <crate::components::layout::Heading key=Key::SecurityTitle />
            <div class="stack">
                <SessionsSection />
                <SecurityLogSection />
            </div>
        </Show>
    }
}
