//! A person's picture, or their initial on a coloured disc when there is none (or it fails to
//! load, e.g. a signed URL that expired while the page stayed open).

use leptos::prelude::*;
use zimage_shared::account::User;

/// The initial shown in place of a picture: of the display name, else of the e-mail address.
fn initial(user: &User) -> String {
    user.display_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&user.email)
        .trim()
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}

/// `size` is the class suffix: `small` (32 px) or `large` (96 px).
#[component]
pub fn Avatar(#[prop(into)] user: Signal<Option<User>>, size: &'static str) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    let url = move || {
        user.get()
            .and_then(|u| u.avatar_url)
            .filter(|url| failed.get().as_ref() != Some(url))
    };
    let class = format!("avatar avatar-{size}");
    view! {
        {move || match url() {
            Some(src) => {
                let broken = src.clone();
                view! {
                    <img class=class.clone() src=src alt="" width="96" height="96"
                        on:error=move |_| failed.set(Some(broken.clone())) />
                }.into_any()
            }
            None => view! {
                <span class=format!("{class} avatar-initial") aria-hidden="true">
                    {user.get().map(|u| initial(&u)).unwrap_or_default()}
                </span>
            }.into_any(),
        }}
    }
}
