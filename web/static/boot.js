// Loads the WebAssembly app (kept out of index.html so the CSP can forbid inline scripts).
// The build renames both files with a hash of their contents.
import init from "/pkg/zimage_web.js";

// A returning visitor's session is renewed while the app downloads rather than after it. The
// refresh token changes with every use, so the app takes this one answer instead of asking again.
if (document.cookie.split(";").some((c) => c.trim().startsWith("zimage_signed_in="))) {
  window.zimageEarlyRefresh = fetch("/v1/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  }).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    () => null,
  );
}

init({ module_or_path: "/pkg/zimage_web_bg.wasm" });
