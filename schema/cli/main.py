"""The `civicgraph` command: serve, migrate, load data, export the schema, mint tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from core.devdata.demo import load_everything
from core.devdata.generate import generate as run_generate
from core.infra import clock, db
from core.infra.cities import ensure_cities, load_city_configs
from core.infra.enums import Role
from core.infra.errors import DomainError
from core.infra.i18n import localise
from core.infra.settings import PROJECT_ROOT, SettingsError
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from core.plugins.calls import configured_plugins, installation
from core.plugins.contributions import SyncReport
from core.security import production
from core.security.auth import ROLE_SCOPES, Principal, Scope, mint_token
from core.security.personal import DataKeyError, check_data_key
from core.security.retention import Purged
from core.security.retention import purge as run_purge
from schema.cli import documents
from schema.cli.running import DatabaseOption
from schema.cli.running import run as _run

app = typer.Typer(
    help="civicgraph: a GraphQL backend for community governance and property oversight.",
    no_args_is_help=True,
    add_completion=False,
)
schema_app = typer.Typer(help="Work with the GraphQL schema (SDL).", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(documents.app, name="documents")

OwnerDatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar=["CIVICGRAPH_MIGRATION_DATABASE_URL", "CIVICGRAPH_DATABASE_URL"],
        help="As the tables' owner (migrations, purge); the app's role may do less.",
    ),
]


@app.command()
def migrate(database_url: OwnerDatabaseOption = None) -> None:
    """Apply pending database migrations (safe to run again) and register configured cities."""
    asyncio.run(db.migrate(database_url))
    _run(ensure_cities, database_url)
    typer.echo(f"migrated; cities: {', '.join(sorted(load_city_configs()))}")


@app.command("demo-data")
def demo_data(database_url: DatabaseOption = None) -> None:
    """Load the demo data of every configured city (Dongguan, Zhuhai) and of the plugins each
    city enables; skips what exists, so running it again changes nothing."""
    counts = _run(lambda: load_everything(lambda msg: typer.echo(f"  {msg}")), database_url)
    typer.echo("demo data: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing new"))


@app.command()
def generate(
    city: Annotated[str, typer.Option(help="City slug to generate into (created if missing).")],
    compounds: Annotated[int, typer.Option(min=1, help="Number of compounds.")] = 5000,
    cases: Annotated[int, typer.Option(min=0, help="Number of cases.")] = 1_000_000,
    firms: Annotated[int, typer.Option(min=1, help="Number of property firms.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same city.")] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """Generate a large synthetic city for load and benchmark work (COPY on PostgreSQL)."""

    def progress(stage: str, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        typer.echo(f"\r  {stage}: {done:,}/{total:,} ({pct}%)", nl=done >= total)

    counts = _run(
        lambda: run_generate(city, compounds, cases, firms=firms, seed=seed, progress=progress),
        database_url,
    )
    typer.echo("generated: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the API: POST /graphql/{city}; open it in a browser for GraphiQL."""
    # Imported when used: uvicorn is needed by `serve` only.
    from schema.http import serving

    if database_url:
        os.environ["CIVICGRAPH_DATABASE_URL"] = database_url
    try:
        check_data_key()  # production refuses the development data key (docs/privacy.md)
        production.check()  # and a missing, weak or public secret (docs/security.md)
    except (DataKeyError, SettingsError) as e:
        typer.echo(f"refusing to serve: {e}", err=True)
        raise typer.Exit(2) from None
    for slug in sorted(load_city_configs()):
        typer.echo(f"GraphiQL for {slug}: http://{host}:{port}/graphql/{slug}")
    serving.run("schema.http.app:create_app", host, port, workers, log_level="info")


@app.command()
def token(
    city: Annotated[str, typer.Option(help="City slug the token is for.")],
    role: Annotated[Role, typer.Option(case_sensitive=False, help="The caller's role.")],
    scope: Annotated[
        str,
        typer.Option(help="city, street:ID, community:ID, compound:ID, firm:ID, organisation:ID."),
    ] = "city",
    subject: Annotated[str | None, typer.Option(help="Who the token names (sub).")] = None,
    ttl_minutes: Annotated[int | None, typer.Option(min=1, help="Lifetime.")] = None,
) -> None:
    """Mint a development token (HS256, the configured secret). IDs are database ids."""
    if city not in load_city_configs():
        raise typer.BadParameter(f"unknown city {city!r}", param_hint="--city")
    try:
        parsed = Scope.parse(scope)
        ttl = ttl_minutes * 60 if ttl_minutes else None
        typer.echo(mint_token(city, role, parsed, subject, ttl_seconds=ttl))
    except ValueError as e:
        allowed = ", ".join(sorted(k.value for k in ROLE_SCOPES[role]))
        raise typer.BadParameter(
            f"{e} (role {role.value} takes: {allowed})", param_hint="--scope"
        ) from None


@app.command()
def bench(
    cases: Annotated[
        list[int] | None, typer.Option(help="Cases in the city; repeat for a scaling run.")
    ] = None,
    compounds: Annotated[int, typer.Option(min=1, help="Compounds in the city.")] = 5000,
    firms: Annotated[int, typer.Option(min=1, help="Property firms.")] = 200,
    workers: Annotated[
        list[int] | None, typer.Option(help="Server processes; repeat for a scaling run.")
    ] = None,
    requests: Annotated[int, typer.Option(min=1, help="Most requests per query and path.")] = 3000,
    seconds: Annotated[float, typer.Option(min=0.1, help="Most seconds per query and path.")] = 6.0,
    concurrency: Annotated[int, typer.Option(min=1, help="Concurrent connections.")] = 8,
    rounds: Annotated[int, typer.Option(min=1, help="Alternating rounds over the paths.")] = 3,
    warmup: Annotated[int, typer.Option(min=0, help="Warm-up requests per query and path.")] = 40,
    paths: Annotated[
        str, typer.Option(help="Comma-separated: compiled, resolver, naive, baseline.")
    ] = "compiled,resolver,naive,baseline",
    database: Annotated[
        str, typer.Option(help="PostgreSQL URL prefix; the database name gets _c<cases>.")
    ] = "postgres://postgres@127.0.0.1:5432/civicgraph_bench",
    write_doc: Annotated[bool, typer.Option(help="Write the figures into docs/.")] = True,
    limits: Annotated[
        bool, typer.Option("--limits", help="Time refusals of hostile documents instead.")
    ] = False,
) -> None:
    """Benchmark the GraphQL paths against a hand-written asyncpg baseline (PostgreSQL)."""
    # The benchmark lives with the tests (tests/benchmarks), beside the package, not in it.
    sys.path.insert(0, str(PROJECT_ROOT))
    if limits:
        from tests.benchmarks import limits as limits_bench  # importable only once on sys.path

        limits_bench.main(requests if requests != 3000 else 200, say=typer.echo)
        return
    from tests.benchmarks.run import Options, main  # importable only once on sys.path

    main(
        Options(
            database=database,
            compounds=compounds,
            firms=firms,
            cases=cases or [1_000_000],
            workers=workers or [1],
            requests=requests,
            seconds=seconds,
            concurrency=concurrency,
            rounds=rounds,
            warmup=warmup,
            paths=[p.strip() for p in paths.split(",") if p.strip()],
            write_doc=write_doc,
            say=typer.echo,
        )
    )


@app.command()
def fuzz(
    examples: Annotated[int, typer.Option(min=1, help="Requests to send.")] = 3000,
    city: Annotated[
        list[str] | None, typer.Option(help="City slug (repeatable); default: every city.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed; default: the test suite's fixed examples.")
    ] = None,
    transport: Annotated[str, typer.Option(help="http, ws or both.")] = "both",
    kind: Annotated[str, typer.Option(help="query, mutation or both.")] = "both",
    url: Annotated[
        str | None, typer.Option(help="A running server's base URL; default: start one.")
    ] = None,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Note each kind of failure, unshrunk; go on.")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Send hostile queries and mutations to the API (docs/security.md, "Fuzzing"); exit 1
    when one answers 5xx or INTERNAL. Mutations write: use a scratch database."""
    import tempfile

    from core.infra.settings import PROJECT_ROOT, get_settings

    # The fuzzer lives with the tests (tests/fuzz), as the benchmark does.
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.fuzz.requests import CITIES, KINDS, TRANSPORTS
    from tests.fuzz.run import Options
    from tests.fuzz.run import fuzz as run_fuzz
    from tests.fuzz.server import running

    if transport not in ("http", "ws", "both"):
        raise typer.BadParameter("http, ws or both", param_hint="--transport")
    if kind not in ("query", "mutation", "both"):
        raise typer.BadParameter("query, mutation or both", param_hint="--kind")
    cities = tuple(city or CITIES)
    for slug in cities:
        if slug not in load_city_configs():
            raise typer.BadParameter(f"unknown city {slug!r}", param_hint="--city")
    options = Options(
        examples=examples,
        cities=cities,
        kinds=KINDS if kind == "both" else (kind,),
        transports=TRANSPORTS if transport == "both" else (transport,),
        seed=seed,
        keep_going=keep_going,
    )
    log = Path(tempfile.mkdtemp(prefix="civicgraph-fuzz-")) / "server.log"
    if url:
        summary = run_fuzz(url, options, say=typer.echo)
    else:
        with running(database_url or get_settings().database_url, log) as base:
            typer.echo(f"server at {base}, its log: {log}")
            summary = run_fuzz(base, options, say=typer.echo)
    for line in summary.lines():
        typer.echo(line)
    if summary.failures:
        raise typer.Exit(1)


@schema_app.command("export")
def schema_export(
    city: Annotated[str, typer.Option(help="Export this city's schema.")] = "dongguan",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File; - for stdout.")
    ] = None,
) -> None:
    """Print (or write) the SDL a city's endpoint serves."""
    # Imported when used: building the GraphQL schema costs ~1 s, which other commands skip.
    from schema.api.build import schema_for_city

    if city not in load_city_configs():
        known = ", ".join(sorted(load_city_configs()))
        raise typer.BadParameter(
            f"unknown city {city!r} (configured: {known})", param_hint="--city"
        )
    # The plugins the city's TOML enables: an export needs no database.
    sdl = schema_for_city(configured_plugins(city)).as_str() + "\n"
    if output is None or str(output) == "-":
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        typer.echo(f"wrote {output}")


@schema_app.command("write")
def schema_write() -> None:
    """Write every committed SDL: schema/schema.graphql and schema/sdl/<city>.graphql."""
    from schema.api import sdl  # builds the schemas: ~1 s that other commands skip

    for path in sdl.write():
        typer.echo(f"wrote {path.relative_to(PROJECT_ROOT)}")


@schema_app.command("check")
def schema_check() -> None:
    """Report changes since the released SDLs that break clients and nobody accepted."""
    from schema.api import sdl

    unexplained, stale = sdl.check()
    for found in unexplained:
        typer.echo(f"{found.sdl}: {found.change} ({found.kind})")
    for entry in stale:
        typer.echo(f"{sdl.DELIBERATE.name}: {entry.sdl}: {entry.change!r} matches no break")
    if unexplained or stale:
        raise typer.Exit(1)
    typer.echo("no unaccepted breaking change since the released SDLs")


@schema_app.command("release")
def schema_release() -> None:
    """Make the committed SDLs the released ones (schema/sdl/released/), the check's base."""
    from schema.api import sdl

    for path in sdl.release():
        typer.echo(f"released {path.relative_to(PROJECT_ROOT)}")


@app.command("plugins")
def plugins_command(database_url: DatabaseOption = None) -> None:
    """List installed plugins: version, the hooks each implements, the cities enabling each."""
    found = _run(installation, database_url)
    if not found:
        typer.echo("no plugins installed (entry-point group civicgraph.plugins)")
    for plugin in found:
        typer.echo(f"{plugin.name} {plugin.version or '(not from a distribution)'}")
        typer.echo(f"  hooks:  {', '.join(plugin.hooks) or '-'}")
        typer.echo(f"  cities: {', '.join(plugin.cities) or '-'}")


@app.command()
def escalate(
    city: Annotated[str, typer.Option(help="City slug.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: today in the city.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Escalate every case overdue in its stage one level up (run daily; docs/cases.md)."""
    # Imported when used: it builds the GraphQL types (~0.6 s), which other commands skip.
    from schema.cases.fields import escalate as escalate_audited

    if city not in load_city_configs():
        raise typer.BadParameter(f"unknown city {city!r}", param_hint="--city")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else clock.local_date(clock.now(), city)
    except ValueError:
        raise typer.BadParameter(f"not a date: {as_of!r}", param_hint="--as-of") from None
    system = Principal(city=city, role=Role.CITY_ADMIN, subject="system:escalate")

    async def work() -> list[int]:
        with in_city(city):
            # Audited like the mutation: one transaction, one entry naming the cases.
            return await escalate_audited(system, day, {"asOf": day.isoformat()})

    escalated = _run(work, database_url)
    typer.echo(f"escalated {len(escalated)} case(s) overdue on {day.isoformat()}")


@app.command("sync-state-owned")
def sync_state_owned(
    city: Annotated[str, typer.Option(help="City slug.")],
    connector: Annotated[
        str | None, typer.Option(help="Only this plugin's connector; default: every one.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Reconcile the state-owned property companies' project feeds with the city's compounds
    and contracts (the city's plugins' connectors; exit 1 when a feed failed)."""
    if city not in load_city_configs():
        raise typer.BadParameter(f"unknown city {city!r}", param_hint="--city")

    async def work() -> list[SyncReport]:
        with in_city(city):
            return await plugins.sync_state_owned_projects(
                connector, dry_run=dry_run, actor="cli:sync-state-owned"
            )

    try:
        reports = _run(work, database_url)
    except DomainError as e:
        raise typer.BadParameter(e.render("en"), param_hint="--connector") from None
    if not reports:
        typer.echo(f"{city}: no state-owned company connector enabled")
    for r in reports:
        counts = ", ".join(
            f"{s.lower()} {r.count(s)}"
            for s in ("MATCHED", "CREATED", "CHANGED", "ENDED", "CONFLICTING")
        )
        mode = " (dry run, nothing written)" if r.dry_run else ""
        typer.echo(f"{r.plugin} {r.company}{mode}: {counts}")
        for row in r.rows:
            if row.status != "MATCHED":
                typer.echo(f"  {row.status} {row.external_id} {localise(row.detail, 'en')}")
        for error in r.errors:
            typer.echo(f"  ERROR {localise(error, 'en')}", err=True)
    if any(r.errors for r in reports):
        raise typer.Exit(1)


@app.command()
def purge(
    city: Annotated[
        list[str] | None, typer.Option(help="City slug (repeatable); default: every city.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
    database_url: OwnerDatabaseOption = None,
) -> None:
    """Enforce the retention periods of docs/privacy.md (run daily)."""
    cities = city or sorted(load_city_configs())
    verb = "would purge" if dry_run else "purged"

    def progress(p: Purged) -> None:
        typer.echo(
            f"  {p.city}: {verb} {p.idempotency_keys} idempotency key(s), "
            f"{p.people_erased} person(s) who left, {p.audit_entries} audit entr(ies)"
        )

    done = _run(lambda: run_purge(cities, dry_run=dry_run, progress=progress), database_url)
    typer.echo(f"{'dry run' if dry_run else 'purge'} done: {len(done)} city(ies)")


def main() -> Any:  # pragma: no cover - console entry
    return app()
