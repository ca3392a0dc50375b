#!/usr/bin/env bash
# Builds the web app into web/dist: wasm32 release build, wasm-bindgen, and wasm-opt when available.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build -p zimage-web --target wasm32-unknown-unknown --profile wasm-release
rm -rf web/dist && mkdir -p web/dist
wasm-bindgen --target web --no-typescript --out-dir web/dist/pkg \
    "$target_dir/wasm32-unknown-unknown/wasm-release/zimage_web.wasm"
cp web/static/* web/dist/
# Debian's wasm-opt (binaryen 108) produces bundles that crash in Chromium; only 132+ is used.
wasm_opt="${ZIMAGE_WASM_OPT:-$HOME/.cache/zimage-tools/node_modules/.bin/wasm-opt}"
if [ -x "$wasm_opt" ]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        web/dist/pkg/zimage_web_bg.wasm -o web/dist/pkg/zimage_web_bg.wasm
fi
echo "web bundle: $(du -sh web/dist | cut -f1) in web/dist" >&2
