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

/// Runs `fut` on this thread until it ends or the component (or effect run) that started it goes
/// away: then it is dropped, so a late answer never writes to a page that is gone (writing to a
/// disposed signal panics). It does not subscribe its caller to the signals it reads.
pub fn spawn(fut: impl std::future::Future<Output = ()> + 'static) {
    leptos::prelude::untrack(move || leptos::task::spawn_local_scoped_with_cancellation(fut));
}
