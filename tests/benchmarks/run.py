"""`civicgraph bench`: build the synthetic city, start the servers, check the answers agree,
drive each path alternately, print the table and write it into docs/performance.md."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import asyncpg
import orjson

from core.infra import db
from core.infra.cities import ensure_cities
from core.infra.enums import Role
from core.infra.settings import PROJECT_ROOT
from core.security.auth import mint_token
from schema.api.ids import to_global_id
from tests.benchmarks import baseline
from tests.benchmarks.load import Run, drive, one, request_bytes
from tests.benchmarks.queries import BenchQuery, bench_queries
from tests.servers import free_port

CITY = "dongguan"
# The 1-minute load average after each configuration: other work on the machine shows here.
LOADS: list[float] = []
DOC = PROJECT_ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class PathSpec:
    name: str
    app: str
    env: dict[str, str] = field(default_factory=dict)


PATHS = (
    PathSpec("compiled", "graphql", {"CIVICGRAPH_COMPILED": "1"}),
    PathSpec("resolver", "graphql", {"CIVICGRAPH_COMPILED": "0"}),
    PathSpec("naive", "naive"),
    PathSpec("baseline", "baseline"),
)


@dataclass
class Options:
    database: str  # postgres://user@host:port/prefix; the size is appended to the name
    compounds: int
    firms: int
    cases: list[int]
    workers: list[int]
    requests: int
    seconds: float
    concurrency: int
    rounds: int
    paths: list[str]
    warmup: int = 40  # requests per query and path before measuring
    write_doc: bool = True
    say: Callable[[str], None] = print


@dataclass
class Figure:
    cases: int
    workers: int
    query: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    statements: int
    rss_mb: float
    requests: int
    response_kb: float = 0.0  # the answer's size: what a list query returns grows with the city


# -- the database ----------------------------------------------------------------------------


def database_url(prefix: str, cases: int) -> str:
    return f"{prefix}_c{cases}"


async def _create_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    conn = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _vacuum() -> None:
    """Statistics and the visibility map, as autovacuum leaves a settled database. Without the
    map a count over an index is no index-only scan: the case desk's `totalCount` at
    1,000,000 cases read 16,482 heap pages (21 ms) before, none (2.2 ms) after."""
    await db.fetch("VACUUM ANALYZE")


async def prepare(
    url: str, compounds: int, cases: int, firms: int, say: Callable[[str], None]
) -> None:
    """The synthetic city at this size: reused when it is there, generated when not."""
    from core.devdata.generate import generate

    await _create_database(url)
    await db.migrate(url)
    await db.close()
    await db.init(url)
    try:
        await ensure_cities()
        counts = (
            await db.fetch(
                "SELECT (SELECT count(*) FROM compounds WHERE city_id = $1) AS compounds, "
                "(SELECT count(*) FROM cases WHERE city_id = $1) AS cases",
                [CITY],
            )
        )[0]
        if counts["compounds"] == compounds and counts["cases"] == cases:
            say(f"reusing {url}: {compounds:,} compounds, {cases:,} cases")
            await _vacuum()
            return
        if counts["compounds"] or counts["cases"]:
            raise SystemExit(
                f"{url} holds another size ({counts['compounds']:,} compounds, "
                f"{counts['cases']:,} cases); drop it or pass another --database"
            )
        t0 = time.perf_counter()
        await generate(CITY, compounds, cases, firms=firms, seed=1)
        await _vacuum()
        say(f"generated {url} in {time.perf_counter() - t0:.0f} s")
    finally:
        await db.close()


async def _ids(url: str) -> tuple[str, str]:
    """A case whose compound has a firm today, and the firm managing the most compounds."""
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        today = dt.date.today()
        current = "starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)"
        case_id = await conn.fetchval(
            "SELECT c.id FROM cases c "
            "JOIN management_contracts mc ON mc.compound_id = c.compound_id "
            f"WHERE c.city_id = $1 AND mc.{current} ORDER BY c.id DESC LIMIT 1",
            CITY,
            today,
        )
        firm_id = await conn.fetchval(
            f"SELECT firm_id FROM management_contracts WHERE city_id = $1 AND {current} "
            "GROUP BY firm_id ORDER BY count(*) DESC, firm_id LIMIT 1",
            CITY,
            today,
        )
    finally:
        await conn.close()
    return to_global_id("Case", case_id), to_global_id("Firm", firm_id)


# -- the servers -------------------------------------------------------------------------------


@dataclass
class Server:
    spec: PathSpec
    port: int
    process: subprocess.Popen[bytes]

    def tree(self) -> list[int]:
        """The server's process and its workers."""
        pids, found = [self.process.pid], True
        while found:
            found = False
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                pid, ppid = int(stat.parent.name), int(fields[1])
                if ppid in pids and pid not in pids:
                    pids.append(pid)
                    found = True
        return pids

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) summed over the server's processes."""
        total = 0
        for pid in self.tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(match.group(1)) if match else 0
        return total / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def bench_config(into: Path) -> Path:
    """The project's configuration with the per-caller rate limit off: the benchmark is one
    caller sending thousands of requests, and measures the server, not that caller's quota."""
    from core.infra.settings import get_settings

    target = into / "config"
    shutil.copytree(get_settings().config_dir, target)
    main = target / "civicgraph.toml"
    text = re.sub(r"(?m)^rate_per_second\s*=.*$", "rate_per_second = 0", main.read_text())
    main.write_text(text)
    return target


def start(spec: PathSpec, url: str, workers: int, config_dir: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        **spec.env,
        "CIVICGRAPH_CONFIG_DIR": str(config_dir),
        "CIVICGRAPH_DATABASE_URL": url,
        "CIVICGRAPH_BENCH_APP": spec.app,
    }
    command = [sys.executable, "-m", "tests.benchmarks.serve", str(port), str(workers)]
    return Server(spec, port, subprocess.Popen(command, cwd=PROJECT_ROOT, env=env))


def wait_ready(server: Server) -> None:
    # Generous: four servers of four workers each import everything at once on two cores.
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"the {server.spec.name} server exited: {server.process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the {server.spec.name} server did not start")


# -- one configuration -------------------------------------------------------------------------


def _raw(
    server: Server, query: BenchQuery, auth: str, extra: dict[str, str] | None = None
) -> bytes:
    body = orjson.dumps(
        {"query": query.query, "variables": query.variables, "operationName": query.name}
    )
    headers = {"Authorization": f"Bearer {auth}", **(extra or {})}
    return request_bytes(server.port, f"/graphql/{CITY}", body, headers)


async def _check_and_count(
    servers: list[Server], queries: list[BenchQuery], auth: str
) -> tuple[dict[tuple[str, str], int], dict[str, float]]:
    """Every path gives the same JSON; how many statements each costs per request; and the
    size of each query's answer (KB, as the first path sends it)."""
    statements, sizes = {}, {}
    for query in queries:
        answers = {}
        for server in servers:
            answer = await one(server.port, _raw(server, query, auth, {"x-civicgraph-count": "1"}))
            parsed = orjson.loads(answer.body)
            if answer.status != 200 or "errors" in parsed:
                raise SystemExit(f"{server.spec.name} failed {query.name}: {answer.body[:500]!r}")
            answers[server.spec.name] = parsed
            sizes.setdefault(query.name, len(answer.body) / 1024)
            if server.spec.app == "baseline":
                statements[(query.name, server.spec.name)] = baseline.STATEMENTS[query.name]
            else:
                statements[(query.name, server.spec.name)] = int(
                    answer.headers["x-civicgraph-statements"]
                )
        first_name, first = next(iter(answers.items()))
        for name, answer in answers.items():
            if answer != first:
                raise SystemExit(f"{query.name}: {name} and {first_name} answer differently")
    return statements, sizes


async def _warm(servers: list[Server], queries: list[BenchQuery], auth: str, o: Options) -> None:
    """Connections, caches (plugin configuration, tokens, plans), prepared statements: in
    every worker, so that counts and timings are of the steady state."""
    for server in servers:
        for query in queries:
            await drive(server.port, _raw(server, query, auth), o.concurrency, o.warmup, 5)


async def _measure(
    servers: list[Server], queries: list[BenchQuery], auth: str, o: Options
) -> dict[tuple[str, str], Run]:
    runs = {(q.name, s.spec.name): Run() for q in queries for s in servers}
    for round_no in range(o.rounds):
        for query in queries:
            # Alternate: each round starts with a different path.
            order = servers[round_no % len(servers) :] + servers[: round_no % len(servers)]
            for server in order:
                run = await drive(
                    server.port,
                    _raw(server, query, auth),
                    o.concurrency,
                    max(1, o.requests // o.rounds),
                    o.seconds / o.rounds,
                )
                total = runs[(query.name, server.spec.name)]
                total.latencies += run.latencies
                total.elapsed += run.elapsed
                total.failures += run.failures
                if run.failures:
                    raise SystemExit(f"{server.spec.name} failed {query.name} under load")
    return runs


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


async def bench_one(url: str, cases: int, workers: int, o: Options) -> list[Figure]:
    case_id, firm_id = await _ids(url)
    queries = bench_queries(case_id, firm_id)
    auth = mint_token(CITY, Role.CITY_ADMIN, ttl_seconds=24 * 3600)
    specs = [p for p in PATHS if p.name in o.paths]
    scratch = Path(tempfile.mkdtemp(prefix="civicgraph-bench-"))
    config_dir = bench_config(scratch)
    servers = [start(spec, url, workers, config_dir) for spec in specs]  # they start in parallel
    try:
        for server in servers:
            wait_ready(server)
        await _warm(servers, queries, auth, o)
        statements, sizes = await _check_and_count(servers, queries, auth)
        runs = await _measure(servers, queries, auth, o)
        rss = {s.spec.name: s.peak_rss_mb() for s in servers}
    finally:
        for server in servers:  # signal all first: they shut down in parallel
            server.process.send_signal(signal.SIGTERM)
        for server in servers:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    figures = []
    LOADS.append(os.getloadavg()[0])
    for (query_name, path), run in runs.items():
        figures.append(
            Figure(
                cases=cases,
                workers=workers,
                query=query_name,
                path=path,
                rps=len(run.latencies) / run.elapsed if run.elapsed else 0.0,
                p50_ms=statistics.median(run.latencies) * 1000,
                p99_ms=_percentile(run.latencies, 99) * 1000,
                statements=statements[(query_name, path)],
                rss_mb=rss[path],
                requests=len(run.latencies),
                response_kb=sizes[query_name],
            )
        )
    return figures


# -- the report --------------------------------------------------------------------------------


def table(figures: list[Figure]) -> str:
    lines = [
        "| query | path | req/s | p50 ms | p99 ms | SQL/req | req/s vs baseline "
        "| p99 vs baseline | peak RSS MB | answer KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = {f.query: f for f in figures if f.path == "baseline"}
    for f in figures:
        b = base.get(f.query)
        ratio = f"{f.rps / b.rps:.2f}x" if b and b.rps else "-"
        p99 = f"{f.p99_ms / b.p99_ms:.2f}x" if b and b.p99_ms else "-"
        lines.append(
            f"| {f.query} | {f.path} | {f.rps:,.0f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} "
            f"| {f.statements} | {ratio} | {p99} | {f.rss_mb:.0f} | {f.response_kb:.1f} |"
        )
    return "\n".join(lines)


def _machine() -> str:
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    try:
        pg = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        pg = "psql not found"
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = ", ".join(
        f"{p} {version(p)}"
        for p in (
            "strawberry-graphql",
            "graphql-core",
            "tortoise-orm",
            "asyncpg",
            "uvicorn",
            "starlette",
        )
    )
    return (
        f"- {os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB memory, "
        f"{platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}; {pg}\n- {versions}"
    )


def report(figures: list[Figure], o: Options, command: str) -> str:
    out = [
        START,
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `{command}`",
        f"({o.compounds:,} compounds, {o.firms} firms; {o.concurrency} concurrent connections; "
        f"up to {o.requests:,} requests or {o.seconds:g} s per query and path, in {o.rounds} "
        "alternating rounds; the client runs on the same machine).",
        "",
        _machine(),
        f"- load average (1 min) after each configuration: "
        f"{', '.join(f'{x:.1f}' for x in LOADS) or '-'}",
    ]
    for cases in sorted({f.cases for f in figures}):
        for workers in sorted({f.workers for f in figures}):
            chosen = [f for f in figures if f.cases == cases and f.workers == workers]
            if chosen:
                out += [
                    "",
                    f"### {cases:,} cases, {workers} worker{'s' if workers > 1 else ''}",
                    "",
                ]
                out.append(table(chosen))
    out += ["", summary(figures), END]
    return "\n".join(out)


def summary(figures: list[Figure]) -> str:
    """The targets of the issue, per query, from the figures."""
    lines = ["### Against the targets", ""]
    by = {(f.cases, f.workers, f.query, f.path): f for f in figures}
    for (cases, workers, query, path), f in sorted(by.items()):
        if path != "compiled":
            continue
        parts = []
        naive = by.get((cases, workers, query, "naive"))
        resolver = by.get((cases, workers, query, "resolver"))
        if naive and naive.rps:
            parts.append(f"compiled {f.rps / naive.rps:.1f}x naive throughput")
            if resolver:
                parts.append(f"resolver {resolver.rps / naive.rps:.1f}x naive")
        if resolver and by.get((cases, workers, query, "baseline")):
            b = by[(cases, workers, query, "baseline")]
            parts.append(f"resolver p50 {resolver.p50_ms / b.p50_ms:.1f}x baseline")
        lines.append(f"- {cases:,} cases, {workers}w, {query}: " + "; ".join(parts))
    # Growth with data, the largest city against each smaller one. The answer's size is given
    # with it: with 5,000 compounds a list of their newest cases is mostly empty at 10,000
    # cases (two a compound) and full at 100,000, so it returns more as the city grows.
    sizes = sorted({f.cases for f in figures})
    large = sizes[-1]
    for small in sizes[:-1]:
        for key in sorted({(f.workers, f.query, f.path) for f in figures}):
            a, b = by.get((small, *key)), by.get((large, *key))
            if a and b and key[2] in ("compiled", "resolver", "baseline"):
                lines.append(
                    f"- p50 at {large:,} vs {small:,} cases, {key[0]}w {key[1]} {key[2]}: "
                    f"{b.p50_ms / a.p50_ms:.2f}x (answer {a.response_kb:.1f} -> "
                    f"{b.response_kb:.1f} KB)"
                )
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n## Figures\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


async def bench(o: Options, command: str) -> list[Figure]:
    figures: list[Figure] = []
    for cases in o.cases:
        url = database_url(o.database, cases)
        await prepare(url, o.compounds, cases, o.firms, o.say)
        for workers in o.workers:
            o.say(f"measuring {cases:,} cases with {workers} worker(s) ...")
            chosen = await bench_one(url, cases, workers, o)
            o.say(table(chosen))
            figures += chosen
    if o.write_doc:
        write_doc(report(figures, o, command))
        o.say(f"wrote {DOC}")
    return figures


def main(o: Options) -> list[Figure]:
    command = "civicgraph " + " ".join(sys.argv[1:]) if sys.argv[1:] else "civicgraph bench"
    return asyncio.run(bench(o, command))
