// Loads the WebAssembly app (kept out of index.html so the CSP can forbid inline scripts).
// The build renames both files with a hash of their contents. The app's script is imported at the
// end, not at the top: a static import would hold the reads below until it (and the scripts it
// imports in turn) had arrived.

// What the app waits for before it starts (see `preview`).
let first = Promise.resolve();

// A returning visitor's session is renewed while the app downloads rather than after it. The
// refresh token changes with every use, so the app takes this one answer instead of asking again.
const signedIn = document.cookie.split(";").some((c) => c.trim().startsWith("zimage_signed_in="));
if (signedIn) {
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
    const drawn = read.then((page) => page && page.status === 200 && preview(JSON.parse(page.text).items));
    // At most 2 s: past that the app starts and draws the images itself.
    first = Promise.race([drawn, new Promise((resolve) => setTimeout(resolve, 2000))]).catch(() => {});
  }
}

// The texts the shell draws before the app arrives, in each language, taken from the app's own
// translations by the build (scripts/build-web.sh), so they cannot drift apart.
const texts = /*zimage:texts*/ {};

// The language the app will choose: the last explicit choice on this device, else the browser's.
function language() {
  let stored = null;
  try {
    stored = localStorage.getItem("zimage.locale");
  } catch {
    // Storage refused (private mode): the browser's language decides.
  }
  if (stored === "en" || stored === "zh-CN") {
    return stored;
  }
  const browser = (navigator.language || "").toLowerCase();
  return browser.startsWith("zh") ? "zh-CN" : "en";
}

// The Create page's heading and prompt field, drawn into the shell with the app's classes and
// words, so a signed-in visitor on a slow link reads the page (and sees where to type) while the
// app is on its way. The app clears the shell when it starts and draws the same in the same place.
// The field is not editable until then, so nothing typed into it can be lost.
function createPreview() {
  const main = document.getElementById("main");
  const lang = language();
  const words = texts[lang];
  if (!main || !words) {
    return;
  }
  document.documentElement.lang = lang;
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  };
  const field = element("div", "field");
  const label = element("label", "", words.prompt_label);
  const box = element("textarea");
  box.rows = 4;
  box.readOnly = true;
  box.tabIndex = -1;
  const hint = element("p", "hint", `${words.prompt_hint} ${words.generate_shortcut} `);
  hint.setAttribute("elementtiming", "preview");
  hint.append(element("span", "counter", `0/${words.max_prompt_chars}`));
  field.append(label, box, hint);
  const form = element("div", "card create-form");
  form.setAttribute("aria-hidden", "true");
  form.append(field, element("div", "skeleton skeleton-block"));
  const layout = element("div", "create-layout");
  layout.append(form, element("p", "card empty", words.results_empty));
  main.replaceChildren(element("h1", "", words.create_title), layout);
  return painted([hint]);
}

// The gallery's first pictures, drawn into the shell with the app's grid classes while the app is
// still on its way, so a phone on a slow link sees its images rather than grey blocks. The app
// clears the shell when it starts and draws the same tiles, from the browser's cache, in the same
// grid. Starting the app takes the main thread for a moment, so it waits until these are painted:
// the promise returned resolves then. (For this page the server leaves the module out of the
// shell's preloads, so the pictures do not share a slow link with it; it is fetched after.)
function preview(items) {
  const block = document.querySelector("#main > .skeleton-block");
  if (!block || !Array.isArray(items) || items.length === 0) {
    return;
  }
  const grid = document.createElement("ul");
  grid.className = "justified";
  grid.setAttribute("aria-hidden", "true");
  // All of the page's tiles, as the app lays them out: rows are filled from the whole list, so a
  // shorter list would end in a shorter, unstretched row. The first 8 at once, as in the app.
  items.forEach((image, index) => {
    const tile = document.createElement("li");
    tile.className = "shot";
    tile.style.setProperty("--ratio", (Math.max(image.width, 1) / Math.max(image.height, 1)).toFixed(4));
    const frame = document.createElement("span");
    frame.className = "shot-frame";
    const picture = document.createElement("img");
    picture.alt = "";
    picture.width = image.width;
    picture.height = image.height;
    picture.loading = index < 8 ? "eager" : "lazy";
    picture.fetchPriority = index < 8 ? "high" : "auto";
    if (index < 8) {
      picture.setAttribute("elementtiming", "preview");
    }
    picture.src = image.thumbnail_url;
    frame.append(picture);
    tile.append(frame);
    grid.append(tile);
  });
  const toolbar = document.createElement("div");
  toolbar.className = "skeleton skeleton-toolbar";
  block.parentElement.querySelectorAll(".skeleton-line").forEach((line) => line.remove());
  block.replaceWith(toolbar, grid);
  return painted([...grid.querySelectorAll("img")].slice(0, 8));
}

// Resolves once the browser has painted those of `elements` (pictures, or text) that are on
// screen: Element Timing tells when each is (Chromium); elsewhere, two frames after the pictures
// are decoded.
function painted(elements) {
  const shown = elements.filter((element) => element.getBoundingClientRect().top < innerHeight);
  if (shown.length === 0) {
    return Promise.resolve();
  }
  if (!PerformanceObserver.supportedEntryTypes?.includes("element")) {
    const decoded = shown.map((element) => (element.decode ? element.decode().catch(() => {}) : null));
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    return Promise.all(decoded).then(frame).then(frame);
  }
  return new Promise((resolve) => {
    let seen = 0;
    const observer = new PerformanceObserver((list) => {
      seen += list.getEntries().filter((entry) => entry.identifier === "preview").length;
      if (seen >= shown.length) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe({ type: "element", buffered: true });
  });
}

if (location.pathname === "/create" && signedIn) {
  // Starting the app takes the main thread for a moment: the preview is painted first (at most
  // 1 s of waiting, should the browser hold its paints back).
  const drawn = createPreview();
  first = Promise.race([drawn, new Promise((resolve) => setTimeout(resolve, 1000))]);
}

first
  .then(() => performance.mark("zimage-app-start"))
  .then(() => import("/pkg/zimage_web.js"))
  .then((app) => app.default({ module_or_path: "/pkg/zimage_web_bg.wasm" }));
