//! Small browser helpers.

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A signal that turns true in a task after this one. The app's first task is long (its code is
/// compiled as it first runs): parts of a page that can wait are built after it, in tasks of
/// their own, so the browser can paint and answer input in between.
pub fn after_this_task() -> leptos::prelude::ReadSignal<bool> {
    use leptos::prelude::Set;
    let (ready, set_ready) = leptos::prelude::signal(false);
    spawn(async move {
        sleep_ms(0).await;
        set_ready.set(true);
    });
    ready
}

/// A multipart form carrying `file` as its `file` field, as the upload endpoints take it.
pub fn file_form(file: &web_sys::File) -> Option<web_sys::FormData> {
    let form = web_sys::FormData::new().ok()?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .ok()?;
    Some(form)
}

/// The JSON wire name of a unit enum (`AspectRatio::Square` → `"1:1"`).
pub fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The browser's clock (`chrono::Utc::now` is not available in wasm32 without JS bindings).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Dates and times as the app shows them, in UTC, written out by hand: chrono's `format` brings
/// its strftime parser into the wasm for a handful of fixed patterns.
pub mod when {
    use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

    /// `2026-12-06`.
    pub fn day(at: DateTime<Utc>) -> String {
        format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
    }

    /// `2026-12-06 14:05`.
    pub fn minute(at: DateTime<Utc>) -> String {
        format!("{} {:02}:{:02}", day(at), at.hour(), at.minute())
    }

    /// `2026-12-06 14:05:09`.
    pub fn second(at: DateTime<Utc>) -> String {
        format!("{}:{:02}", minute(at), at.second())
    }

    /// `2026-12-06T14:05:09Z`, for query strings.
    pub fn iso(at: DateTime<Utc>) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            day(at),
            at.hour(),
            at.minute(),
            at.second()
        )
    }

    /// `20261206-140509`, for file names.
    pub fn compact(at: DateTime<Utc>) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }

    /// The day at the start of `text` (`2026-12-06`, or an instant on that day).
    pub fn parse_day(text: &str) -> Option<NaiveDate> {
        let text = text.get(..10)?;
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

/// Runs `fut` on this thread until it ends or the component (or effect run) that started it goes
/// away: then it is dropped, so a late answer never writes to a page that is gone (writing to a
/// disposed signal panics). It does not subscribe its caller to the signals it reads.
pub fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    leptos::prelude::untrack(move || leptos::task::spawn_local_scoped_with_cancellation(fut));
}
