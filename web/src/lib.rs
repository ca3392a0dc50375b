//! Z-Image Studio web client: a Leptos app rendered in the browser, talking only to the public JSON API.

mod api;
mod app;
mod components;
mod i18n;
mod live;
mod pages;
mod session;
mod storage;
mod theme;
mod util;

/// Entry point called by the generated JS glue.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
