// Loads the WebAssembly app (kept out of index.html so the CSP can forbid inline scripts).
// The build renames both files with a hash of their contents.
import init from "/pkg/zimage_web.js";

// A returning visitor's session is renewed while the app downloads rather than after it. The
// refresh token changes with every use, so the app takes this one answer instead of asking again.
if (document.cookie.split(";").some((c) => c.trim().startsWith("zimage_signed_in="))) {
  const answer = (response) => response.text().then((text) => ({ status: response.status, text }));
  const refresh = fetch("/v1/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  }).then(answer, () => null);
  window.zimageEarlyRefresh = refresh;
  // The unfiltered gallery waits on its first page of images, then on the pictures: that read
  // starts as soon as the session is renewed, too. The app takes it for the same address.
  if (location.pathname === "/gallery" && location.search === "") {
    const url = "/v1/images?limit=20";
    const read = refresh.then((renewed) => {
      const token = renewed && renewed.status === 200 && JSON.parse(renewed.text).access_token;
      if (!token) {
        return null;
      }
      return fetch(url, {
        headers: { Accept: "application/json", Authorization: `Bearer ${token}` },
      }).then(answer, () => null);
    });
    window.zimageEarlyReads = { [url]: read, at: Date.now() };
  }
}

init({ module_or_path: "/pkg/zimage_web_bg.wasm" });
