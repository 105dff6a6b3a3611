"""`make bench`: the key requests of issue 14 under gunicorn, measured with wrk, on a database
made by `flask bench-data`, on SQLite and on PostgreSQL, against a bare Flask ceiling measured
in the same run. Prints the table and writes docs/performance.md.

Not part of `make test`: figures from a shared machine are noisy, so every figure is the
median of several rounds, taken in turns with the ceiling, and read as a ratio to it.

    make bench                      # scale 1, both databases
    make bench SCALE=0.05           # a quick run
    BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_BACKENDS=sqlite make bench SCALE=0.1

Settings (environment): BENCH_SECONDS (5) per wrk run, BENCH_ROUNDS (3), BENCH_CONNECTIONS
(16), BENCH_THREADS (2), BENCH_WORKERS (2), BENCH_BACKENDS (sqlite,postgresql),
BENCH_PG_URL (postgresql+psycopg://postgres@127.0.0.1:5432/bench: the database is dropped
and made again), BENCH_DATA_DIR (/tmp/talentday-bench), BENCH_REUSE=1 (keep a database of
the same scale and seed made by an earlier run), BENCH_OUTPUT (docs/performance.md),
BENCH_GUNICORN_TIMEOUT (120 s, so that a slow export is timed rather than killed).
"""

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404: the benchmark runs the tools it measures
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "bench-salon-password-2026"  # nosec B105: talentday.benchdata.BENCH_PASSWORD


def setting(name: str, default: str) -> str:
    return os.environ.get(f"BENCH_{name}", default)


SECONDS = int(setting("SECONDS", "5"))
ROUNDS = int(setting("ROUNDS", "3"))
CONNECTIONS = int(setting("CONNECTIONS", "16"))
THREADS = int(setting("THREADS", "2"))
WORKERS = int(setting("WORKERS", "2"))
TIMEOUT = int(setting("GUNICORN_TIMEOUT", "120"))
SEED = int(setting("SEED", "2026"))

# wrk prints these from its `done` hook: p95 is not among --latency's own percentiles.
DONE = """
function done(summary, latency, requests)
  io.write(string.format(
    "BENCH p50=%d p95=%d p99=%d requests=%d status=%d connect=%d read=%d write=%d timeout=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
"""
# Registration posts: one session's CSRF token, a new email address for every post.
REGISTER = """
local counter = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  token, cookie, path, tag, category = args[1], args[2], args[3], args[4], args[5]
end
function request()
  counter = counter + 1
  local body = "csrf_token=" .. token .. "&name=Bench+Speaker&email=" .. tag .. "-" .. id
    .. "-" .. counter .. "%40bench.example&phone=13800001234&organization=Bench+Co."
    .. "&position=Engineer&talent_team=enterprise&topic=Keeping+engineers&summary="
    .. "&suggestions-0-category=" .. category
    .. "&suggestions-0-content=More+talent+apartments+near+the+park&consent=y"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}, body)
end
"""


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def gunicorn_command(app: str, port: int) -> list[str]:
    """The README's command (docs/deploy), with the bench's worker count and timeout."""
    return [
        str(BIN / "gunicorn"),
        "-c",
        "python:talentday.gunicorn_conf",
        "-w",
        str(WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        str(TIMEOUT),
        "--log-level",
        "warning",
        app,
    ]


def start(app: str, env: dict, log: Path, cwd: Path = ROOT, probe: str = "/healthz") -> Server:
    port = free_port()
    process = subprocess.Popen(  # nosec B603
        gunicorn_command(app, port),
        cwd=cwd,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port)
    for _ in range(150):
        try:
            with urllib.request.urlopen(server.base + probe, timeout=2):  # nosec B310
                return server
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start: see {log}") from None
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn did not answer on {server.base}: see {log}")


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Run:
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    requests: int
    errors: int  # answers other than 2xx/3xx, and socket errors


def wrk(
    url: str,
    *,
    cookie: str = "",
    script: Path,
    args=(),
    connections=CONNECTIONS,
    threads=THREADS,
    seconds=SECONDS,
) -> Run:
    command = [
        "wrk",
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # nosec B603
    settle(url)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    values = dict(re.findall(r"(\w+)=(\d+)", output.split("BENCH", 1)[1]))
    errors = sum(int(values[key]) for key in ("status", "connect", "read", "write", "timeout"))
    return Run(
        rps,
        int(values["p50"]) / 1000,
        int(values["p95"]) / 1000,
        int(values["p99"]) / 1000,
        int(values["requests"]),
        errors,
    )


def settle(url: str) -> None:
    """Wait until the server has answered what wrk left queued: sync workers take requests in
    turn, so one short request answered per worker means the backlog is gone and the next
    measurement starts on an idle server."""
    parts = urllib.parse.urlsplit(url)
    probe = f"{parts.scheme}://{parts.netloc}/healthz"
    answered, deadline = 0, time.monotonic() + 30 * 60
    while answered < WORKERS:
        try:
            with urllib.request.urlopen(probe, timeout=TIMEOUT + 60):  # nosec B310
                answered += 1
        except urllib.error.HTTPError:
            answered += 1  # the ceiling has no /healthz: its 404 is an answer all the same
        except OSError:
            # A long backlog (slow pages at scale 1 on a busy machine): keep waiting.
            if time.monotonic() > deadline:
                raise SystemExit(f"{probe} did not answer within 30 minutes") from None


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50 for r in runs),
        statistics.median(r.p95 for r in runs),
        statistics.median(r.p99 for r in runs),
        sum(r.requests for r in runs),
        sum(r.errors for r in runs),
    )


class Session:
    """A browser's cookies: signs in through the form like a person."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=600) as response:  # nosec B310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self, path: str) -> str:
        _status, page = self.get(path)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not match:
            raise SystemExit(f"no CSRF token on {path}")
        return match.group(1).decode()

    def sign_in(self, email: str) -> "Session":
        data = urllib.parse.urlencode(
            {"csrf_token": self.token("/sign-in"), "email": email, "password": PASSWORD}
        ).encode()
        with self.opener.open(self.base + "/sign-in", data=data, timeout=600) as response:  # nosec B310
            if "/sign-in" in response.url:
                raise SystemExit(f"could not sign in as {email}")
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def export_run(server: Server, session: Session, path: str) -> dict:
    """One download timed with curl while the workers' memory is read from /proc."""
    peak = {"rss": 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for pid in server.workers():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"VmRSS:\s+(\d+)", status)
                if found:  # a worker killed by gunicorn's timeout has none left
                    peak["rss"] = max(peak["rss"], int(found.group(1)))
            time.sleep(0.05)

    before = max(
        (
            int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
            for pid in server.workers()
        ),
        default=0,
    )
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    output = subprocess.run(  # nosec B603 B607
        [
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "--max-time",
            str(TIMEOUT + 30),
            "-H",
            f"Cookie: {session.cookie}",
            "-w",
            "%{http_code} %{time_total} %{size_download}",
            server.base + path,
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    stop.set()
    watcher.join()
    code, seconds, size = output.split() if output else ("000", "0", "0")
    return {
        "status": int(code),
        "seconds": float(seconds),
        "bytes": int(float(size)),
        "peak_mb": peak["rss"] / 1024,
        "before_mb": before / 1024,
    }


# --- the world -----------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    env: dict
    generated_seconds: float | None = None
    facts: dict = field(default_factory=dict)


def base_env(instance: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "FLASK_APP": "talentday",
            "TALENTDAY_INSTANCE_PATH": str(instance),
            "TALENTDAY_SECRET_KEY": "bench-secret-key-not-for-production",
            "TALENTDAY_PUBLIC_BASE_URL": "http://127.0.0.1",
            "TALENTDAY_TRUSTED_HOSTS": '["127.0.0.1", "localhost"]',
            # The throttles would answer 429 to a benchmark: every request comes from 127.0.0.1.
            "TALENTDAY_SIGN_IN_LIMITS": "100000 per minute",
            "TALENTDAY_REGISTRATION_LIMITS": "10000000 per hour",
        }
    )
    env.pop("TALENTDAY_DATABASE_URL", None)
    return env


def flask(env: dict, *args: str, log: Path) -> str:
    result = subprocess.run(  # nosec B603
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    with log.open("a") as handle:
        handle.write(result.stdout + result.stderr)
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed: see {log}\n{result.stderr[-2000:]}")
    return result.stdout


def prepare(name: str, scale: float, work: Path, log: Path) -> Backend:
    """A database of the scale, made by flask bench-data (or kept from an earlier run)."""
    instance = work / f"{name}-{scale:g}-{SEED}"
    env = base_env(instance)
    reuse = setting("REUSE", "") == "1"
    if name == "postgresql":
        import sqlalchemy as sa

        url = sa.make_url(setting("PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"))
        env["TALENTDAY_DATABASE_URL"] = url.render_as_string(hide_password=False)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            marker = instance / "generated"
            if exists and not (reuse and marker.exists()):
                connection.execute(sa.text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
                exists = False
            if not exists:
                shutil.rmtree(instance, ignore_errors=True)
                connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    elif not reuse:
        shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True, exist_ok=True)
    backend = Backend(name, env)
    marker = instance / "generated"
    if marker.exists():
        backend.generated_seconds = json.loads(marker.read_text())["seconds"]
        print(f"[{name}] reusing the scale-{scale:g} database of an earlier run", flush=True)
    else:
        flask(env, "db", "upgrade", log=log)
        print(f"[{name}] flask bench-data --scale {scale:g} --seed {SEED} ...", flush=True)
        started = time.monotonic()
        flask(env, "bench-data", "--scale", f"{scale:g}", "--seed", str(SEED), log=log)
        backend.generated_seconds = time.monotonic() - started
        marker.write_text(json.dumps({"seconds": backend.generated_seconds}))
        print(f"[{name}] generated in {backend.generated_seconds:.0f} s", flush=True)
    backend.facts = facts(env)
    return backend


def facts(env: dict) -> dict:
    """The ids the requests need, read from the generated database (bench/facts.py)."""
    output = subprocess.run(  # nosec B603
        [str(BIN / "python"), str(ROOT / "bench" / "facts.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- the requests --------------------------------------------------------------------------


@dataclass
class Request:
    key: str
    label: str
    path: str
    who: str | None = None  # the account signed in, None for a visitor
    one_user: bool = False  # also measured with one connection (the targets' "one user")
    post: bool = False


def requests_for(facts: dict) -> list[Request]:
    last_page = max(1, -(-facts["counted"] // 25))
    deep = min(497, last_page)
    unit, event = facts["busy_unit"], facts["big_event"]
    return [
        Request("healthz", "the app's `/healthz`", "/healthz"),
        Request("event", "public event page", f"/events/{event}"),
        Request("ledger", "ledger, first page", "/followup/", "leader@bench.example", True),
        Request(
            "ledger_unit",
            "ledger, one unit overdue",
            f"/followup/?unit={unit}&overdue=1",
            "leader@bench.example",
            True,
        ),
        Request(
            "ledger_deep", f"ledger, page {deep}", f"/followup/?page={deep}", "leader@bench.example"
        ),
        Request(
            "desk",
            f"unit desk ({facts['busy_items']:,} items)",
            "/home",
            "staff-busiest@bench.example",
            True,
        ),
        Request("dashboard", "dashboard, no filter", "/dashboard/", "leader@bench.example", True),
        Request(
            "unit_card",
            "unit card (busiest unit)",
            f"/dashboard/units/{unit}",
            "leader@bench.example",
        ),
        Request(
            "review",
            f"review queue ({facts['review_queue']:,} to review)",
            f"/manage/events/{event}/registrations",
            "organizer@bench.example",
        ),
        Request("register", "registration POST", f"/events/{event}/register", post=True),
    ]


def measure_backend(backend: Backend, ceiling: Server, scripts: Path, log: Path) -> dict:
    server = start("talentday:create_app()", backend.env, log)
    try:
        return _measure(backend, server, ceiling, scripts, log)
    finally:
        server.stop()


def _measure(backend, server, ceiling, scripts, log) -> dict:
    requests = requests_for(backend.facts)
    sessions = {}
    for request in requests:
        if request.who and request.who not in sessions:
            sessions[request.who] = Session(server.base).sign_in(request.who)
    visitor = Session(server.base)
    token = visitor.token(requests[-1].path)
    tag = f"r{int(time.time())}"
    register_args = lambda server, tag: [  # noqa: E731
        token,
        visitor.cookie,
        requests[-1].path,
        tag,
        str(backend.facts["category"]),
    ]
    results = {"pages": {}, "one_user": {}, "exports": {}, "status": {}, "bytes": {}, "first": {}}
    # A first look at every page: its status and size (a 500 is reported, not averaged), and
    # how long it took with nothing kept yet (the dashboard's figures counted afresh).
    for request in requests:
        if request.post:
            continue
        session = sessions.get(request.who) or Session(server.base)
        started = time.monotonic()
        status, body = session.get(request.path)
        results["first"][request.key] = (time.monotonic() - started) * 1000
        results["status"][request.key] = status
        results["bytes"][request.key] = len(body)
    runs = {request.key: [] for request in requests} | {"ceiling": []}
    for round_number in range(1, ROUNDS + 1):
        print(f"[{backend.name}] round {round_number} of {ROUNDS}", flush=True)
        runs["ceiling"].append(wrk(ceiling.base + "/", script=scripts / "done.lua"))
        for request in requests:
            print(f"[{backend.name}]   {request.label}", flush=True)
            cookie = sessions[request.who].cookie if request.who else ""
            if request.post:
                run = wrk(
                    server.base + request.path,
                    script=scripts / "register.lua",
                    args=register_args(server, f"{tag}-{round_number}"),
                )
            else:
                run = wrk(server.base + request.path, cookie=cookie, script=scripts / "done.lua")
            runs[request.key].append(run)
    for key, values in runs.items():
        results["pages"][key] = median_run(values)
    print(f"[{backend.name}] one user at a time", flush=True)
    for request in requests:
        if request.one_user:
            results["one_user"][request.key] = wrk(
                server.base + request.path,
                cookie=sessions[request.who].cookie,
                script=scripts / "done.lua",
                connections=1,
                threads=1,
            )
    print(f"[{backend.name}] exports", flush=True)
    leader = sessions["leader@bench.example"]
    for fmt in ("csv", "xlsx"):
        results["exports"][fmt] = export_run(server, leader, f"/followup/ledger.{fmt}")
    if backend.name == "postgresql":
        print("[postgresql] two servers sharing the database", flush=True)
        second = start("talentday:create_app()", backend.env, log)
        try:
            results["two_servers"] = two_servers(
                [server, second], requests, sessions, scripts, register_args, tag
            )
        finally:
            second.stop()
    return results


def two_servers(servers, requests, sessions, scripts, register_args, tag) -> dict:
    """The same load split over two gunicorn servers on one PostgreSQL, at the same time."""
    by_key = {request.key: request for request in requests}
    outcome = {}
    for key in ("ledger", "register"):
        request = by_key[key]
        rounds = []
        for round_number in range(ROUNDS):
            results = [None, None]

            def drive(index, server, round_number=round_number, request=request, results=results):
                if request.post:
                    results[index] = wrk(
                        server.base + request.path,
                        script=scripts / "register.lua",
                        args=register_args(server, f"{tag}-two{index}-{round_number}"),
                        connections=CONNECTIONS // 2,
                        threads=1,
                    )
                else:
                    results[index] = wrk(
                        server.base + request.path,
                        cookie=sessions[request.who].cookie,
                        script=scripts / "done.lua",
                        connections=CONNECTIONS // 2,
                        threads=1,
                    )

            threads = [
                threading.Thread(target=drive, args=(index, server))
                for index, server in enumerate(servers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rounds.append(
                Run(
                    sum(r.rps for r in results),
                    max(r.p50 for r in results),
                    max(r.p95 for r in results),
                    max(r.p99 for r in results),
                    sum(r.requests for r in results),
                    sum(r.errors for r in results),
                )
            )
        outcome[key] = median_run(rounds)
    return outcome


# --- the report ----------------------------------------------------------------------------


def versions(backends: list[Backend]) -> list[str]:
    import importlib.metadata as metadata

    names = ("flask", "sqlalchemy", "gunicorn", "werkzeug", "psycopg", "flask-sqlalchemy")
    packages = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout  # nosec
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"Python {platform.python_version()}; {packages}",
        f"wrk {wrk_version.split()[1] if wrk_version else '?'}; commit {commit}",
    ]
    for backend in backends:
        lines.append(f"{backend.name}: server {backend.facts.get('server')}")
    return lines


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = int(line.split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} cores (nproc), {model}, {memory} GB, {platform.platform()}"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def p95(run: Run) -> str:
    return f"{run.p95:.0f} ms" if run.requests else f"no answer within {SECONDS} s"


def targets(backends, results) -> list[tuple[str, str, str]]:
    """Each target of issue 14, with what this run measured and whether it is met."""
    rows = []
    for backend in backends:
        r = results[backend.name]
        pages, one, ceiling = r["pages"], r["one_user"], r["pages"]["ceiling"].rps
        ratio = lambda key, pages=pages, ceiling=ceiling: pages[key].rps / ceiling  # noqa: E731
        name = backend.name
        rows.append(
            (
                f"{name}: `/healthz` ≥ 0.80 of the ceiling",
                f"{ratio('healthz'):.2f}",
                verdict(ratio("healthz") >= 0.80),
            )
        )
        rows.append(
            (
                f"{name}: public event page ≥ 0.40 of the ceiling",
                f"{ratio('event'):.2f}",
                verdict(ratio("event") >= 0.40),
            )
        )
        for key, label in (
            ("ledger", "ledger first page"),
            ("ledger_unit", "filtered ledger"),
            ("desk", "unit desk"),
        ):
            ok = (
                ratio(key) >= 0.20
                and one[key].requests
                and one[key].p95 < 100
                and r["status"][key] == 200
            )
            rows.append(
                (
                    f"{name}: {label} ≥ 0.20 of the ceiling, one user p95 < 100 ms",
                    f"{ratio(key):.3f}; p95 {p95(one[key])}",
                    verdict(ok),
                )
            )
        size = r["bytes"]["dashboard"] / 1024
        dashboard = one["dashboard"]
        ok = dashboard.requests and dashboard.p95 < 250 and size < 200
        ok = ok and r["status"]["dashboard"] == 200
        rows.append(
            (
                f"{name}: dashboard one user p95 < 250 ms, page < 200 KB",
                f"p95 {p95(dashboard)} (figures kept 60 s; counted afresh: "
                f"{r['first']['dashboard']:,.0f} ms); {size:.0f} KB",
                verdict(ok),
            )
        )
        post = pages["register"]
        rows.append(
            (
                f"{name}: registration POST ≥ 150/s, no error",
                f"{post.rps:.0f}/s; {post.errors} errors",
                verdict(post.rps >= 150 and post.errors == 0),
            )
        )
        csv, xlsx = r["exports"]["csv"], r["exports"]["xlsx"]
        rows.append(
            (
                f"{name}: CSV export < 15 s, XLSX < 60 s, worker < 250 MB",
                f"CSV {csv['seconds']:.1f} s ({csv['status']}), XLSX {xlsx['seconds']:.1f} s "
                f"({xlsx['status']}); peak {max(csv['peak_mb'], xlsx['peak_mb']):.0f} MB",
                verdict(
                    csv["status"] == 200
                    and xlsx["status"] == 200
                    and csv["seconds"] < 15
                    and xlsx["seconds"] < 60
                    and max(csv["peak_mb"], xlsx["peak_mb"]) < 250
                ),
            )
        )
        errors = [key for key, status in r["status"].items() if status >= 500]
        errors += [key for key, run in pages.items() if run.errors and key != "register"]
        errors += [f"{fmt} export" for fmt, e in r["exports"].items() if e["status"] >= 500]
        rows.append(
            (f"{name}: no page answers 500", ", ".join(errors) or "none", verdict(not errors))
        )
    rows.append(
        (
            "query counts constant in the number of rows",
            "not measured here: the query-budget tests of `make test`",
            verdict(None),
        )
    )
    return rows


def report(scale, backends, results, started, load, command) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (bench/bench.py); the tables below are those of the last run.",
        "Figures from a shared machine are noisy: each is the median of "
        f'{ROUNDS} rounds of {SECONDS} s taken in turns with the ceiling, a bare Flask "hello" '
        "(bench/ceiling.py) under the same gunicorn settings, and is best read as its ratio "
        "to that ceiling. The targets are issue 14's, set for scale 1 (200,000 items): at a "
        "smaller scale a target met says little, one not met says a lot.",
        "",
        f"- **Run**: {started:%Y-%m-%d %H:%M} UTC, `{command}`, scale {scale:g} (seed {SEED})",
        f"- **Machine**: {machine()}; load average {load[0]:.1f} before the run and "
        f"{load[1]:.1f} after"
        + (
            f" on {os.cpu_count()} cores: other work (CI, other benchmarks) ran on the machine "
            "at the same time, so absolute figures are low; compare ratios within this run"
            if max(load) > (os.cpu_count() or 1) / 2
            else ""
        ),
        f"- **Server**: `{' '.join(gunicorn_command('talentday:create_app()', 0)[1:])}` "
        f"(port chosen free), sync workers; throttles raised so that 127.0.0.1 is not refused",
        f"- **Client**: `wrk --latency -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s` on loopback; "
        '"one user" is `-t1 -c1`; exports timed with curl, the workers\' peak memory (RSS) '
        "read from /proc every 50 ms",
        "- **Registration POST**: a wrk Lua script posts the registration form of the event "
        "with the long review queue, with one visitor session's CSRF token and a new email "
        "address for every post (each makes a speaker, a registration, a follow-up item and "
        "an outbox message); a 302 to the confirmation page is a success",
        "- **Signed in as**: the leader (ledger, dashboard, unit card, exports), an organizer "
        "(review queue), the staff of the busiest unit (unit desk); visitors for the rest",
    ]
    lines += [f"- **Versions**: {line}" for line in versions(backends)]
    for backend in backends:
        f = backend.facts
        lines.append(
            f"- **{backend.name} data**: {f['events']:,} events, {f['items']:,} items "
            f"({f['counted']:,} counted), {f['entries']:,} timeline entries; "
            f"`flask bench-data` took {backend.generated_seconds:.0f} s"
        )
    for backend in backends:
        r = results[backend.name]
        ceiling = r["pages"]["ceiling"].rps
        lines += [
            "",
            f"## {backend.name}",
            "",
            "| request | req/s | ratio to ceiling | p50 ms | p95 ms | p99 ms | "
            "one user p50 / p95 ms | first request ms | status, size | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        labels = {request.key: request for request in requests_for(backend.facts)}
        for key, run in r["pages"].items():
            label = 'bare Flask "hello" (ceiling)' if key == "ceiling" else labels[key].label
            one = r["one_user"].get(key)
            one_text = f"{one.p50:.1f} / {one.p95:.1f}" if one else ""
            status = ""
            if key in r["status"]:
                status = f"{r['status'][key]}, {r['bytes'][key] / 1024:.0f} KB"
            if one and not one.requests:
                one_text = f"none in {SECONDS} s"
            first = r.get("first", {}).get(key)
            first_text = f"{first:,.0f}" if first is not None else ""
            if run.requests:
                lines.append(
                    f"| {label} | {run.rps:,.1f} | {run.rps / ceiling:.3f} | {run.p50:.1f} | "
                    f"{run.p95:.1f} | {run.p99:.1f} | {one_text} | {first_text} | {status} | "
                    f"{run.errors} |"
                )
            else:
                lines.append(
                    f"| {label} | 0 (none answered within {SECONDS} s) | 0 | | | | {one_text} "
                    f"| {first_text} | {status} | {run.errors} |"
                )
        lines += [
            "",
            "| export of the whole ledger (leader) | status | time | size | "
            "worker peak RSS (before) |",
            "|---|---:|---:|---:|---:|",
        ]
        for fmt, e in r["exports"].items():
            lines.append(
                f"| {fmt.upper()} | {e['status']} | {e['seconds']:.1f} s | "
                f"{e['bytes'] / 1024 / 1024:.1f} MB | {e['peak_mb']:.0f} MB "
                f"({e['before_mb']:.0f} MB) |"
            )
        if "two_servers" in r:
            lines += [
                "",
                f"Two gunicorn servers ({WORKERS} workers each) on the same database, "
                f"{CONNECTIONS // 2} connections to each at once:",
                "",
                "| request | req/s, both together | p95 ms (worse of the two) | errors |",
                "|---|---:|---:|---:|",
            ]
            for key, run in r["two_servers"].items():
                lines.append(
                    f"| {labels[key].label} | {run.rps:,.1f} | {run.p95:.1f} | {run.errors} |"
                )
    lines += ["", "## Targets (issue 14)", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(backends, results)]
    return "\n".join(lines) + "\n"


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk): no benchmark.")
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    work = Path(setting("DATA_DIR", "/tmp/talentday-bench"))  # nosec B108
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    print(f"make bench at scale {scale:g}; server logs in {log}", flush=True)
    scripts = Path(tempfile.mkdtemp(prefix="talentday-bench-"))
    (scripts / "done.lua").write_text(DONE)
    (scripts / "register.lua").write_text(REGISTER + DONE)
    ceiling_env = base_env(work / "ceiling")
    ceiling = start("ceiling:app", ceiling_env, log, cwd=ROOT / "bench", probe="/")
    backends, results = [], {}
    try:
        for name in setting("BACKENDS", "sqlite,postgresql").split(","):
            backend = prepare(name.strip(), scale, work, log)
            backends.append(backend)
            results[backend.name] = measure_backend(backend, ceiling, scripts, log)
    finally:
        ceiling.stop()
        shutil.rmtree(scripts, ignore_errors=True)
    command = f"make bench SCALE={scale:g}"
    extra = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_")]
    if extra:
        command = " ".join(extra) + " " + command
    text = report(scale, backends, results, started, (load_before, os.getloadavg()[0]), command)
    output = Path(setting("OUTPUT", str(ROOT / "docs" / "performance.md")))
    output.write_text(text)
    print()
    print(text)
    print(f"Written to {output}")


if __name__ == "__main__":
    main()
