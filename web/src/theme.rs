//! Light / dark / system colour scheme, applied as `data-theme` on `<html>`.

use leptos::prelude::*;
use zimage_shared::account::{Locale, Theme};

const STORAGE_KEY: &str = "zimage.theme";

/// The active colour scheme, provided at the root.
#[derive(Clone, Copy)]
pub struct ThemeState {
    pub theme: RwSignal<Theme>,
}

impl ThemeState {
    pub fn detect() -> Self {
        let theme = crate::storage::get(STORAGE_KEY)
            .and_then(|s| Theme::parse(&s))
            .unwrap_or_default();
        apply(theme);
        Self {
            theme: RwSignal::new(theme),
        }
    }

    pub fn set(&self, theme: Theme) {
        crate::storage::set(STORAGE_KEY, theme.as_str());
        apply(theme);
        self.theme.set(theme);
    }
}

fn apply(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// Keeps `<html lang>` in step with the interface language (screen readers use it).
pub fn set_lang_attribute(locale: Locale) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.as_str());
    }
}

pub fn use_theme() -> ThemeState {
    expect_context::<ThemeState>()
}
