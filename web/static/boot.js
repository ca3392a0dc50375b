// Loads the WebAssembly app (kept out of index.html so the CSP can forbid inline scripts).
// The build renames both files with a hash of their contents.
import init from "/pkg/zimage_web.js";
init({ module_or_path: "/pkg/zimage_web_bg.wasm" });
