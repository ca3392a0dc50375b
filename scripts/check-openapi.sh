#!/usr/bin/env bash
# Checks openapi/openapi.json with tools written elsewhere, as integrators would use them:
# openapi-spec-validator, Redocly's linter (recommended rules, warnings as errors), and the
# TypeScript and Python clients generated from it (openapi-typescript types compiled with
# `tsc --strict` against openapi/checks/usage.ts; openapi-python-client with no warnings, every
# operation importable). scripts/deps.sh installs the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=openapi/openapi.json
node_tools="$HOME/.cache/zimage-tools/node_modules"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> openapi-spec-validator"
python3 -m openapi_spec_validator "$doc"

echo "==> redocly lint"
(cd openapi && "$node_tools/.bin/redocly" lint --config redocly.yaml --format stylish openapi.json 2>&1 \
    | grep -v -e '^\s*║' -e '^\s*╔' -e '^\s*╚' -e '^\s*$')

echo "==> openapi-typescript + tsc --strict"
"$node_tools/.bin/openapi-typescript" "$doc" --output "$work/api.d.ts" >/dev/null
cp openapi/checks/usage.ts "$work/usage.ts"
ln -s "$node_tools" "$work/node_modules"
cat > "$work/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "noUnusedLocals": true,
    "target": "es2022",
    "lib": ["es2022", "dom"],
    "module": "esnext",
    "moduleResolution": "bundler",
    "skipLibCheck": true
  },
  "files": ["usage.ts"]
}
JSON
"$node_tools/.bin/tsc" -p "$work"

echo "==> openapi-python-client"
openapi-python-client generate --path "$doc" --config openapi/python-client.yaml \
    --output-path "$work/zimage_client" --meta none >"$work/python.log" 2>&1 \
    || { cat "$work/python.log"; exit 1; }
if grep -q -e WARNING -e Error "$work/python.log"; then
    cat "$work/python.log"
    echo "openapi-python-client warned: the document loses something in the generated client" >&2
    exit 1
fi
python3 openapi/checks/python_client.py "$work/zimage_client" "$doc"
