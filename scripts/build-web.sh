#!/usr/bin/env bash
# Builds the web app into web/dist:
# - the wasm32 release build, wasm-bindgen's glue, and wasm-opt when available;
# - scripts and the wasm under /assets/ with a hash of their contents in their names (the server
#   sends them as immutable), index.html pointing at them with the stylesheet inlined (the shell
#   paints without waiting for another request);
# - .br (when Node is there for its Brotli) and .gz copies of what compresses, for the server's
#   content negotiation.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build -p zimage-web --target wasm32-unknown-unknown --profile wasm-release
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" \
    "$target_dir/wasm32-unknown-unknown/wasm-release/zimage_web.wasm"
# Debian's wasm-opt (binaryen 108) produces bundles that crash in Chromium; only 132+ is used.
wasm_opt="${ZIMAGE_WASM_OPT:-$HOME/.cache/zimage-tools/node_modules/.bin/wasm-opt}"
if [ -x "$wasm_opt" ]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --strip-debug --strip-producers \
        "$stage/zimage_web_bg.wasm" -o "$stage/zimage_web_bg.wasm"
fi

rm -rf web/dist && mkdir -p web/dist/assets
# Copies $1 into web/dist/assets as <stem>-<hash>.<ext> and prints the new name.
hashed() {
    local name
    name="$2-$(sha256sum "$1" | cut -c1-16).$3"
    cp "$1" "web/dist/assets/$name"
    echo "$name"
}
wasm="$(hashed "$stage/zimage_web_bg.wasm" app wasm)"
glue="$(hashed "$stage/zimage_web.js" app js)"
sed -e "s#/pkg/zimage_web.js#/assets/$glue#" -e "s#/pkg/zimage_web_bg.wasm#/assets/$wasm#" \
    web/static/boot.js > "$stage/boot.js"
boot="$(hashed "$stage/boot.js" boot js)"
python3 - "$wasm" "$glue" "$boot" <<'PY'
import sys
wasm, glue, boot = sys.argv[1:]
html = open("web/static/index.html", encoding="utf-8").read()
css = open("web/static/style.css", encoding="utf-8").read()
for old, new in [
    ('<link rel="stylesheet" href="/style.css">', "<style>\n" + css + "</style>"),
    ("/pkg/zimage_web_bg.wasm", "/assets/" + wasm),
    ("/pkg/zimage_web.js", "/assets/" + glue),
    ("/boot.js", "/assets/" + boot),
]:
    assert old in html, f"index.html lacks {old}"
    html = html.replace(old, new)
open("web/dist/index.html", "w", encoding="utf-8").write(html)
PY
for file in web/static/*; do
    case "$(basename "$file")" in
        index.html | boot.js | style.css) ;;
        *) cp "$file" web/dist/ ;;
    esac
done

# Precompressed copies of text and wasm; images are compressed already.
compressible=$(find web/dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.html' -o -name '*.svg' -o -name '*.webmanifest' \))
for file in $compressible; do gzip -9 -k -n -f "$file"; done
if command -v node >/dev/null; then
    # shellcheck disable=SC2086
    node -e '
        const zlib = require("zlib"), fs = require("fs");
        const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 };
        for (const file of process.argv.slice(1)) {
            fs.writeFileSync(file + ".br", zlib.brotliCompressSync(fs.readFileSync(file), { params }));
        }' $compressible
else
    echo "note: node not found; the web app is served with gzip only" >&2
fi
echo "web bundle: $(du -sh --exclude='*.gz' --exclude='*.br' web/dist | cut -f1) in web/dist ($(du -cb web/dist/assets/*.br 2>/dev/null | tail -1 | cut -f1) bytes of assets as Brotli)" >&2
