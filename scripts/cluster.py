#!/usr/bin/env python3
"""`just cluster`: the product as several machines would run it, on this one.

Starts three API replicas (`zimage serve --no-workers`) and two `zimage worker` processes behind
HAProxy (Debian's package, health-checking `/readyz`), with PostgreSQL and Redis from the machine's
services and moto as the S3-compatible store, then drives through the balancer:

  smoke       sign up, verify by the mailed link, sign in, generate, download the image
  limits      the N+1st failed sign-in is refused whichever replica takes it (Redis-shared budget)
  sse         a live stream on one replica hears about a task submitted on another and run by a worker
  load        (full run) reads through the balancer against one replica alone, as a ratio
  faults      (full run) tasks submitted without pause while one API replica and one worker are
              killed with SIGKILL, then every API replica restarted in turn: no task lost, none
              charged twice, the live stream reconnects

`--quick` (run by `just test`) does smoke, limits and sse. The full run writes its figures between
markers in bench/RESULTS.md and bench/RELIABILITY.md. Exits non-zero when any check fails.
"""

import argparse
import base64
import email
import email.policy
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "correct horse battery staple"
FAILED = []


def check(ok, what):
    print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
    if not ok:
        FAILED.append(what)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def request(base, method, path, body=None, token=None, headers=None, timeout=30):
    """One HTTP request; (status, headers, parsed JSON or raw bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, raw = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, dict(e.headers), e.read()
    ctype = hdrs.get("Content-Type", hdrs.get("content-type", ""))
    if "json" in ctype:
        return status, hdrs, json.loads(raw or b"null")
    return status, hdrs, raw


class Cluster:
    def __init__(self, zimage, admin_url, quick):
        self.zimage = zimage
        self.quick = quick
        self.work = tempfile.mkdtemp(prefix="zimage-cluster-")
        self.procs = {}
        self.crashed = False
        self.run = run = uuid.uuid4().hex[:10]
        self.db = f"zimage_cluster_{run}"
        self.admin_url = admin_url

    def up(self):
        """Starts everything; [`Cluster.stop`] undoes what was started even if this fails."""
        admin_url, zimage = self.admin_url, self.zimage
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{self.db}"'], check=True)
        self.database_url = re.sub(r"/[^/]*$", f"/{self.db}", admin_url)
        # moto: an S3-compatible server, with the bucket made through the S3 API itself.
        run = self.run
        self.s3_port = free_port()
        self.start("s3", ["moto_server", "-H", "127.0.0.1", "-p", str(self.s3_port)], {})
        wait_until(lambda: request(f"http://127.0.0.1:{self.s3_port}", "GET", "/")[0] == 200, 30, "moto")
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
            region_name="us-east-1",
        ).create_bucket(Bucket="zimage")
        self.lb_port = free_port()
        self.lb = f"http://127.0.0.1:{self.lb_port}"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "DATABASE_URL": self.database_url,
            "ZIMAGE_PUBLIC_URL": self.lb,
            "ZIMAGE_JWT_SECRET": "cluster-" + uuid.uuid4().hex * 2,
            "ZIMAGE_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
            "ZIMAGE_REDIS_URL": os.environ.get("ZIMAGE_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379"),
            "ZIMAGE_REDIS_PREFIX": f"zc{run}:",
            "ZIMAGE_STORAGE": "s3",
            "ZIMAGE_S3_ENDPOINT": f"http://127.0.0.1:{self.s3_port}",
            "ZIMAGE_S3_BUCKET": "zimage",
            "ZIMAGE_S3_REGION": "us-east-1",
            "ZIMAGE_S3_ACCESS_KEY": "cluster",
            "ZIMAGE_S3_SECRET_KEY": "cluster-secret",
            "ZIMAGE_MAIL_OUTBOX": os.path.join(self.work, "outbox"),
            "ZIMAGE_TRUST_PROXY": "1",
            "ZIMAGE_SIGNUP_BONUS_CREDITS": "1000",
            "ZIMAGE_MAX_ACTIVE_TASKS_PER_USER": "200",
            "ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER": "10000/60",
            "ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT": "5/600",
            # The load test reads with one token as fast as it can.
            "ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL": "10000000/60",
            "ZIMAGE_LOCAL_LATENCY_MS": "1500",
            "ZIMAGE_POLL_INTERVAL_MS": "100",
            "ZIMAGE_JOB_LEASE_SECS": "5",
            "ZIMAGE_DRAIN_DELAY_SECS": "1",
            "ZIMAGE_DATABASE_POOL_SIZE": "8",
            "RUST_LOG": "warn",
        }
        subprocess.run([zimage, "migrate"], env=self.env, check=True, stdout=subprocess.DEVNULL)
        self.api_ports = {f"api{n}": free_port() for n in (1, 2, 3)}
        for name in self.api_ports:
            self.start_api(name)
        for name in ("worker1", "worker2"):
            self.start_worker(name)
        for name, port in self.api_ports.items():
            wait_until(lambda: request(f"http://127.0.0.1:{port}", "GET", "/readyz")[0] == 200, 60, name)
        self.start_balancer()
        wait_until(lambda: self.healthy_backends() == 3, 30, "the balancer to see three replicas")

    def start(self, name, argv, env):
        log = open(os.path.join(self.work, f"{name}.log"), "ab")
        self.procs[name] = subprocess.Popen(argv, env=env or None, stdout=log, stderr=log, cwd=self.work)

    def start_api(self, name):
        env = dict(self.env)
        env["ZIMAGE_BIND"] = f"127.0.0.1:{self.api_ports[name]}"
        env["ZIMAGE_DATA_DIR"] = os.path.join(self.work, name)
        env["ZIMAGE_WEB_DIR"] = os.path.join(self.work, "no-web")
        self.start(name, [self.zimage, "serve", "--no-workers"], env)

    def start_worker(self, name):
        env = dict(self.env)
        env["ZIMAGE_DATA_DIR"] = os.path.join(self.work, name)
        env["ZIMAGE_WORKERS"] = "8"
        self.start(name, [self.zimage, "worker"], env)

    def start_balancer(self):
        self.stats_port = free_port()
        self.single_port = free_port()
        servers = "\n".join(
            f"    server {n} 127.0.0.1:{p} check inter 300ms fall 2 rise 1" for n, p in self.api_ports.items()
        )
        cfg = os.path.join(self.work, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(
                f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    option forwardfor
    retry-on conn-failure empty-response response-timeout
    retries 2
    option redispatch
frontend zimage
    bind 127.0.0.1:{self.lb_port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    http-response set-header X-Replica %s
{servers}
# api1 alone behind the same balancer: what the hop costs, apart from the replica count.
frontend single
    bind 127.0.0.1:{self.single_port}
    default_backend single
backend single
    server api1 127.0.0.1:{self.api_ports['api1']}
frontend stats
    bind 127.0.0.1:{self.stats_port}
    http-request use-service prometheus-exporter if {{ path /metrics }}
    stats enable
    stats uri /stats
"""
            )
        subprocess.run(["haproxy", "-c", "-q", "-f", cfg], check=True)
        self.start("haproxy", ["haproxy", "-db", "-f", cfg], None)

    def healthy_backends(self):
        _, _, raw = request(f"http://127.0.0.1:{self.stats_port}", "GET", "/stats;csv")
        rows = [line.split(",") for line in raw.decode().splitlines() if line.startswith("replicas,api")]
        return sum(1 for r in rows if r[17] == "UP")

    def signal(self, name, sig):
        self.procs[name].send_signal(sig)
        self.procs[name].wait(timeout=60)

    def sql(self, query):
        out = subprocess.run(
            ["psql", self.database_url, "-tAqc", query], check=True, capture_output=True, text=True
        ).stdout
        return out.strip()

    def create_user(self, mail):
        subprocess.run(
            [self.zimage, "admin", "create-user", "--email", mail],
            env={**self.env, "ZIMAGE_ADMIN_PASSWORD": PASSWORD},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        status, _, body = request(self.lb, "POST", "/v1/auth/login", {"email": mail, "password": PASSWORD})
        assert status == 200, (status, body)
        return body["access_token"]

    def stop(self):
        for name, proc in self.procs.items():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        subprocess.run(["psql", self.admin_url, "-qc", f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)'])
        if not FAILED and not self.crashed:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"logs kept in {self.work}")


def mailed_token(c, to, page):
    needle = f"/{page}?token="
    outbox = c.env["ZIMAGE_MAIL_OUTBOX"]
    for _ in range(100):
        for name in sorted(os.listdir(outbox)) if os.path.isdir(outbox) else []:
            with open(os.path.join(outbox, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if to not in str(msg["To"]):
                continue
            for part in msg.walk():
                if part.get_content_type() == "text/plain":
                    m = re.search(re.escape(needle) + r"([A-Za-z0-9_\-]+)", part.get_content())
                    if m:
                        return m.group(1)
        time.sleep(0.1)
    raise RuntimeError(f"no {page} mail to {to}")


def submit(base, token, prompt, key=None):
    headers = {"idempotency-key": key} if key else None
    body = {"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256}
    return request(base, "POST", "/v1/generations", body, token, headers)


def wait_task(base, token, task_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, task = request(base, "GET", f"/v1/generations/{task_id}", token=token)
        if status == 200 and task["status"] in ("succeeded", "failed", "canceled"):
            return task
        time.sleep(0.2)
    raise RuntimeError(f"task {task_id} did not finish")


def smoke(c):
    print("smoke: a new user's journey through the balancer")
    mail = f"smoke-{uuid.uuid4().hex[:8]}@example.org"
    status, _, _ = request(
        c.lb, "POST", "/v1/auth/signup",
        {"email": mail, "password": PASSWORD, "accept_terms": True, "age_confirmed": True},
    )
    check(status == 201, f"sign-up answered 201 ({status})")
    token = mailed_token(c, mail, "verify-email")
    status, _, _ = request(c.lb, "POST", "/v1/auth/verify-email", {"token": token})
    check(status == 200, f"the mailed link verified the address ({status})")
    status, _, signed = request(c.lb, "POST", "/v1/auth/login", {"email": mail, "password": PASSWORD})
    check(status == 200, f"sign-in answered 200 ({status})")
    access = signed["access_token"]
    status, _, task = submit(c.lb, access, "a lighthouse at dusk")
    check(status == 202, f"the generation was accepted ({status})")
    done = wait_task(c.lb, access, task["id"])
    check(done["status"] == "succeeded", f"a worker ran it ({done['status']})")
    url = done["images"][0]["url"]
    path = url[len(c.lb):] if url.startswith(c.lb) else url
    status, hdrs, raw = request(c.lb, "GET", path, token=access)
    check(status == 200 and (raw[:4] in (b"\x89PNG", b"RIFF") or raw[:2] == b"\xff\xd8"),
          f"the image downloads from S3 through any replica ({status}, {len(raw)} bytes)")
    replicas = set()
    for _ in range(6):
        _, hdrs, _ = request(c.lb, "GET", "/v1/models")
        replicas.add(hdrs.get("X-Replica") or hdrs.get("x-replica"))
    check(len(replicas) == 3, f"the balancer spreads requests over the three replicas ({sorted(replicas)})")


def limits(c):
    print("limits: one sign-in budget across replicas")
    mail = f"limited-{uuid.uuid4().hex[:8]}@example.org"
    c.create_user(mail)  # its successful sign-in is not a failure
    answers = []
    for _ in range(7):
        status, hdrs, _ = request(c.lb, "POST", "/v1/auth/login", {"email": mail, "password": "wrong password!"})
        answers.append((status, hdrs.get("X-Replica") or hdrs.get("x-replica")))
    refused_at = next((i for i, (s, _) in enumerate(answers) if s == 429), None)
    check(len({r for _, r in answers[:5]}) == 3, f"the failed sign-ins reached all three replicas ({answers[:5]})")
    check(all(s == 401 for s, _ in answers[:5]), f"the first 5 failed sign-ins answered 401 ({answers[:5]})")
    check(refused_at == 5, f"the 6th was refused with 429 by {answers[5][1] if refused_at == 5 else '?'} ({answers})")
    return {"limit": 5, "refused_at": (refused_at or -1) + 1}


class Stream(threading.Thread):
    """A live stream that reconnects with Last-Event-ID, as a browser's EventSource does."""

    def __init__(self, host, port, token):
        super().__init__(daemon=True)
        self.host, self.port, self.token = host, port, token
        self.finished = {}
        self.connects = 0
        self.last_id = None
        self.stopped = False

    def run(self):
        while not self.stopped:
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                headers = {"authorization": f"Bearer {self.token}", "accept": "text/event-stream"}
                if self.last_id:
                    headers["last-event-id"] = self.last_id
                conn.request("GET", "/v1/events", headers=headers)
                response = conn.getresponse()
                if response.status != 200:
                    time.sleep(0.25)
                    continue
                self.connects += 1
                data = []
                while not self.stopped:
                    line = response.readline()
                    if not line:
                        break
                    line = line.decode().rstrip("\r\n")
                    if line.startswith("id:"):
                        self.last_id = line[3:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        try:
                            event = json.loads("\n".join(data))
                            if event.get("status") in ("succeeded", "failed", "canceled"):
                                self.finished[event.get("task_id") or event.get("id")] = event["status"]
                        except json.JSONDecodeError:
                            pass
                        data = []
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.25)


def sse(c):
    print("sse: a stream on one replica, the task submitted on another and run by a worker")
    token = c.create_user(f"live-{uuid.uuid4().hex[:8]}@example.org")
    stream = Stream("127.0.0.1", c.api_ports["api1"], token)
    stream.start()
    wait_until(lambda: stream.connects >= 1, 10, "the stream to open")
    status, _, task = submit(f"http://127.0.0.1:{c.api_ports['api2']}", token, "heard elsewhere")
    check(status == 202, f"submitted on api2 ({status})")
    try:
        wait_until(lambda: stream.finished.get(task["id"]) == "succeeded", 60, "the event")
        check(True, "the stream on api1 heard the task succeed")
    except RuntimeError:
        check(False, f"the stream on api1 heard the task succeed (heard {stream.finished})")
    stream.stopped = True


def wrk(url, seconds, token):
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def load(c, seconds):
    print("load: authenticated reads through the balancer against one replica alone")
    token = c.create_user(f"reader-{uuid.uuid4().hex[:8]}@example.org")
    one = wrk(f"http://127.0.0.1:{c.api_ports['api1']}/v1/generations?limit=20", seconds, token)
    hop = wrk(f"http://127.0.0.1:{c.single_port}/v1/generations?limit=20", seconds, token)
    three = wrk(f"{c.lb}/v1/generations?limit=20", seconds, token)
    print(
        f"  one replica {one:.0f} req/s, one through HAProxy {hop:.0f}, three through HAProxy "
        f"{three:.0f}: three / one {three / one:.2f}, three / one through HAProxy {three / hop:.2f}"
    )
    return {"one": one, "hop": hop, "three": three, "ratio": three / one, "scaling": three / hop}


def faults(c, tasks):
    print(f"faults: {tasks} tasks submitted while replicas and a worker are killed and restarted")
    users = [c.create_user(f"fault-{n}-{uuid.uuid4().hex[:6]}@example.org") for n in range(6)]
    stream = Stream("127.0.0.1", c.lb_port, users[0])
    stream.start()
    wait_until(lambda: stream.connects >= 1, 10, "the stream to open")
    submitted, retries, errors = [], [0], []
    lock = threading.Lock()

    def submitter(n):
        token = users[n % len(users)]
        for i in range(n, tasks, 3):
            key = uuid.uuid4().hex
            for attempt in range(60):
                try:
                    status, _, task = submit(c.lb, token, f"fault task {i}", key)
                except OSError:
                    status = None
                if status in (200, 202):
                    with lock:
                        submitted.append((token, task["id"]))
                    break
                with lock:
                    retries[0] += 1
                time.sleep(0.25)
            else:
                errors.append(f"task {i} never accepted")
            time.sleep(0.1)

    # A reader through the balancer all along: what a client sees in each phase.
    phase = ["before"]
    seen = {}
    reading = [True]

    def reader():
        while reading[0]:
            try:
                status, _, _ = request(c.lb, "GET", "/v1/generations?limit=5", token=users[1], timeout=10)
                bad = status >= 500
            except OSError:
                bad = True
            ok, failed = seen.get(phase[0], (0, 0))
            seen[phase[0]] = (ok + (not bad), failed + bad)
            time.sleep(0.02)

    threads = [threading.Thread(target=submitter, args=(n,)) for n in range(3)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    time.sleep(2)
    phase[0] = "kill"
    c.signal("api1", signal.SIGKILL)
    c.signal("worker1", signal.SIGKILL)
    time.sleep(2)
    c.start_api("api1")
    c.start_worker("worker1")
    wait_until(lambda: c.healthy_backends() == 3, 60, "api1 back in the balancer")
    phase[0] = "rolling"
    started = time.monotonic()
    for name in c.api_ports:
        c.signal(name, signal.SIGTERM)
        c.start_api(name)
        port = c.api_ports[name]
        # Ready itself first, then seen ready by the balancer, before the next one stops.
        wait_until(lambda: request(f"http://127.0.0.1:{port}", "GET", "/readyz")[0] == 200, 60, name)
        wait_until(lambda: c.healthy_backends() == 3, 60, f"{name} back in the balancer")
    rolling = time.monotonic() - started
    phase[0] = "after"
    for t in threads:
        t.join()
    reading[0] = False
    watcher.join()
    print(f"  reads by phase (answered, failed): {seen}")
    outcomes = {}
    for token, task_id in submitted:
        outcomes[task_id] = wait_task(c.lb, token, task_id, timeout=180)
    mine = [tid for tok, tid in submitted if tok == users[0]]
    # The stream may be between connections when the last task ends: it catches up on reconnecting.
    try:
        wait_until(lambda: all(stream.finished.get(t) == "succeeded" for t in mine), 10, "the stream")
    except RuntimeError:
        pass
    stream.stopped = True
    ids = "','".join(outcomes)
    succeeded = sum(1 for t in outcomes.values() if t["status"] == "succeeded")
    check(not errors, f"every submission was accepted after retries ({errors[:3]})")
    check(len(outcomes) == tasks, f"{len(outcomes)} of {tasks} tasks recorded")
    check(succeeded == tasks, f"{succeeded} of {tasks} succeeded ({ {t['status'] for t in outcomes.values()} })")
    charged_wrong = int(c.sql(f"SELECT count(*) FROM ai_tasks WHERE id IN ('{ids}') AND charged <> cost"))
    check(charged_wrong == 0, f"each task charged exactly its cost once ({charged_wrong} otherwise)")
    held = int(c.sql("SELECT count(*) FROM credit_holds WHERE status = 'held'"))
    check(held == 0, f"no credits left held ({held})")
    spent_ok = c.sql(
        "SELECT bool_and(a.available + a.held = 1000 - coalesce(t.spent, 0)) FROM credit_accounts a "
        "LEFT JOIN (SELECT user_id, sum(charged) AS spent FROM ai_tasks GROUP BY user_id) t USING (user_id)"
    )
    check(spent_ok == "t", "every balance is 1000 minus what its tasks were charged")
    taken_over = int(c.sql(f"SELECT count(*) FROM jobs WHERE task_id IN ('{ids}') AND attempts > 1"))
    heard = sum(1 for tid in mine if stream.finished.get(tid) == "succeeded")
    check(seen.get("rolling", (0, 0))[1] == 0, f"no read failed during the rolling restart ({seen.get('rolling')})")
    check(stream.connects >= 2, f"the live stream reconnected through the balancer ({stream.connects} connections)")
    check(heard == len(mine), f"it heard {heard} of its {len(mine)} tasks finish")
    return {
        "tasks": tasks, "succeeded": succeeded, "retries": retries[0], "taken_over": taken_over,
        "stream_connections": stream.connects, "heard": heard, "mine": len(mine), "rolling_secs": rolling,
        "charged_wrong": charged_wrong, "held": held, "reads": seen,
    }


def replace_section(path, text):
    begin, end = "<!-- cluster:begin -->", "<!-- cluster:end -->"
    body = open(path).read() if os.path.exists(path) else ""
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in body and end in body:
        body = body[: body.index(begin)] + block + body[body.index(end) + len(end):]
    else:
        body = body.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(body)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--zimage", required=True)
    p.add_argument("--database-url", required=True, help="an admin URL; a fresh database is made")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--tasks", type=int, default=60)
    p.add_argument("--write", action="store_true", help="record figures in bench/*.md")
    a = p.parse_args()
    # Stopped from outside: still stop what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    c = Cluster(os.path.abspath(a.zimage), a.database_url, a.quick)
    try:
        c.up()
        print(f"cluster up in {time.monotonic() - started:.1f} s: balancer {c.lb}, replicas {list(c.api_ports.values())}")
        smoke(c)
        lim = limits(c)
        sse(c)
        if not a.quick:
            ld = load(c, a.seconds)
            ft = faults(c, a.tasks)
            if a.write and not FAILED:
                cores = os.cpu_count()
                replace_section("bench/RESULTS.md", f"""
## Cluster: three replicas behind HAProxy (`just cluster`)

Three `zimage serve --no-workers` and two `zimage worker` processes on this machine ({cores} cores)
behind HAProxy 2.6 (round robin, `/readyz` health checks), PostgreSQL, Redis and moto. wrk, 2
threads and 32 connections for {a.seconds} s each, reading a page of the caller's generations.

| measure | req/s |
|---|---|
| one replica, directly | {ld['one']:.0f} |
| one replica through HAProxy | {ld['hop']:.0f} |
| three replicas through HAProxy | {ld['three']:.0f} |
| **ratio three / one (directly)** | **{ld['ratio']:.2f}** |
| ratio three / one, both through HAProxy | {ld['scaling']:.2f} |

Every request also counts against the caller's general budget in Redis (one round trip). On one
machine the replicas share its {cores} cores with the balancer, PostgreSQL, Redis and wrk, so the
ratios show what the balancer hop and more processes cost here, not what more machines would
add; on this machine three replicas cannot be faster than one.
""")
                replace_section("bench/RELIABILITY.md", f"""
## Cluster faults (`just cluster`)

{ft['tasks']} tasks from 6 people submitted through HAProxy without pause (each with an
`Idempotency-Key`, resent on a refused or cut request), while one API replica and one worker were
killed with SIGKILL and started again, and then every API replica was stopped with SIGTERM and
started again in turn ({ft['rolling_secs']:.1f} s for the rolling restart). A live stream through
the balancer stayed open for one person throughout.

| figure | value |
|---|---|
| tasks succeeded | {ft['succeeded']} of {ft['tasks']} |
| tasks taken over from the killed worker | {ft['taken_over']} |
| submissions resent by the client | {ft['retries']} |
| tasks charged other than once | {ft['charged_wrong']} |
| credits left held | {ft['held']} |
| live stream connections (reconnects + 1) | {ft['stream_connections']} |
| finishes the stream heard | {ft['heard']} of {ft['mine']} |
| failed sign-ins before the shared budget refused (limit 5) | {lim['refused_at'] - 1} |
| reads through the balancer during the SIGKILLs: answered / failed | {ft['reads'].get('kill', (0, 0))[0]} / {ft['reads'].get('kill', (0, 0))[1]} |
| reads during the rolling restart: answered / failed | {ft['reads'].get('rolling', (0, 0))[0]} / {ft['reads'].get('rolling', (0, 0))[1]} |
""")
    except BaseException:
        c.crashed = True
        raise
    finally:
        c.stop()
    print(f"cluster run took {time.monotonic() - started:.1f} s; {len(FAILED)} check(s) failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
