"""The deploy recipes held to the code they deploy (run by scripts/check-deploy.sh).

Reads what the code says (metric names and labels from api/src/metrics.rs, every variable the
configuration reads and the OpenTelemetry ones the trace exporter reads, the `zimage` subcommands
and flags, the health and metrics routes, the Justfile's and scripts' build commands, the shipped
rules) and checks deploy/ against it: the Dockerfile's build steps are the project's scripts, the
runtime stage runs as a user with a health check and SIGTERM; compose.yaml's services,
dependencies, variables (the commented-out examples too), health checks and stop times, and that
prometheus.yml scrapes every API and worker service; every Kubernetes manifest against
Kubernetes' own schemas (kubernetes-validate, strict) and against each other (probes, Services,
the ServiceMonitor reaching every pod with a metrics port); the Grafana dashboard's queries name
only metrics and labels the code exports. Writes into the folder given
as its argument what the script's later steps check with other tools: the dashboard's queries as
recording rules (promtool), TypeScript files typing the ServiceMonitor, the PrometheusRule and the
dashboard against the prometheus-operator's and Grafana's published types (tsc), and the custom
resources as JSON (the prometheus-operator models' validators).

Runs in the virtualenv scripts/deps.sh makes (PyYAML, dockerfile, kubernetes-validate).
"""

import json
import re
import shlex
import sys
from pathlib import Path

import dockerfile
import kubernetes_validate
from kubernetes_validate.utils import VersionNotSupportedError
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# The Kubernetes versions the manifests must be valid in: the oldest and newest schemas bundled.
K8S_VERSIONS = ("1.25", "1.37")
# After SIGTERM a replica drains for ZIMAGE_DRAIN_DELAY_SECS, then gives requests in flight up to
# 30 s (HttpServer::shutdown_timeout) and its job runners up to 20 s (WorkerPool::shutdown);
# `zimage worker` gives its runners 20 s (api/src/startup.rs, api/src/main.rs). Last, when traces
# are exported, the tracer provider's shutdown sends what is buffered for up to 5 s (the
# opentelemetry_sdk's default, api/src/telemetry.rs).
TRACE_FLUSH_SECS = 5
SERVE_STOP_SECS = 30 + 20 + TRACE_FLUSH_SECS
WORKER_STOP_SECS = 20 + TRACE_FLUSH_SECS
# The OpenTelemetry variables a deploy file may set: the ones api/src/telemetry.rs reads to decide
# whether to export, and those the OTLP/HTTP exporter and the SDK it builds read themselves
# (docs/operators.md, "Traces"). Any other OTEL_* name is refused: this build has no gRPC or JSON
# exporter (…_PROTOCOL), and the thread-based batch processor ignores OTEL_BSP_EXPORT_TIMEOUT.
# Values: the ones that take effect; gzip and zstd compression are not built in (ignored without a
# word), and an unknown sampler falls back to parentbased_always_on.
OTEL_VARIABLES = {
    "OTEL_SDK_DISABLED": {"true", "false"},
    "OTEL_TRACES_EXPORTER": {"otlp", "none"},
    "OTEL_EXPORTER_OTLP_ENDPOINT": None,
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": None,
    "OTEL_EXPORTER_OTLP_HEADERS": None,
    "OTEL_EXPORTER_OTLP_TIMEOUT": None,
    "OTEL_EXPORTER_OTLP_COMPRESSION": {"none"},
    "OTEL_SERVICE_NAME": None,
    "OTEL_RESOURCE_ATTRIBUTES": None,
    "OTEL_TRACES_SAMPLER": {
        "always_on", "always_off", "traceidratio",
        "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
    },
    "OTEL_TRACES_SAMPLER_ARG": None,
    "OTEL_BSP_SCHEDULE_DELAY": None,
    "OTEL_BSP_MAX_QUEUE_SIZE": None,
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": None,
}

errors: list[str] = []


def fail(where: str, message: str) -> None:
    errors.append(f"{where}: {message}")


def read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# What the code says


def macro_bodies(source: str, macro: str):
    """The argument text of every `macro!(…)` in `source`, parentheses balanced."""
    for match in re.finditer(rf"\b{macro}!\(", source):
        depth, i = 1, match.end()
        while depth and i < len(source):
            depth += {"(": 1, ")": -1}.get(source[i], 0)
            i += 1
        yield source[match.end() : i - 1]


def exported_metrics() -> dict[str, dict]:
    """Every metric api/src/metrics.rs exports: its type and the labels it is recorded with."""
    source = read("api/src/metrics.rs")
    metrics: dict[str, dict] = {}
    for kind in ("counter", "gauge", "histogram"):
        for body in macro_bodies(source, f"describe_{kind}"):
            name = re.match(r'\s*"(zimage_\w+)"', body)
            if name:
                metrics[name.group(1)] = {"type": kind, "labels": set()}
    for kind in ("counter", "gauge", "histogram"):
        for body in macro_bodies(source, f"metrics::{kind}"):
            name = re.match(r'\s*"(zimage_\w+)"', body)
            if not name:
                continue
            if name.group(1) not in metrics:
                fail("api/src/metrics.rs", f"{name.group(1)} is recorded but never described")
                continue
            metrics[name.group(1)]["labels"] |= set(re.findall(r'"(\w+)"\s*=>', body))
    if len(metrics) < 10:
        fail("api/src/metrics.rs", f"found only {len(metrics)} metrics: has the way they are declared changed?")
    return metrics


def recording_rules() -> dict[str, set[str]]:
    """The recording rules of deploy/prometheus/rules.yml and the labels they keep."""
    rules = {}
    for group in yaml.safe_load(read("deploy/prometheus/rules.yml"))["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                kept = re.search(r"\b(?:by|without)\s*\(([^)]*)\)", rule["expr"])
                rules[rule["record"]] = {l.strip() for l in kept.group(1).split(",")} if kept else set()
    return rules


def alert_names() -> list[str]:
    return [
        rule["alert"]
        for group in yaml.safe_load(read("deploy/prometheus/rules.yml"))["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def known_variables() -> tuple[set[str], re.Pattern]:
    """Every ZIMAGE_* variable the configuration and the binary read, the providers' ones, and the
    OpenTelemetry ones in OTEL_VARIABLES."""
    names = {"DATABASE_URL", "RUST_LOG"} | set(OTEL_VARIABLES)
    for path in ("api/src/config.rs", "api/src/main.rs"):
        names |= set(re.findall(r'"(ZIMAGE_[A-Z0-9_]+)"', read(path)))
    read_here = set(re.findall(r'"(OTEL_[A-Z0-9_]+)"', read("api/src/telemetry.rs")))
    if not read_here:
        fail("api/src/telemetry.rs", "names no OTEL_* variable: has the way traces are switched on changed?")
    for name in sorted(read_here - set(OTEL_VARIABLES)):
        fail("api/src/telemetry.rs", f"reads {name}, which deploy/checks/recipes.py's OTEL_VARIABLES lacks")
    manners = read("api/src/providers/manners.rs")
    providers = re.search(r"pub const PROVIDERS: \[&str; \d+\] = \[([^\]]*)\]", manners)
    suffixes = re.findall(r'format!\("\{prefix\}_([A-Z_]+)"\)', manners)
    if not providers or not suffixes:
        fail("api/src/providers/manners.rs", "cannot find the per-provider variables")
        return names, re.compile("$^")
    upper = "|".join(p.upper() for p in re.findall(r'"(\w+)"', providers.group(1)))
    return names, re.compile(rf"^ZIMAGE_({upper})_({'|'.join(suffixes)})$")


def subcommands() -> dict[str, set[str]]:
    """`zimage`'s subcommands and the long flags each takes (the clap derive in main.rs)."""
    body = re.search(r"enum Command \{(.*?)\n\}", read("api/src/main.rs"), re.S)
    commands: dict[str, set[str]] = {}
    current, long_flag = None, False
    for line in body.group(1).splitlines() if body else []:
        variant = re.match(r"    ([A-Z]\w*)", line)
        if variant:
            current = re.sub(r"(?<!^)([A-Z])", r"-\1", variant.group(1)).lower()
            commands[current] = set()
            continue
        if re.match(r"\s*#\[arg\(", line):
            long_flag = "long" in line
        field = re.match(r"\s{8}(\w+):", line)
        if field and current and long_flag:
            commands[current].add("--" + field.group(1).replace("_", "-"))
            long_flag = False
    if not {"serve", "worker", "migrate", "healthcheck"} <= commands.keys():
        fail("api/src/main.rs", f"cannot read the subcommands (found {sorted(commands)})")
    return commands


def health_routes() -> set[str]:
    return set(re.findall(r'#\[get\("(/[a-z]+)"\)\]', read("api/src/routes/health.rs")))


def metrics_route() -> str:
    """The path the metrics listener (ZIMAGE_METRICS_BIND) answers, API replicas and workers alike."""
    route = re.search(r'\.route\("(/[a-z]+)",\s*web::get\(\)', read("api/src/metrics.rs"))
    if not route:
        fail("api/src/metrics.rs", "cannot find the metrics listener's route")
        return "/metrics"
    return route.group(1)


def commented_variables(path: Path) -> dict[str, str]:
    """The variables a YAML file shows in comments (`# NAME: value`), as examples to uncomment."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*#\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):\s*(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip().strip('"')
    return found


def port_of(bind) -> int | None:
    """The port of a `host:port` bind address."""
    match = re.search(r":(\d+)$", str(bind or ""))
    return int(match.group(1)) if match else None


def selects(selector: dict, labels: dict) -> bool:
    """Whether a Kubernetes label selector (matchLabels, matchExpressions) matches `labels`."""
    if not (selector.get("matchLabels") or {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }.get(operator, False)
        if not ok:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Shared checks


def check_zimage_args(where: str, args: list[str], commands: dict[str, set[str]]) -> None:
    if not args:
        return
    if args[0] not in commands:
        fail(where, f"`zimage {args[0]}` is not a subcommand (main.rs has {', '.join(sorted(commands))})")
        return
    for flag in args[1:]:
        if flag.startswith("--") and flag.split("=")[0] not in commands[args[0]]:
            fail(where, f"`zimage {args[0]}` takes no {flag} (it takes {sorted(commands[args[0]]) or 'none'})")


def check_variables(where: str, names, known: set[str], pattern: re.Pattern) -> None:
    """Each name is one the code reads; with a mapping, the OpenTelemetry values take effect too."""
    for name in names:
        if name not in known and not pattern.match(name):
            if name.startswith("OTEL_"):
                fail(where, f"{name} is not among the OpenTelemetry variables this build reads (OTEL_VARIABLES in deploy/checks/recipes.py; docs/operators.md, Traces)")
            else:
                fail(where, f"{name} is read by nothing in api/src (a misspelt variable is silently ignored)")
        allowed = OTEL_VARIABLES.get(name)
        if allowed and isinstance(names, dict):
            value = str(names[name]).strip().lower()
            if value not in allowed and not value.startswith("${"):
                fail(where, f"{name}={names[name]} has no effect in this build (it takes {', '.join(sorted(allowed))})")


def seconds(value) -> int:
    """A Compose duration (`60s`, `1m30s`) or a number of seconds."""
    if isinstance(value, int):
        return value
    total = 0
    for amount, unit in re.findall(r"(\d+)(h|ms|m|s|us)", str(value)):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}.get(unit, 0)
    return total


# ---------------------------------------------------------------------------------------------
# The Dockerfile


def check_dockerfile(commands: dict[str, set[str]]) -> None:
    where = "deploy/Dockerfile"
    instructions = dockerfile.parse_file(str(DEPLOY / "Dockerfile"))
    stages: list[dict] = []
    for ins in instructions:
        if ins.cmd == "FROM":
            stages.append({"from": ins.value[0], "name": ins.value[2] if len(ins.value) > 2 else None, "ins": []})
        elif stages:
            stages[-1]["ins"].append(ins)
    if len(stages) < 3:
        fail(where, "expected a multi-stage build (chef, builder, runtime)")
        return

    # The build steps are the project's own scripts and the Justfile's cargo commands.
    justfile = read("Justfile")
    run_recipe = re.search(r"^\s+cargo run (.*?) -- ", justfile, re.M)
    expected_build = "cargo build " + run_recipe.group(1) if run_recipe else None
    if not expected_build:
        fail("Justfile", "the run recipe's `cargo run …` was not found")
    web_recipe = re.search(r"^web:\n((?:[ \t]+.*\n)+)", justfile, re.M)
    if not web_recipe or "scripts/build-web.sh" not in web_recipe.group(1):
        fail("Justfile", "the web recipe no longer runs scripts/build-web.sh")
    web_build = re.search(r"^cargo build (.*)$", read("scripts/build-web.sh"), re.M)
    modes = set(re.findall(r'"\$mode" = "(\w+)"', read("scripts/deps.sh")))

    runs = [
        (stage, " ".join(ins.value) if not ins.json else shlex.join(ins.value))
        for stage in stages
        for ins in stage["ins"]
        if ins.cmd == "RUN"
    ]
    seen = {"deps": False, "web": False, "build": False, "cook-api": False, "cook-web": False}
    # What the scripts do; a Dockerfile doing it itself has drifted from `just`.
    reimplemented = re.compile(
        r"\b(wasm-bindgen|wasm-opt|wasm-split|wasm_split|rustup target|binaryen|cargo install wasm)"
    )
    for stage, command in runs:
        for step in re.split(r"\s*&&\s*", command):
            step = step.strip()
            words = shlex.split(step) if step else []
            if not words:
                continue
            if reimplemented.search(step):
                fail(where, f"`{step}` does what scripts/deps.sh or scripts/build-web.sh does: call the script")
            if words[0] == "scripts/deps.sh":
                seen["deps"] = True
                if len(words) != 2 or words[1] not in modes:
                    fail(where, f"`{step}`: scripts/deps.sh has the modes {sorted(modes)}")
            elif words[0] == "scripts/build-web.sh":
                seen["web"] = True
            elif words[:2] == ["cargo", "build"]:
                seen["build"] = True
                if expected_build and step != expected_build:
                    fail(where, f"`{step}` is not the Justfile's build (`{expected_build}`)")
            elif words[:3] == ["cargo", "chef", "cook"]:
                flags = " ".join(w for w in words[3:] if w not in ("--recipe-path", "recipe.json"))
                if expected_build and flags == expected_build.removeprefix("cargo build ").replace(" --bin zimage", ""):
                    seen["cook-api"] = True
                elif web_build and set(flags.split()) == set(web_build.group(1).split()):
                    seen["cook-web"] = True
                else:
                    fail(where, f"`{step}` caches a build that neither `just` nor scripts/build-web.sh makes")
            elif words[:2] == ["cargo", "install"]:
                if "cargo-chef" not in words or "--version" not in words or "--locked" not in words:
                    fail(where, f"`{step}`: only cargo-chef is installed here, at a pinned version, --locked")
            elif words[:2] == ["cargo", "chef"] and words[2:3] == ["prepare"]:
                pass
            elif words[0] in ("apt-get", "rm", "groupadd", "useradd", "install"):
                pass
            elif words[0] == "cargo":
                fail(where, f"`{step}` is a cargo command the Justfile does not run")
    for step, what in [
        ("deps", "scripts/deps.sh"),
        ("web", "scripts/build-web.sh"),
        ("build", expected_build),
        ("cook-api", "a `cargo chef cook` of the server's dependencies"),
        ("cook-web", "a `cargo chef cook` of the web app's dependencies, as scripts/build-web.sh builds it"),
    ]:
        if not seen[step]:
            fail(where, f"no build step runs {what}")

    # The runtime stage.
    runtime = stages[-1]
    if not re.match(r"debian:.*-slim$", runtime["from"].replace("${DEBIAN_RELEASE}", "bookworm")):
        fail(where, f"the runtime stage starts from {runtime['from']}, not a slim Debian")
    by_cmd: dict[str, list] = {}
    for ins in runtime["ins"]:
        by_cmd.setdefault(ins.cmd, []).append(ins)
    last = {cmd: items[-1] for cmd, items in by_cmd.items()}
    user = last.get("USER")
    if not user or user.value[0].split(":")[0] in ("root", "0"):
        fail(where, "the runtime stage must end as a non-root USER")
    elif not user.value[0].split(":")[0].isdigit():
        fail(where, "USER should be numeric, so Kubernetes' runAsNonRoot can verify it")
    health = last.get("HEALTHCHECK")
    if not health or list(health.value) != ["CMD", "zimage", "healthcheck"]:
        fail(where, 'the runtime stage needs HEALTHCHECK CMD ["zimage", "healthcheck"]')
    if not last.get("STOPSIGNAL") or last["STOPSIGNAL"].value[0] != "SIGTERM":
        fail(where, "the runtime stage needs STOPSIGNAL SIGTERM")
    if not last.get("ENTRYPOINT") or list(last["ENTRYPOINT"].value) != ["zimage"] or not last["ENTRYPOINT"].json:
        fail(where, 'ENTRYPOINT must be ["zimage"] (exec form: signals reach the process)')
    if last.get("CMD"):
        check_zimage_args(where + " CMD", list(last["CMD"].value), commands)
    env = {}
    for ins in by_cmd.get("ENV", []):
        env.update(dict(zip(ins.value[::2], ins.value[1::2])))
    copies = {
        ins.value[-1]: ins.value[0]
        for ins in by_cmd.get("COPY", [])
        if any(f.startswith("--from=") for f in ins.flags)
    }
    if copies.get(env.get("ZIMAGE_WEB_DIR")) != "/src/web/dist":
        fail(where, "ZIMAGE_WEB_DIR must name where the builder's web/dist is copied")
    if not any(dest.endswith("/zimage") and src.endswith("/release/zimage") for dest, src in copies.items()):
        fail(where, "the runtime stage must copy the release build of zimage")
    data_dir = env.get("ZIMAGE_DATA_DIR")
    volumes = [v for ins in by_cmd.get("VOLUME", []) for v in ins.value]
    if not data_dir or data_dir not in volumes:
        fail(where, "ZIMAGE_DATA_DIR must be set and declared a VOLUME")
    exposed = {v.split("/")[0] for ins in by_cmd.get("EXPOSE", []) for v in ins.value}
    for var in ("ZIMAGE_BIND", "ZIMAGE_METRICS_BIND"):
        port = env.get(var, "").rsplit(":", 1)[-1]
        if port not in exposed:
            fail(where, f"{var}'s port {port or '(unset)'} is not EXPOSEd")
    check_dockerignore(instructions)


def check_dockerignore(instructions) -> None:
    """The build context keeps what the build reads: explicit COPY sources, the workspace."""
    where = ".dockerignore"
    patterns = [
        line.strip()
        for line in read(".dockerignore").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def regex(pattern: str) -> str:
        out = re.escape(pattern.strip("/"))
        out = out.replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        return out.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")

    def ignored(path: str) -> bool:
        """Docker's rule: the last pattern that matches the path or a folder above it wins."""
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        hit = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            if any(re.fullmatch(regex(pattern.lstrip("!")), prefix) for prefix in prefixes):
                hit = not negate
        return hit

    members = re.search(r"members = \[([^\]]*)\]", read("Cargo.toml")).group(1)
    needed = [m for m in re.findall(r'"([^"]+)"', members)]
    needed += ["Cargo.toml", "Cargo.lock", ".cargo/config.toml", "migrations", "web/static", "scripts/deps.sh",
               "scripts/build-web.sh", "api/legal"]
    needed += [ins.value[0] for ins in instructions if ins.cmd == "COPY" and not ins.flags and ins.value[0] != "."]
    for path in needed:
        if ignored(path):
            fail(where, f"{path} is left out of the build context, but the build needs it")
    for path in ["target", "web/dist", ".git", "data", ".env", "sdk/typescript/node_modules"]:
        if not ignored(path):
            fail(where, f"{path} should be left out of the build context")


# ---------------------------------------------------------------------------------------------
# compose.yaml


def scraped_by_prometheus() -> set[tuple[str, int]]:
    """The (host, port) pairs deploy/prometheus/prometheus.yml scrapes: DNS names and static targets."""
    config = yaml.safe_load(read("deploy/prometheus/prometheus.yml"))
    scraped = set()
    for job in config.get("scrape_configs") or []:
        for sd in job.get("dns_sd_configs") or []:
            if sd.get("type", "SRV") == "A":
                scraped |= {(name, int(sd.get("port", 0))) for name in sd.get("names") or []}
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                scraped.add((host, int(port)))
    return scraped


def check_compose(commands, known, pattern, metrics_path: str) -> None:
    where = "deploy/compose.yaml"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose.get("services", {})
    check_variables(f"{where} (commented-out examples)", commented_variables(DEPLOY / "compose.yaml"), known, pattern)
    scraped = scraped_by_prometheus()
    volumes = set(compose.get("volumes") or {})
    required_secrets: set[str] = set()
    zimage_roles = set()
    for name, service in services.items():
        here = f"{where} services.{name}"
        image = str(service.get("image", ""))
        build = service.get("build") or {}
        is_zimage = isinstance(build, dict) and build.get("dockerfile") == "deploy/Dockerfile"
        if not is_zimage and (image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]):
            fail(here, f"pin the image's version ({image})")
        dependencies = service.get("depends_on") or {}
        if isinstance(dependencies, list):
            dependencies = {name: None for name in dependencies}
        for dependency, how in dependencies.items():
            if dependency not in services:
                fail(here, f"depends on {dependency}, which is not a service")
                continue
            other = services[dependency]
            condition = how.get("condition") if isinstance(how, dict) else None
            if condition == "service_healthy":
                check = other.get("healthcheck") or {}
                other_zimage = (other.get("build") or {}).get("dockerfile") == "deploy/Dockerfile"
                if check.get("disable") or (not check.get("test") and not other_zimage):
                    fail(here, f"waits for {dependency} to be healthy, which has no health check")
            elif condition == "service_completed_successfully":
                if other.get("restart", "no") != "no":
                    fail(here, f"waits for {dependency} to complete, but it restarts")
            else:
                fail(here, f"depends on {dependency} without a condition (service_healthy or service_completed_successfully)")
            if set(service.get("profiles") or []) != set(other.get("profiles") or []) and other.get("profiles"):
                fail(here, f"depends on {dependency}, which only runs in profiles {other['profiles']}")
        for mount in service.get("volumes") or []:
            source = str(mount).split(":")[0]
            if source.startswith("."):
                if not (DEPLOY / source).exists():
                    fail(here, f"mounts {source}, which does not exist beside compose.yaml")
            elif source not in volumes:
                fail(here, f"mounts the volume {source}, which is not declared")
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            if re.search(r"PASSWORD|SECRET|ENCRYPTION_KEY", key) or "${POSTGRES_PASSWORD" in str(value):
                required = re.findall(r"\$\{(\w+):\?", str(value))
                if not required:
                    fail(here, f"{key} must come from a required variable (${{NAME:?…}}), never a value in the file")
                required_secrets |= set(required)
        if not is_zimage:
            continue
        # The zimage services: known variables, real subcommands, health and stop times.
        check_variables(here, environment, known, pattern)
        command = service.get("command") or ["serve"]
        command = shlex.split(command) if isinstance(command, str) else list(command)
        check_zimage_args(here, command, commands)
        role = command[0]
        zimage_roles.add(role)
        if role not in ("migrate",) and not service.get("read_only"):
            fail(here, "run with a read-only root (read_only: true); the app writes only to ZIMAGE_DATA_DIR")
        mounted = {str(m).split(":")[1] for m in service.get("volumes") or []}
        if role in ("serve", "worker") and environment.get("ZIMAGE_DATA_DIR") not in mounted:
            fail(here, "ZIMAGE_DATA_DIR must be on a volume")
        check = service.get("healthcheck") or {}
        test = list(check.get("test") or [])
        if test[1:3] == ["zimage", "healthcheck"]:
            check_zimage_args(f"{here} healthcheck", test[2:], commands)
        drain = int(environment.get("ZIMAGE_DRAIN_DELAY_SECS", 0))
        grace = seconds(service.get("stop_grace_period", "10s"))
        metrics_port = port_of(environment.get("ZIMAGE_METRICS_BIND"))
        if role in ("serve", "worker"):
            if not metrics_port:
                fail(here, f"set ZIMAGE_METRICS_BIND: what `zimage {role}` counts is only seen there")
            elif (name, metrics_port) not in scraped:
                fail("deploy/prometheus/prometheus.yml", f"no job scrapes the {name} service's metrics ({name}:{metrics_port})")
        if role == "serve":
            if check.get("disable") or test[:3] != ["CMD", "zimage", "healthcheck"]:
                fail(here, "`zimage serve` needs the health check `zimage healthcheck`")
            if grace < drain + SERVE_STOP_SECS:
                fail(here, f"stop_grace_period {grace}s is shorter than the drain ({drain} s) + {SERVE_STOP_SECS} s")
        if role == "worker":
            # `zimage worker` has no /readyz (the image's check would never pass): its health check
            # asks its metrics listener.
            wanted = ["CMD", "zimage", "healthcheck", "--url", f"http://127.0.0.1:{metrics_port}{metrics_path}"]
            if metrics_port and (check.get("disable") or test != wanted):
                fail(here, f"`zimage worker` needs the health check {wanted} (it serves no /readyz)")
            if grace < WORKER_STOP_SECS:
                fail(here, f"stop_grace_period {grace}s is shorter than the worker's {WORKER_STOP_SECS} s (hand-back and last traces)")
    for role in ("serve", "worker", "migrate"):
        if role not in zimage_roles:
            fail(where, f"no service runs `zimage {role}`")
    for name in ("prometheus", "grafana"):
        if "monitoring" not in (services.get(name, {}).get("profiles") or []):
            fail(where, f"{name} should be in the monitoring profile")
    documented = set(re.findall(r"^#?\s*(\w+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.M))
    for name in sorted(required_secrets - documented):
        fail("deploy/.env.example", f"{name}, which compose.yaml requires, is not listed")


# ---------------------------------------------------------------------------------------------
# Kubernetes


def check_kubernetes(commands, known, pattern, routes, metrics_path: str, work: Path) -> None:
    folder = DEPLOY / "kubernetes"
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(kustomization.get("resources") or [])
    for name in sorted(listed):
        if not (folder / name).exists():
            fail("deploy/kubernetes/kustomization.yaml", f"lists {name}, which does not exist")
    docs = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        if path.name not in listed and not path.name.endswith(".example.yaml"):
            fail(f"deploy/kubernetes/{path.name}", "not listed in kustomization.yaml")
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                docs.append((f"deploy/kubernetes/{path.name}", doc))
        check_variables(f"deploy/kubernetes/{path.name} (commented-out examples)", commented_variables(path), known, pattern)
    custom = []
    schema_errors = len(errors)
    for where, doc in docs:
        if doc.get("apiVersion", "").startswith("monitoring.coreos.com/"):
            custom.append(doc)
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                fail(where, f"{doc.get('kind')} {doc.get('metadata', {}).get('name')}: {path}: {e.message} (Kubernetes {version})")
            except (kubernetes_validate.SchemaNotFoundError, VersionNotSupportedError) as e:
                fail(where, e.message)
    (work / "crds.json").write_text(json.dumps(custom), encoding="utf-8")
    if len(errors) > schema_errors:
        return  # The cross-checks below read the manifests as the schemas describe them.

    kinds: dict[str, list[tuple[str, dict]]] = {}
    for where, doc in docs:
        kinds.setdefault(doc["kind"], []).append((where, doc))
    config = {}
    for where, doc in kinds.get("ConfigMap", []):
        config.update(doc.get("data") or {})
        check_variables(where, doc.get("data") or {}, known, pattern)
    for where, doc in kinds.get("Secret", []):
        check_variables(where, (doc.get("stringData") or {}) | (doc.get("data") or {}), known, pattern)
    drain = int(config.get("ZIMAGE_DRAIN_DELAY_SECS", 0))
    data_dir = config.get("ZIMAGE_DATA_DIR")
    ports = {var: int(config.get(var, ":0").rsplit(":", 1)[1]) for var in ("ZIMAGE_BIND", "ZIMAGE_METRICS_BIND")}

    pod_labels = []
    # (where, Deployment, its pods' labels): pods with a metrics port, each to be scraped.
    metrics_pods = []
    for where, doc in kinds.get("Deployment", []) + kinds.get("Job", []):
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]["spec"]
        labels = doc["spec"]["template"]["metadata"].get("labels", {})
        pod_labels.append(labels)
        selector = (doc["spec"].get("selector") or {}).get("matchLabels")
        if selector and not selector.items() <= labels.items():
            fail(where, f"{name}: its selector does not match its pods' labels")
        security = pod.get("securityContext") or {}
        if not security.get("runAsNonRoot"):
            fail(where, f"{name}: pods must set runAsNonRoot")
        for container in pod["containers"]:
            here = f"{where} {name}/{container['name']}"
            args = container.get("args") or ["serve"]
            check_zimage_args(here, args, commands)
            check_variables(here, {e["name"]: e.get("value", "${from elsewhere}") for e in container.get("env") or []}, known, pattern)
            csec = container.get("securityContext") or {}
            if not csec.get("readOnlyRootFilesystem") or csec.get("allowPrivilegeEscalation", True):
                fail(here, "set readOnlyRootFilesystem and allowPrivilegeEscalation: false")
            mounts = {m["mountPath"] for m in container.get("volumeMounts") or []}
            if args[0] in ("serve", "worker") and data_dir not in mounts:
                fail(here, f"ZIMAGE_DATA_DIR ({data_dir}) must be a mounted volume (the root is read-only)")
            named_ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
            grace = pod.get("terminationGracePeriodSeconds", 30)
            if "metrics" in named_ports:
                metrics_pods.append((here, labels))
            # What each listener answers: the API's routes on ZIMAGE_BIND, the metrics route alone
            # on ZIMAGE_METRICS_BIND.
            answers = {ports["ZIMAGE_BIND"]: routes, ports["ZIMAGE_METRICS_BIND"]: {metrics_path}}
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                get = (container.get(probe) or {}).get("httpGet") or {}
                if not get:
                    continue
                port = named_ports.get(get.get("port"), get.get("port"))
                if port not in named_ports.values():
                    fail(here, f"{probe} asks port {get.get('port')}, which this container does not declare")
                elif port not in answers:
                    fail(here, f"{probe} asks port {port}, which is neither ZIMAGE_BIND's nor ZIMAGE_METRICS_BIND's")
                elif get.get("path") not in answers[port]:
                    fail(here, f"{probe} asks {get.get('path')} on port {port}, which answers only {sorted(answers[port])}")
            if args[0] in ("serve", "worker") and named_ports.get("metrics") != ports["ZIMAGE_METRICS_BIND"]:
                fail(here, f"the metrics port must be ZIMAGE_METRICS_BIND's ({ports['ZIMAGE_METRICS_BIND']}): what `zimage {args[0]}` counts is only seen there")
            if args[0] == "serve":
                if named_ports.get("http") != ports["ZIMAGE_BIND"]:
                    fail(here, "the http port must be ZIMAGE_BIND's")
                for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
                    got = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
                    if got != path:
                        fail(here, f"{probe} should ask {path} (got {got})")
                if grace < drain + SERVE_STOP_SECS:
                    fail(here, f"terminationGracePeriodSeconds {grace} is shorter than the drain ({drain} s) + {SERVE_STOP_SECS} s")
                ready = container.get("readinessProbe") or {}
                noticed = ready.get("periodSeconds", 10) * ready.get("failureThreshold", 3)
                if drain < noticed:
                    fail(here, f"ZIMAGE_DRAIN_DELAY_SECS ({drain}) is shorter than the readiness probe takes to notice ({noticed} s)")
            if args[0] == "worker":
                for probe in ("readinessProbe", "livenessProbe"):
                    got = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
                    if got != metrics_path:
                        fail(here, f"{probe} should ask {metrics_path} on the metrics port, the worker's only listener (got {got})")
                if grace < WORKER_STOP_SECS:
                    fail(here, f"terminationGracePeriodSeconds {grace} is shorter than the worker's {WORKER_STOP_SECS} s (hand-back and last traces)")

    def selects_a_pod(selector: dict) -> bool:
        return any(selects(selector, labels) for labels in pod_labels)

    services = {}
    for where, doc in kinds.get("Service", []):
        services[doc["metadata"]["name"]] = doc
        if not selects_a_pod({"matchLabels": doc["spec"].get("selector") or {}}):
            fail(where, f"Service {doc['metadata']['name']} selects no pod")
    for where, doc in kinds.get("PodDisruptionBudget", []):
        if not selects_a_pod(doc["spec"]["selector"]):
            fail(where, f"PodDisruptionBudget {doc['metadata']['name']} selects no pod")
    # Every Service port a ServiceMonitor scrapes: (Service, port).
    monitored = []
    for where, doc in kinds.get("ServiceMonitor", []):
        chosen = [s for s in services.values() if selects(doc["spec"]["selector"], s["metadata"].get("labels", {}))]
        if not chosen:
            fail(where, "the ServiceMonitor selects no Service")
        for endpoint in doc["spec"].get("endpoints") or []:
            if endpoint.get("path", "/metrics") != metrics_path:
                fail(where, f"its endpoint asks {endpoint.get('path')}; the metrics listener answers {metrics_path}")
            found = [(s, p) for s in chosen for p in s["spec"]["ports"] if p.get("name") == endpoint.get("port")]
            if not found:
                fail(where, f"no selected Service has a port named {endpoint.get('port')}")
            monitored += found
    # Each pod with a metrics port is behind a scraped Service port that leads to that port.
    for here, labels in metrics_pods:
        if not any(
            (s["spec"].get("selector") or {}).items() <= labels.items() and p.get("targetPort") in ("metrics", ports["ZIMAGE_METRICS_BIND"])
            for s, p in monitored
        ):
            fail(here, "no ServiceMonitor scrapes its metrics port: give it a Service the ServiceMonitor selects")
    rules = yaml.safe_load(read("deploy/prometheus/rules.yml"))["groups"]
    for where, doc in kinds.get("PrometheusRule", []):
        if doc["spec"].get("groups") != rules:
            fail(where, "its groups differ from deploy/prometheus/rules.yml (copy them over)")
    if not kinds.get("PrometheusRule"):
        fail("deploy/kubernetes", "no PrometheusRule carries deploy/prometheus/rules.yml")


# ---------------------------------------------------------------------------------------------
# Grafana


def dashboard_queries(dashboard: dict):
    """(where, target) for every query of every panel, rows included."""
    def walk(panels):
        for panel in panels:
            for target in panel.get("targets") or []:
                if target.get("expr"):
                    yield f"panel {panel.get('title')!r} query {target.get('refId')}", target
            yield from walk(panel.get("panels") or [])
    yield from walk(dashboard.get("panels") or [])


def check_grafana(metrics: dict, recorded: dict, work: Path) -> None:
    where = "deploy/grafana/dashboards/zimage.json"
    try:
        dashboard = json.loads((DEPLOY / "grafana/dashboards/zimage.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        fail(where, f"not JSON: {e}")
        return
    series = {}
    for name, info in metrics.items():
        series[name] = info["labels"]
        if info["type"] == "histogram":
            series[name + "_bucket"] = info["labels"] | {"le"}
            series[name + "_sum"] = series[name + "_count"] = info["labels"]
    series.update(recorded)
    target_labels = {"instance", "job"}
    used = set()
    rules = []
    ids = set()
    for panel in dashboard.get("panels") or []:
        if panel.get("id") in ids:
            fail(where, f"panel id {panel.get('id')} is used twice")
        ids.add(panel.get("id"))
    queries = list(dashboard_queries(dashboard))
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        query = variable.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        values = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", text or "")
        if values:
            if values.group(1) not in series or values.group(2) not in series[values.group(1)]:
                fail(where, f"variable {variable['name']}: {text} names no exported metric and label")
            used.add(values.group(1))
    if not queries:
        fail(where, "no queries")
    for i, (here, target) in enumerate(queries):
        expr = target["expr"]
        # Grafana's variables, as Prometheus would see them once Grafana has filled them in.
        concrete = re.sub(r"\$__(rate_interval|interval|range)|\$\{__\w+\}", "5m", expr)
        concrete = re.sub(r"\$\{?(\w+)\}?", ".+", concrete)
        rules.append({"record": f"dashboard:query_{i}:check", "expr": concrete})
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', concrete)
        names = set(re.findall(r"\b(zimage[_:][a-zA-Z0-9_:]+)", stripped))
        if not names:
            fail(where, f"{here}: `{expr}` queries no zimage metric")
        labels = set()
        for name in names:
            if name not in series:
                fail(where, f"{here}: {name} is neither exported by api/src/metrics.rs nor recorded by rules.yml")
            else:
                labels |= series[name]
                used.add(re.sub(r"_(bucket|sum|count)$", "", name) if name not in metrics else name)
        mentioned = set()
        for group in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", stripped):
            mentioned |= {l.strip() for l in group.split(",") if l.strip()}
        mentioned |= set(re.findall(r"[{,]\s*(\w+)\s*(?:=~|!~|!=|=)", stripped))
        for label in sorted(mentioned - labels - target_labels):
            fail(where, f"{here}: label {label} is not one that {', '.join(sorted(names))} carries")
        for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat") or ""):
            if label not in labels | target_labels:
                fail(where, f"{here}: the legend names {label}, which {', '.join(sorted(names))} does not carry")
    for name in sorted(set(metrics) - used):
        fail(where, f"{name} (api/src/metrics.rs) appears in no panel")
    (work / "dashboard-rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, sort_keys=False), encoding="utf-8"
    )

    # Grafana's provisioning: a Prometheus data source, and a provider whose path compose mounts.
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    grafana = compose["services"].get("grafana", {})
    mounts = {str(m).split(":")[1]: str(m).split(":")[0] for m in grafana.get("volumes") or []}
    sources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text())
    if sources.get("apiVersion") != 1 or not any(s.get("type") == "prometheus" and s.get("url") for s in sources.get("datasources") or []):
        fail("deploy/grafana/provisioning/datasources/prometheus.yaml", "needs apiVersion 1 and a prometheus data source with a url")
    prometheus_url = next((s["url"] for s in sources.get("datasources") or [] if s.get("type") == "prometheus"), "")
    if not re.match(r"https?://prometheus:9090/?$", prometheus_url):
        fail("deploy/grafana/provisioning/datasources/prometheus.yaml", f"{prometheus_url} is not compose's prometheus service")
    providers = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/zimage.yaml").read_text())
    for provider in providers.get("providers") or []:
        path = (provider.get("options") or {}).get("path")
        if mounts.get(path) != "./grafana/dashboards":
            fail("deploy/grafana/provisioning/dashboards/zimage.yaml", f"{path} is not where compose.yaml mounts deploy/grafana/dashboards")
    if mounts.get("/etc/grafana/provisioning") != "./grafana/provisioning":
        fail("deploy/compose.yaml services.grafana", "must mount ./grafana/provisioning at /etc/grafana/provisioning")


# ---------------------------------------------------------------------------------------------
# TypeScript against the published types


def write_type_checks(work: Path) -> None:
    custom = json.loads((work / "crds.json").read_text(encoding="utf-8"))
    lines = []
    for i, doc in enumerate(custom):
        kind = doc.get("kind")
        lines.append(
            f'import type {{ I{kind} as T{i} }} from '
            f'"@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/{kind}";\n'
            f"export const resource{i}: T{i} = {json.dumps(doc, indent=1)};\n"
        )
    (work / "operator.ts").write_text("".join(lines), encoding="utf-8")
    dashboard = (DEPLOY / "grafana/dashboards/zimage.json").read_text(encoding="utf-8")
    (work / "dashboard.ts").write_text(
        'import type { Dashboard } from "@grafana/schema";\n'
        "// JSON has no enums: a string enum's members are taken as the strings they stand for.\n"
        "type Json<T> = T extends string ? string : T extends number | boolean | null | undefined ? T\n"
        "  : T extends Array<infer U> ? Array<Json<U>> : { [K in keyof T]: Json<T[K]> };\n"
        f"export const dashboard: Json<Dashboard> = {dashboard};\n",
        encoding="utf-8",
    )
    (work / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "target": "es2022",
                    "lib": ["es2022"],
                    "module": "esnext",
                    "moduleResolution": "bundler",
                    "skipLibCheck": True,
                },
                "files": ["operator.ts", "dashboard.ts"],
            }
        ),
        encoding="utf-8",
    )


# ---------------------------------------------------------------------------------------------
# The operator guide


def check_guide(metrics: dict) -> None:
    where = "docs/operators.md"
    guide = read(where)
    for name in sorted(metrics):
        if f"`{name}`" not in guide:
            fail(where, f"the metrics table lacks {name}")
    for name in alert_names():
        if name not in guide:
            fail(where, f"the shipped alert {name} is not described")
    for name in sorted(OTEL_VARIABLES):
        if f"`{name}`" not in guide:
            fail(where, f"the Traces section does not name {name}, which the deploy files may set")


def main() -> int:
    work = Path(sys.argv[1])
    metrics = exported_metrics()
    recorded = recording_rules()
    known, pattern = known_variables()
    commands = subcommands()
    routes = health_routes()
    check_dockerfile(commands)
    metrics_path = metrics_route()
    check_compose(commands, known, pattern, metrics_path)
    check_kubernetes(commands, known, pattern, routes, metrics_path, work)
    check_grafana(metrics, recorded, work)
    write_type_checks(work)
    check_guide(metrics)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
