//! Header (brand, navigation, language and theme), main content, footer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use zimage_shared::account::{Locale, Theme, UpdateProfileRequest};

use crate::api;
use crate::i18n::{Key, t, use_i18n};
use crate::session::use_session;
use crate::theme::use_theme;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let theme = use_theme();
    let navigate = use_navigate();

    // Signed in, a choice is saved to the profile so every device follows it.
    let save = move |patch: UpdateProfileRequest| {
        if session.user.get_untracked().is_some() {
            spawn_local(async move {
                if let Ok(user) = session.call("PATCH", "/v1/me", api::body(&patch)).await {
                    session.set_user(user);
                }
            });
        }
    };
    let on_locale = move |ev: leptos::ev::Event| {
        if let Some(locale) = Locale::parse(&event_target_value(&ev)) {
            i18n.set(locale);
            save(UpdateProfileRequest {
                locale: Some(locale),
                ..Default::default()
            });
        }
    };
    let on_theme = move |ev: leptos::ev::Event| {
        if let Some(choice) = Theme::parse(&event_target_value(&ev)) {
            theme.set(choice);
            save(UpdateProfileRequest {
                theme: Some(choice),
                ..Default::default()
            });
        }
    };
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.logout().await;
            navigate("/login", Default::default());
        });
    };

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">{t(Key::AppName)}</A>
            <nav aria-label="Main" class="nav">
                <Show
                    when=move || session.user.get().is_some()
                    fallback=|| view! {
                        <A href="/login" attr:class="nav-link">{t(Key::NavLogin)}</A>
                        <A href="/signup" attr:class="button button-primary button-small">{t(Key::NavSignup)}</A>
                    }
                >
                    <A href="/create" attr:class="nav-link">{t(Key::NavCreate)}</A>
                    <A href="/gallery" attr:class="nav-link">{t(Key::NavGallery)}</A>
                    <A href="/history" attr:class="nav-link">{t(Key::NavHistory)}</A>
                    <A href="/prompts" attr:class="nav-link">{t(Key::NavPrompts)}</A>
                    <a href="/credits" class="credit-badge" aria-label=move || format!("{} {}", session.credits.get().map(|c| c.available).unwrap_or(0), t(Key::CreditsUnit)())>
                        <span class="credit-badge-value">{move || session.credits.get().map(|c| c.available.to_string()).unwrap_or_else(|| "…".into())}</span>
                        " " {t(Key::CreditsUnit)}
                    </a>
                    <A href="/support" attr:class="nav-link">{t(Key::NavSupport)}</A>
                    <Show when=move || session.user.get().is_some_and(|u| u.role == zimage_shared::account::Role::Admin)>
                        <A href="/admin" attr:class="nav-link">{t(Key::NavAdmin)}</A>
                    </Show>
                    <A href="/account" attr:class="nav-link">{t(Key::NavAccount)}</A>
                    <button type="button" class="button button-ghost button-small" on:click=logout.clone()>
                        {t(Key::NavLogout)}
                    </button>
                </Show>
            </nav>
            <div class="prefs">
                <label class="visually-hidden" for="locale-select">{t(Key::Language)}</label>
                <select id="locale-select" on:change=on_locale>
                    {Locale::ALL.into_iter().map(|l| view! {
                        <option value=l.as_str() selected=move || i18n.locale.get() == l>
                            {match l { Locale::En => "English", Locale::ZhCn => "简体中文" }}
                        </option>
                    }).collect_view()}
                </select>
                <label class="visually-hidden" for="theme-select">{t(Key::Theme)}</label>
                <select id="theme-select" on:change=on_theme>
                    {[(Theme::System, Key::ThemeSystem), (Theme::Light, Key::ThemeLight), (Theme::Dark, Key::ThemeDark)]
                        .into_iter()
                        .map(|(choice, key)| view! {
                            <option value=choice.as_str() selected=move || theme.theme.get() == choice>{t(key)}</option>
                        })
                        .collect_view()}
                </select>
            </div>
        </header>
        <main id="main" class="main">
            <crate::components::cookies::CookieBanner />
            {children()}
        </main>
        <footer class="site-footer">
            <span class="muted">"© Z-Image Studio"</span>
            <nav aria-label="Legal" class="footer-links">
                <A href="/legal/privacy">{t(Key::PrivacyPolicy)}</A>
                <A href="/legal/terms">{t(Key::Terms)}</A>
                <A href="/legal/retention">{t(Key::RetentionTitle)}</A>
                <A href="/privacy">{t(Key::PrivacyCenterTitle)}</A>
            </nav>
        </footer>
    }
}
