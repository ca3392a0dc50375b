//! Header (brand, navigation, balance and a menu holding the rest), main content, footer.
//!
//! The header is one 56 px row at every width: on phones the page links move into the menu, so
//! the content starts right below it. The HTML shell (`web/static/index.html`) paints the same
//! row before the app loads, so the swap does not move anything.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use wasm_bindgen::JsCast;
use zimage_shared::account::{Locale, Role, Theme, UpdateProfileRequest};

use crate::api;
use crate::i18n::{Key, t, use_i18n};
use crate::session::use_session;
use crate::theme::use_theme;

/// The Z mark of the favicon, drawn with the text colour of its surroundings.
#[component]
pub fn BrandMark() -> impl IntoView {
    view! {
        <svg class="brand-mark" viewBox="0 0 64 64" aria-hidden="true">
            <rect width="64" height="64" rx="14" fill="var(--primary)" />
            <path d="M18 16h28v7L28.5 41H46v7H18v-7l17.5-18H18z" fill="var(--primary-text)" />
        </svg>
    }
}

/// Focuses the first element matching `selector`; false when there is none. An element the
/// keyboard cannot reach (a heading) is made focusable by script only (`tabindex="-1"`); one it
/// can (a button, a link) is left in the Tab order: marking it -1 would take it out for good.
pub fn focus_first(selector: &str) -> bool {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    if element.tab_index() < 0 && !element.has_attribute("tabindex") {
        let _ = element.set_attribute("tabindex", "-1");
    }
    let _ = element.focus();
    true
}

/// After a navigation (not the first page), focus moves to the new page's main heading so screen
/// readers announce it and the keyboard starts from the top of the content.
fn focus_heading_after_navigation() {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            spawn_local(async {
                // The new route renders in this tick; its data may take a moment longer.
                for _ in 0..20 {
                    crate::util::sleep_ms(50).await;
                    if focus_first("#main h1") {
                        return;
                    }
                }
                focus_first("#main");
            });
        }
        path
    });
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let theme = use_theme();
    let navigate = use_navigate();
    let location = use_location();
    let menu_open = RwSignal::new(false);
    focus_heading_after_navigation();
    // Any navigation closes the menu.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    // The description follows the language (the shell's is English).
    Effect::new(move |_| {
        let text = t(Key::AppDescription)();
        if let Some(meta) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("meta[name=description]").ok().flatten())
        {
            let _ = meta.set_attribute("content", text);
        }
    });

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
        menu_open.set(false);
        spawn_local(async move {
            session.logout().await;
            navigate("/login", Default::default());
        });
    };
    let logout = StoredValue::new_local(logout);
    let toggle_menu = move |_| {
        let open = !menu_open.get_untracked();
        menu_open.set(open);
        if open {
            spawn_local(async {
                crate::util::sleep_ms(0).await;
                focus_first("#site-menu a, #site-menu select");
            });
        }
    };
    let menu_keys = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            menu_open.set(false);
            focus_first("#menu-button");
        }
    };
    let signed_in = move || session.user.get().is_some();
    // The menu's contents, the footer's links and the step-up dialog wait for the app's first
    // task to end (they are out of sight until then).
    let later = crate::util::after_this_task();
    let is_admin = move || session.user.get().is_some_and(|u| u.role == Role::Admin);
    // The page links: in the header on wide screens, at the top of the menu on phones.
    let page_links = move |class: &'static str| {
        view! {
            <A href="/create" attr:class=class>{t(Key::NavCreate)}</A>
            <A href="/gallery" attr:class=class>{t(Key::NavGallery)}</A>
            <A href="/history" attr:class=class>{t(Key::NavHistory)}</A>
            <A href="/prompts" attr:class=class>{t(Key::NavPrompts)}</A>
        }
    };

    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <BrandMark />
                <span class="brand-name">{t(Key::AppName)}</span>
            </A>
            <Show when=signed_in>
                <nav aria-label="Main" class="nav">{page_links("nav-link")}</nav>
            </Show>
            <div class="header-actions">
                <Show
                    when=signed_in
                    fallback=|| view! {
                        <A href="/login" attr:class="nav-link header-login">{t(Key::NavLogin)}</A>
                        <A href="/signup" attr:class="button button-primary button-small">{t(Key::NavSignup)}</A>
                    }
                >
                    <a href="/credits" class="credit-badge" aria-label=move || format!("{} {}", session.credits.get().map(|c| c.available).unwrap_or(0), t(Key::CreditsUnit)())>
                        <span class="credit-badge-value">{move || session.credits.get().map(|c| c.available.to_string()).unwrap_or_else(|| "…".into())}</span>
                        <span class="credit-badge-unit">{t(Key::CreditsUnit)}</span>
                    </a>
                </Show>
                <button
                    id="menu-button"
                    type="button"
                    class="menu-button"
                    aria-controls="site-menu"
                    aria-expanded=move || menu_open.get().to_string()
                    aria-label=t(Key::Menu)
                    on:click=toggle_menu
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h16M4 12h16M4 17h16" /></svg>
                </button>
            </div>
            <Show when=move || menu_open.get()>
                <div class="menu-backdrop" on:click=move |_| menu_open.set(false)></div>
            </Show>
            <div id="site-menu" class="site-menu" hidden=move || !menu_open.get() on:keydown=menu_keys>
                // Built after the app's first task (or when opened before then).
                <Show when=move || later.get() || menu_open.get()>
                <Show when=move || !signed_in()>
                    <nav aria-label="Account" class="menu-section">
                        <A href="/login" attr:class="menu-item">{t(Key::NavLogin)}</A>
                        <A href="/signup" attr:class="menu-item">{t(Key::NavSignup)}</A>
                    </nav>
                </Show>
                <Show when=signed_in>
                    <nav aria-label="Pages" class="menu-pages">{page_links("menu-item")}</nav>
                    <nav aria-label="Account" class="menu-section">
                        <A href="/account" attr:class="menu-item menu-user">
                            <crate::components::avatar::Avatar user=session.user size="small" />
                            <span class="menu-user-text">
                                <span>{t(Key::NavAccount)}</span>
                                <span class="muted small menu-user-email">{move || session.user.get().map(|u| u.email).unwrap_or_default()}</span>
                            </span>
                        </A>
                        <A href="/credits" attr:class="menu-item">{t(Key::CreditsTitle)}</A>
                        <A href="/developers" attr:class="menu-item">{t(Key::NavDevelopers)}</A>
                        <A href="/support" attr:class="menu-item">{t(Key::NavSupport)}</A>
                        <Show when=is_admin>
                            <A href="/admin" attr:class="menu-item">{t(Key::NavAdmin)}</A>
                        </Show>
                    </nav>
                </Show>
                <div class="menu-section menu-prefs">
                    <label for="locale-select">{t(Key::Language)}</label>
                    <select id="locale-select" on:change=on_locale>
                        {Locale::ALL.into_iter().map(|l| view! {
                            <option value=l.as_str() selected=move || i18n.locale.get() == l>
                                {match l { Locale::En => "English", Locale::ZhCn => "简体中文" }}
                            </option>
                        }).collect_view()}
                    </select>
                    <label for="theme-select">{t(Key::Theme)}</label>
                    <select id="theme-select" on:change=on_theme>
                        {[(Theme::System, Key::ThemeSystem), (Theme::Light, Key::ThemeLight), (Theme::Dark, Key::ThemeDark)]
                            .into_iter()
                            .map(|(choice, key)| view! {
                                <option value=choice.as_str() selected=move || theme.theme.get() == choice>{t(key)}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=signed_in>
                    <div class="menu-section">
                        <button type="button" class="menu-item" on:click=move |ev| logout.with_value(|f| f(ev))>{t(Key::NavLogout)}</button>
                    </div>
                </Show>
                </Show>
            </div>
        </header>
        <main id="main" class="main">
            <crate::components::cookies::CookieBanner />
            {children()}
        </main>
        <footer class="site-footer">
            <span class="muted">"© Z-Image Studio"</span>
            <Show when=move || later.get()>
                <nav aria-label="Legal" class="footer-links">
                    <A href="/legal/privacy">{t(Key::PrivacyPolicy)}</A>
                    <A href="/legal/terms">{t(Key::Terms)}</A>
                    <A href="/legal/retention">{t(Key::RetentionTitle)}</A>
                    <A href="/privacy">{t(Key::PrivacyCenterTitle)}</A>
                </nav>
            </Show>
        </footer>
        <Show when=move || later.get()>
            <crate::components::step_up::StepUpDialog />
        </Show>
    }
}

/// Names the browser tab: "`text` · Z-Image Studio".
pub fn set_title(text: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let app = "Z-Image Studio";
        doc.set_title(&if text.is_empty() || text == app {
            app.to_string()
        } else {
            format!("{text} · {app}")
        });
    }
}

/// A page's main heading; it also names the browser tab, in the current language.
#[component]
pub fn Heading(
    key: Key,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
) -> impl IntoView {
    let text = t(key);
    Effect::new(move |_| set_title(text()));
    view! { <h1 id=id class=class>{text}</h1> }
}
