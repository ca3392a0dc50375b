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

use wasm_bindgen::JsCast;

/// Entry point called by the generated JS glue. The app replaces the HTML shell's skeleton in
/// `#app` (painted by CSS before this code arrived); without a shell it renders into `<body>`.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match root {
        Some(root) => {
            root.set_inner_html("");
            leptos::mount::mount_to(root, app::App).forget();
        }
        None => leptos::mount::mount_to_body(app::App),
    }
}
