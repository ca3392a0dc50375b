#!/usr/bin/env bash
# Checks the deploy recipes in deploy/ offline, with tools written elsewhere, since no container
# engine or cluster runs here to try them:
# - deploy/Dockerfile: hadolint (every finding fails), and BuildKit's own parser
#   (deploy/checks/recipes.py): the build steps are scripts/deps.sh, scripts/build-web.sh and the
#   Justfile's cargo build; the runtime stage is a slim Debian, a numeric non-root USER,
#   HEALTHCHECK `zimage healthcheck`, STOPSIGNAL SIGTERM; .dockerignore keeps what the build reads;
# - deploy/compose.yaml: the Compose Specification's JSON schema, Docker Compose's own loader
#   (`docker compose config`; it must refuse to start without the secrets), then its services,
#   dependencies, variables (each one the code reads, or an OpenTelemetry one the trace exporter
#   reads; commented-out examples included), subcommands, health checks (the worker's asks its
#   /metrics) and stop times;
# - deploy/kubernetes: every manifest against Kubernetes' schemas (strict, oldest and newest
#   bundled versions), the ServiceMonitor and PrometheusRule against the prometheus-operator's
#   types (tsc) and validators, and the manifests against each other and the code (probes ask
#   routes their port answers; every pod with a metrics port, API and worker, is scraped);
# - deploy/prometheus/prometheus.yml: promtool check config (with the rules it loads), and it
#   scrapes every API and worker service of compose.yaml;
# - deploy/grafana: the dashboard against Grafana's published dashboard types (tsc), every query
#   parsed by promtool, naming only metrics and labels api/src/metrics.rs exports or rules.yml
#   records, every exported metric on a panel; the provisioning against compose's mounts;
# - docs/operators.md names every metric, every shipped alert and every OTEL_* variable allowed.
# scripts/deps.sh (test mode) installs the pinned tools.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$HOME/.cache/zimage-tools"
venv="$tools/deploy-check/bin"
node_tools="$tools/node_modules"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Runs a command, showing its output only when it fails.
quiet() {
    local out
    out="$("$@" 2>&1)" || { printf '%s\n' "$out" >&2; return 1; }
}

echo "==> deploy/Dockerfile: hadolint"
"$venv/hadolint" --failure-threshold info deploy/Dockerfile

echo "==> deploy/compose.yaml: the Compose Specification's schema, docker compose config"
quiet "$venv/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml
# Docker Compose's own loader (interpolation, merges, references between services), with every
# required variable given a stand-in, every profile on; and without them it must refuse.
compose="$("$venv/python" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')"
# shellcheck disable=SC2016 # the ${…} are the text searched for
{ grep -o '\${[A-Z0-9_]*:?' deploy/compose.yaml || true; } | sort -u | sed 's/^\${\(.*\):?$/\1=stand-in/' > "$work/compose.env"
: > "$work/empty.env"
env -i PATH="$PATH" "$compose" -f deploy/compose.yaml --env-file "$work/compose.env" --profile monitoring config --quiet
if env -i PATH="$PATH" "$compose" -f deploy/compose.yaml --env-file "$work/empty.env" config --quiet 2>/dev/null; then
    echo "deploy/compose.yaml starts without its secrets: mark them required (\${NAME:?message})" >&2
    exit 1
fi

echo "==> deploy/prometheus/prometheus.yml: promtool check config"
quiet promtool check config deploy/prometheus/prometheus.yml

echo "==> Dockerfile, compose, Kubernetes manifests, dashboard: schemas and the code"
"$venv/python" deploy/checks/recipes.py "$work"

echo "==> dashboard queries: promtool check rules"
quiet promtool check rules "$work/dashboard-rules.yml"

echo "==> ServiceMonitor, PrometheusRule, dashboard: tsc --strict against the published types"
ln -s "$node_tools" "$work/node_modules"
"$node_tools/.bin/tsc" -p "$work"

echo "==> ServiceMonitor, PrometheusRule: the prometheus-operator models' validators"
cp deploy/checks/operator.mjs "$work/"
node "$work/operator.mjs" "$work/crds.json"
