#!/usr/bin/env bash
# Builds the web app into web/dist:
# - the wasm32 release build, cut by wasm-split into the main module and one chunk per lazily
#   loaded page (Leptos' lazy routes), then wasm-bindgen's glue, and wasm-opt when available;
# - the glue, the split loader and every wasm file in /assets/<hash>/, named by a hash of all of
#   them together (they import each other by relative names, so one folder per build keeps those
#   names as written; the server sends them as immutable); the boot script as
#   /assets/boot-<hash>.js; index.html pointing at them with the stylesheet inlined (the shell
#   paints without waiting for another request);
# - .br (when Node is there for its Brotli) and .gz copies of what compresses, for the server's
#   content negotiation.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build -p zimage-web --target wasm32-unknown-unknown --profile wasm-release
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
split="$stage/split" out="$stage/out"
mkdir -p "$split" "$out"
"${ZIMAGE_WASM_SPLIT:-$HOME/.cache/zimage-tools/wasm-split/bin/wasm-split-cli}" --target web \
    --out-name zimage_web "$target_dir/wasm32-unknown-unknown/wasm-release/zimage_web.wasm" "$split"
# The chunks and the split loader go as they are; the main module through wasm-bindgen, keeping
# the exports the chunks link against.
mv "$split/zimage_web.wasm" "$stage/main.wasm"
cp "$split"/* "$out/"
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-name zimage_web \
    --out-dir "$out" "$stage/main.wasm"
# Debian's wasm-opt (binaryen 108) produces bundles that crash in Chromium; only 132+ is used.
wasm_opt="${ZIMAGE_WASM_OPT:-$HOME/.cache/zimage-tools/node_modules/.bin/wasm-opt}"
if [ -x "$wasm_opt" ]; then
    for file in "$out"/*.wasm; do
        # (wasm-split writes a name subsection binaryen does not know; it is stripped anyway.)
        "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --strip-debug --strip-producers \
            "$file" -o "$file" 2> >(grep -v 'unknown name subsection' >&2)
    done
fi

rm -rf web/dist && mkdir -p web/dist/assets
# Copies $1 into web/dist/assets as <stem>-<hash>.<ext> and prints the new name.
hashed() {
    local name
    name="$2-$(sha256sum "$1" | cut -c1-16).$3"
    cp "$1" "web/dist/assets/$name"
    echo "$name"
}
bundle="$(cd "$out" && sha256sum -- * | sha256sum | cut -c1-16)"
mkdir -p "web/dist/assets/$bundle"
cp "$out"/* "web/dist/assets/$bundle/"
glue="$bundle/zimage_web.js"
wasm="$bundle/zimage_web_bg.wasm"
sed -e "s#/pkg/zimage_web.js#/assets/$glue#" -e "s#/pkg/zimage_web_bg.wasm#/assets/$wasm#" \
    web/static/boot.js > "$stage/boot.js"
# The texts the boot script draws before the app arrives, from the app's translations.
python3 - "$stage/boot.js" <<'PY'
import json, re, sys
source = open("web/src/i18n.rs", encoding="utf-8").read()
keys = {
    "create_title": "CreateTitle",
    "prompt_label": "PromptLabel",
    "prompt_hint": "PromptHint",
    "generate_shortcut": "GenerateShortcut",
    "results_empty": "ResultsEmpty",
}
limit = re.search(r"pub const MAX_PROMPT_CHARS: usize = (\d+);",
                  open("shared/src/generation.rs", encoding="utf-8").read())
assert limit, "MAX_PROMPT_CHARS not found"
texts = {"en": {"max_prompt_chars": limit.group(1)}, "zh-CN": {"max_prompt_chars": limit.group(1)}}
for name, key in keys.items():
    found = re.search(r"^\s*" + key + r' => ("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*");', source, re.M)
    assert found, f"no translation {key} in web/src/i18n.rs"
    texts["en"][name], texts["zh-CN"][name] = (json.loads(found.group(i)) for i in (1, 2))
boot = open(sys.argv[1], encoding="utf-8").read()
assert "/*zimage:texts*/ {}" in boot, "boot.js lacks its texts marker"
boot = boot.replace("/*zimage:texts*/ {}", json.dumps(texts, ensure_ascii=False))
open(sys.argv[1], "w", encoding="utf-8").write(boot)
PY
boot="$(hashed "$stage/boot.js" boot js)"
python3 - "$wasm" "$glue" "$boot" <<'PY'
import sys
wasm, glue, boot = sys.argv[1:]
html = open("web/static/index.html", encoding="utf-8").read()
css = open("web/static/style.css", encoding="utf-8").read()
for old, new in [
    ('<link rel="stylesheet" href="/style.css">', "<style>\n" + css + "</style>"),
    ("/pkg/zimage_web_bg.wasm", "/assets/" + wasm),
    ("/pkg/__wasm_split.js", "/assets/" + glue.rsplit("/", 1)[0] + "/__wasm_split.js"),
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
main_br=$(cat web/dist/assets/boot-*.js.br "web/dist/assets/$bundle"/zimage_web.js.br \
    "web/dist/assets/$bundle"/zimage_web_bg.wasm.br "web/dist/assets/$bundle"/__wasm_split*.js.br 2>/dev/null | wc -c)
echo "web bundle: $(du -sh --exclude='*.gz' --exclude='*.br' web/dist | cut -f1) in web/dist; a first visit loads $main_br bytes of scripts and wasm as Brotli, $(find "web/dist/assets/$bundle" -name '*.wasm' ! -name 'zimage_web_bg.wasm' | wc -l) chunks load when their pages are opened" >&2
