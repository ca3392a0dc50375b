//! Accessible form controls: every input has a label, hints and errors are announced.

use leptos::prelude::*;

use crate::i18n::{Key, t, tr, use_i18n};

/// A labelled text input bound to `value`, with an optional hint and error.
#[component]
pub fn TextField(
    id: &'static str,
    label: Key,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] optional: bool,
    #[prop(optional)] error: Option<RwSignal<Option<Key>>>,
    /// Shown but not editable while this is true (e.g. an address an invitation is bound to).
    #[prop(optional, into)]
    readonly: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = error.unwrap_or_else(|| RwSignal::new(None));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>
                {move || tr(i18n.locale.get(), label)}
                {optional.then(|| view! { <span class="muted">" (" {t(Key::Optional)} ")"</span> })}
            </label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=!optional
                readonly=move || readonly.get()
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
                bind:value=value
                on:input=move |_| error.set(None)
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{move || tr(i18n.locale.get(), h)}</p> })}
            <p class="error-text" id=error_id role="alert">
                {move || error.get().map(|k| tr(i18n.locale.get(), k))}
            </p>
        </div>
    }
}

/// A labelled checkbox with an error line.
#[component]
pub fn CheckField(
    id: &'static str,
    label: Key,
    checked: RwSignal<bool>,
    #[prop(optional)] error: Option<RwSignal<Option<Key>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = error.unwrap_or_else(|| RwSignal::new(None));
    view! {
        <div class="check" class:field-invalid=move || error.get().is_some()>
            <input id=id name=id type="checkbox" bind:checked=checked on:change=move |_| error.set(None) />
            <label for=id>{move || tr(i18n.locale.get(), label)}</label>
            <p class="error-text" role="alert">{move || error.get().map(|k| tr(i18n.locale.get(), k))}</p>
        </div>
    }
}

/// A status line: errors in red, confirmations in green; announced to screen readers.
#[component]
pub fn Notice(message: RwSignal<Option<Key>>, #[prop(optional)] success: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || message.get().is_some()>
            <p class=if success { "notice notice-success" } else { "notice notice-error" } role=if success { "status" } else { "alert" }>
                {move || message.get().map(|k| tr(i18n.locale.get(), k))}
            </p>
        </Show>
    }
}

/// A submit button that shows progress and cannot be pressed twice.
#[component]
pub fn Submit(label: Key, busy: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button button-primary" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>
            {move || tr(i18n.locale.get(), if busy.get() { Key::Working } else { label })}
        </button>
    }
}

/// A credit cap as typed: empty for none, else a whole number above 0 (`err` says otherwise).
pub fn parse_credit_cap(raw: &str, err: RwSignal<Option<Key>>) -> Result<Option<i64>, ()> {
    err.set(None);
    match raw.trim() {
        "" => Ok(None),
        text => match text.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => {
                err.set(Some(Key::ErrWholeNumber));
                Err(())
            }
        },
    }
}
