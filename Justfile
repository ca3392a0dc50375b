# Z-Image Studio — the commands people need. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Build output lives outside the checkout so fresh clones (CI) reuse it.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", env_var("HOME") / ".cache/zimage-target")

# Start the whole product on embedded defaults and print its URL.
run: (deps "run") web
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(scripts/ensure-postgres.sh zimage)"
    echo "database: $DATABASE_URL"
    cargo run --release -p zimage-api --bin zimage -- serve

# Every check CI runs: format, lint, wasm build, unit, integration, drift and browser tests.
test: (deps "test")
    cargo fmt --all --check
    scripts/check-openapi.sh
    scripts/check-sdks.sh
    scripts/check-deploy.sh
    cargo fetch --locked
    cargo deny --offline --log-level error check
    cargo clippy --workspace --exclude zimage-web --all-targets -- -D warnings
    cargo clippy -p zimage-web --target wasm32-unknown-unknown -- -D warnings
    cargo check -p zimage-shared --target wasm32-unknown-unknown
    scripts/build-web.sh
    just _suite

# Unit, integration and browser tests against a fresh database per test.
_suite:
    #!/usr/bin/env bash
    set -euo pipefail
    admin_url="$(scripts/ensure-postgres.sh postgres)"
    # Drop databases left by earlier runs (each test makes its own).
    psql "$admin_url" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'zimage\_t\_%'" \
        | xargs -r -I{} psql "$admin_url" -qc 'DROP DATABASE IF EXISTS "{}" WITH (FORCE)'
    ZIMAGE_TEST_DATABASE_URL="$admin_url" cargo nextest run --workspace --exclude zimage-web --no-fail-fast
    # Three replicas and two workers behind HAProxy: smoke, shared limits, live stream across them.
    python3 scripts/cluster.py --quick --zimage "$CARGO_TARGET_DIR/debug/zimage" --database-url "$admin_url"

# Browser tests only (builds the web bundle first).
e2e: (deps "test") web
    ZIMAGE_TEST_DATABASE_URL="$(scripts/ensure-postgres.sh postgres)" cargo nextest run -p zimage-e2e

# Three API replicas and two workers behind HAProxy, with PostgreSQL, Redis and moto (S3): smoke,
# load (three replicas against one), shared limits, live streams across replicas, SIGKILL and a
# rolling restart under load. Writes its figures into bench/RESULTS.md and bench/RELIABILITY.md.
cluster seconds="5" tasks="60": (deps "test") (deps "cluster")
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p zimage-api --bin zimage
    python3 scripts/cluster.py --write --seconds {{seconds}} --tasks {{tasks}} \
        --zimage "$CARGO_TARGET_DIR/release/zimage" --database-url "$(scripts/ensure-postgres.sh postgres)"

# Build the web app into web/dist.
web:
    scripts/build-web.sh

# `just bench 3 5 read,login` measures only the named scenarios (read, submit, login, pipeline,
# latency, inflight, gpus, export, sse, web, gallery, lighthouse) and writes bench/RESULTS-partial.md instead.
# Measure the release build against ceilings taken in the same run; writes bench/RESULTS.md.
bench runs="3" seconds="5" only="": (deps "bench") web
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p zimage-api -p zimage-bench
    admin_url="$(scripts/ensure-postgres.sh postgres)"
    out=bench/RESULTS.md; [ -n "{{only}}" ] && out=bench/RESULTS-partial.md
    # 10,000 live streams need as many file descriptors on each side.
    ulimit -n "$(ulimit -Hn)"
    "$CARGO_TARGET_DIR/release/zimage-bench" --zimage "$CARGO_TARGET_DIR/release/zimage" \
        --database-url "$admin_url" --runs {{runs}} --seconds {{seconds}} --only "{{only}}" --out "$out"

# `just test` runs all of these too, with schemathesis at 10 examples per operation and without
# its stateful phase.
# The fault scenarios of bench/RELIABILITY.md alone, printing their figures; schemathesis at more examples.
chaos examples="100": (deps "test")
    #!/usr/bin/env bash
    set -euo pipefail
    admin_url="$(scripts/ensure-postgres.sh postgres)"
    ZIMAGE_TEST_DATABASE_URL="$admin_url" ZIMAGE_SCHEMATHESIS_EXAMPLES={{examples}} \
        ZIMAGE_SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful \
        cargo nextest run -p zimage-api --no-capture -E "$(printf '%s' \
            'test(chaos::) | test(conformance::) | test(bola::) | test(providers::)' \
            ' | test(/killing_one_of_two_worker_processes/) | test(/a_thousand_parallel_holds/)' \
            ' | test(/shuffled_and_duplicated_stripe_events/) | test(/a_burst_of_sign_ins_larger_than_the_pool/)' \
            ' | test(/decompression_bombs/) | test(/decode_to_hundreds_of_megabytes/)' \
            ' | test(/a_burst_of_failed_sign_ins/) | test(/parallel_export_downloads/)' \
            ' | test(/an_endless_error_answer/) | test(/a_slow_receiver_delays_only_its_own/)')"

# Targets: upload sniffing, signature headers, generation requests. Corpora live in
# fuzz/corpus/<target>; crashes land in fuzz/artifacts.
# Fuzz the parsers of untrusted input for `seconds` per target (nightly + cargo-fuzz).
fuzz seconds="60": (deps "fuzz")
    #!/usr/bin/env bash
    set -euo pipefail
    cd fuzz
    for target in upload_sniffing signature_headers generation_request; do
        mkdir -p "corpus/$target"
        # Safe Rust only (unsafe is forbidden), so no sanitizer: coverage guidance, overflow
        # checks and the targets' own assertions do the work.
        cargo +nightly fuzz run --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
            -max_total_time={{seconds}} -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
    done

# Regenerate openapi/openapi.json from the code.
openapi:
    cargo run -q -p zimage-api --bin zimage -- openapi > openapi/openapi.json

# Regenerate what the SDKs in sdk/ generate from openapi/openapi.json (run after `just openapi`).
sdks: (deps "test")
    "$HOME/.cache/zimage-tools/node_modules/.bin/openapi-typescript" openapi/openapi.json --output sdk/typescript/src/schema.ts
    rm -rf sdk/python/zimage/client
    openapi-python-client generate --path openapi/openapi.json --config openapi/python-client.yaml --output-path sdk/python/zimage/client --meta none

# Regenerate api/src/db/schema.rs from the migrations.
schema: (deps "test")
    #!/usr/bin/env bash
    set -euo pipefail
    admin_url="$(scripts/ensure-postgres.sh postgres)"
    db="zimage_schema_$$"
    psql "$admin_url" -qc "CREATE DATABASE $db"
    trap 'psql "$admin_url" -qc "DROP DATABASE $db"' EXIT
    diesel migration run --migration-dir migrations --database-url "${admin_url%/*}/$db" >/dev/null
    diesel print-schema --database-url "${admin_url%/*}/$db" > api/src/db/schema.rs

# Format all code.
fmt:
    cargo fmt --all

# Lint like CI does.
lint:
    cargo clippy --workspace --exclude zimage-web --all-targets -- -D warnings
    cargo clippy -p zimage-web --target wasm32-unknown-unknown -- -D warnings

# Install build and test prerequisites that are missing.
deps mode="test":
    scripts/deps.sh {{mode}}
