"""`civicgraph documents`: a city's persisted documents (docs/api.md, "Persisted documents").

`push` registers a frontend build's manifest as the city's trusted documents, all or none,
after checking every document against the city's schema; `list` shows what the city holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from graphql import GraphQLError, OperationDefinitionNode, parse, specified_rules, validate

from core.infra.cities import load_city_configs
from core.infra.errors import DomainError, ValidationErrors
from core.infra.settings import get_settings
from core.infra.tenancy import in_city
from core.models.documents import DocumentSource
from core.persisted import store
from core.persisted.manifests import read_manifest
from core.plugins.calls import city_plugins
from schema.cli.running import DatabaseOption, run

app = typer.Typer(
    help="Persisted documents: push a frontend build's manifest, list a city's documents.",
    no_args_is_help=True,
)

CityOption = Annotated[str, typer.Option(help="City slug.")]


def _city(city: str) -> None:
    if city not in load_city_configs():
        known = ", ".join(sorted(load_city_configs()))
        raise typer.BadParameter(
            f"unknown city {city!r} (configured: {known})", param_hint="--city"
        )


def _refuse(error: DomainError, what: str) -> typer.Exit:
    problems = error.errors if isinstance(error, ValidationErrors) else [error]
    typer.echo(f"refused, nothing written: {what}", err=True)
    for problem in problems:
        typer.echo(f"  {problem.render('en')}", err=True)
    return typer.Exit(1)


async def _push(city: str, documents: dict[str, str]) -> store.Pushed:
    from schema.api.build import schema_for_city  # ~1 s to build: only when pushing

    with in_city(city):
        schema = schema_for_city(await city_plugins(city))._schema
        max_tokens = get_settings().limits.max_tokens
        problems = []
        for key, body in documents.items():
            try:
                errors = validate(schema, parse(body, max_tokens=max_tokens), specified_rules)
            except GraphQLError as e:
                errors = [e]
            if errors:
                problems.append(DomainError("DOCUMENT_INVALID", key, detail=errors[0].message))
        if problems:
            raise ValidationErrors(problems[:20]) if len(problems) > 1 else problems[0]
        return await store.push(documents)


@app.command("push")
def push(
    manifest: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="graphql-codegen's persisted-documents.json, relay-compiler's "
            "persisted_queries.json or Apollo's persisted-query manifest.",
        ),
    ],
    city: CityOption,
    database_url: DatabaseOption = None,
) -> None:
    """Register a build's documents as the city's trusted documents: all, or none when one
    id does not match its text or a document does not validate against the city's schema."""
    _city(city)
    try:
        documents = read_manifest(manifest.read_bytes())
    except DomainError as e:
        raise _refuse(e, f"{manifest} is not a manifest this command reads") from None
    typer.echo(f"{manifest.name}: {len(documents):,} document(s); checking against {city}'s schema")
    try:
        pushed = run(lambda: _push(city, documents), database_url)
    except DomainError as e:
        raise _refuse(e, f"{manifest} holds documents {city} cannot take") from None
    typer.echo(
        f"{city}: {pushed.added:,} added, {pushed.promoted:,} trusted now (registered by "
        f"clients before), {pushed.unchanged:,} already trusted"
    )


def _operations(body: str) -> str:
    try:
        document = parse(body)
    except GraphQLError:
        return "-"
    names = [
        f"{d.operation.value} {d.name.value if d.name else '(anonymous)'}"
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    return ", ".join(names) or "-"


@app.command("list")
def list_documents(
    city: CityOption,
    source: Annotated[
        DocumentSource | None, typer.Option(help="Only documents of this source.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """List the city's documents, oldest first: id, source, when, size and operations."""
    _city(city)
    rules = store.policy(city)

    async def work() -> list[store.Listed]:
        with in_city(city):
            return await store.listing(source)

    found = run(work, database_url)
    mode = (
        "trusted documents only"
        if rules.trusted_only
        else (
            f"any query; clients may register up to {rules.apq_max_documents:,} (APQ)"
            if rules.apq
            else "any query; APQ registration off"
        )
    )
    typer.echo(f"{city}: {len(found):,} document(s); the city runs {mode}")
    for doc in found:
        when = doc.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        size = len(doc.body.encode())
        typer.echo(
            f"  {doc.key}  {doc.source.value:<7}  {when}  {size:,} B  {_operations(doc.body)}"
        )
