#!/usr/bin/env bash
# Checks the SDKs in sdk/: what is generated from openapi/openapi.json is up to date (generated
# again and compared), the TypeScript SDK compiles with `tsc --strict`, and both SDKs' unit tests
# pass (retries, event-stream parsing, webhook verification against the official Standard
# Webhooks libraries). Their end-to-end tests against a running server are api/tests/api/sdk.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
node_tools="$HOME/.cache/zimage-tools/node_modules"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stale() {
    echo "$1 is stale: run \`just sdks\` and commit the result" >&2
    exit 1
}

echo "==> TypeScript SDK"
"$node_tools/.bin/openapi-typescript" openapi/openapi.json --output "$work/schema.ts" >/dev/null
cmp -s "$work/schema.ts" sdk/typescript/src/schema.ts || stale sdk/typescript/src/schema.ts
ln -sfn "$node_tools" sdk/typescript/node_modules
rm -rf sdk/typescript/dist
"$node_tools/.bin/tsc" -p sdk/typescript
# As a user of the built package sees it: the published types must be the API's, not `any`.
"$node_tools/.bin/tsc" -p sdk/typescript/test
(cd sdk/typescript && node --test test/unit.test.mjs)

echo "==> Python SDK"
openapi-python-client generate --path openapi/openapi.json --config openapi/python-client.yaml \
    --output-path "$work/client" --meta none >/dev/null
diff -r -x __pycache__ -x .ruff_cache "$work/client" sdk/python/zimage/client >/dev/null || stale sdk/python/zimage/client
python3 sdk/python/tests/test_unit.py
