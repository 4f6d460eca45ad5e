"""What the compiled path knows: each core read type's fields as SQL, mirroring its resolvers.

A field missing here is not an error: the operation goes to the resolver path. Each entry
follows the resolver it stands for (schema/*/types.py, schema/api/query.py,
core/places/directory.py, core/cases/filing.py); the differential tests
(tests/schema/compiler/test_compiled.py) hold them equal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLObjectType, get_named_type
from strawberry.types.private import is_private
from strawberry.utils.str_converters import to_camel_case
from tortoise.filters import escape_like

from core import models
from core.cases import filing as core_cases
from core.infra import enums as domain
from core.infra.errors import DomainError
from core.infra.pagination import page_request
from core.models.base import CityModel
from core.models.shapes import fields_of, foreign_keys, scalar_kind
from core.places import directory
from core.security.access import case_visibility_sql, require_role
from schema.api.enums import CaseOrder, CompoundOrder, PlaceOrder, ordering
from schema.api.ids import from_global_id
from schema.api.inputs import (
    CaseFilter,
    CompoundFilter,
    FirmFilter,
    OrganisationFilter,
    PlaceFilter,
)
from schema.api.query import _AUTHENTICATED
from schema.cases.types import Case
from schema.compiler.plan import Unsupported
from schema.compiler.sql import CITY, Builder, FieldSql, PageSpec, global_id, iso_date, iso_ts, lit
from schema.firms.types import Firm, ManagementContract
from schema.organisations.types import Organisation
from schema.places import types as place_types

Nodes = list[FieldNode]

# GraphQL type -> its strawberry type and model, whose row shape gives the scalar fields.
TYPES: dict[str, tuple[type[Any], type[CityModel]]] = {
    "Street": (place_types.Street, models.Street),
    "Community": (place_types.Community, models.Community),
    "Compound": (place_types.Compound, models.Compound),
    "Building": (place_types.Building, models.Building),
    "Grid": (place_types.Grid, models.Grid),
    "Organisation": (Organisation, models.Organisation),
    "Firm": (Firm, models.Firm),
    "ManagementContract": (ManagementContract, models.ManagementContract),
    "Case": (Case, models.Case),
}
TABLES = {name: model._meta.db_table for name, (_, model) in TYPES.items()}
SORT_KINDS = {
    "name": "text",
    "homes": "int",
    "residents": "int",
    "created_at": "ts",
    "stage_entered_at": "ts",
}


# -- scalar fields -----------------------------------------------------------------------


def col(column: str) -> FieldSql:
    return lambda b, a, nodes, f: f"{a}.{column}"


def ts(column: str) -> FieldSql:
    return lambda b, a, nodes, f: iso_ts(f"{a}.{column}")


def date(column: str) -> FieldSql:
    return lambda b, a, nodes, f: iso_date(f"{a}.{column}")


def gid(type_name: str) -> FieldSql:
    return lambda b, a, nodes, f: global_id(type_name, f"{a}.id")


def label(enum: type[domain.Labelled], column: str) -> FieldSql:
    def compile_label(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
        whens = " ".join(f"WHEN {lit(m.value)} THEN {lit(m.label(b.lang))}" for m in enum)
        return f"(CASE {a}.{column} {whens} END)"

    return compile_label


def scalars(type_name: str) -> dict[str, FieldSql]:
    """The type's fields that are columns of its model's row shape (core/models/shapes.py),
    rendered as the resolver renders them; ids and relations are the catalog's own."""
    gql_type, model = TYPES[type_name]
    by_name = {f.python_name: f for f in gql_type.__strawberry_definition__.fields}
    render = {"datetime": ts, "date": date}
    found: dict[str, FieldSql] = {}
    for name in fields_of(model):
        field = by_name.get(name)
        if name == "id" or name in foreign_keys(model) or field is None or is_private(field.type):
            continue
        column = model._meta.fields_map[name].source_field or name
        found[to_camel_case(name)] = render.get(scalar_kind(model, name), col)(column)
    return found


# -- relations ---------------------------------------------------------------------------


def one(type_name: str, fk: str) -> FieldSql:
    """A to-one relation through a loader of rows by id (null when the id is null)."""
    table = TABLES[type_name]
    return lambda b, a, nodes, f: b.row(type_name, table, nodes, f"{{a}}.id = {a}.{fk}")


def children(type_name: str, parent_column: str) -> FieldSql:
    """directory.rows_by_parent: a parent's children ordered by name."""
    table = TABLES[type_name]
    return lambda b, a, nodes, f: b.rows(
        type_name, table, nodes, f"{{a}}.{parent_column} = {a}.id", "{a}.name, {a}.id"
    )


def contracts_of(column: str) -> FieldSql:
    """directory.contracts_of: every contract, newest first."""
    return lambda b, a, nodes, f: b.rows(
        "ManagementContract",
        "management_contracts",
        nodes,
        f"{{a}}.{column} = {a}.id",
        "{a}.starts_on DESC, {a}.id DESC",
    )


def _current_contract(b: Builder, compound: str, columns: str) -> str:
    """directory.current_contracts: of the contracts in force today, the latest-starting."""
    day = b.bind(b.today, "date")
    return (
        f"SELECT {columns} FROM management_contracts cc WHERE cc.city_id = {CITY} "
        f"AND cc.compound_id = {compound} AND cc.starts_on <= {day} "
        f"AND (cc.ends_on IS NULL OR cc.ends_on >= {day}) "
        f"ORDER BY cc.starts_on DESC, cc.id DESC LIMIT 1"
    )


def compound_firm(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    contract = _current_contract(b, f"{a}.id", "cc.firm_id")
    return b.row_via("Firm", "firms", nodes, contract, "{a}.id = x.firm_id")


def compound_current_contract(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    contract = _current_contract(b, f"{a}.id", "cc.id")
    return b.row_via("ManagementContract", "management_contracts", nodes, contract, "{a}.id = x.id")


def compound_cases(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    """Compound.cases: schema.cases.loaders.nested_page over core.cases.filing.latest_cases."""
    args = b.arguments(nodes, f)
    size = _page(args.get("first"), None).first
    kinds = tuple(domain.CaseKind(k) for k in args.get("kind") or ())
    visible = case_visibility_sql(b.principal, CITY, b.bind, "{t}")
    kind_sql = (
        f"{{t}}.kind = ANY({b.bind([k.value for k in kinds], 'text[]')})" if kinds else "true"
    )

    def where(t: str) -> str:
        return f"{t}.compound_id = {a}.id AND {visible.format(t=t)} AND {kind_sql.format(t=t)}"

    spec = PageSpec("cases", "Case", where, "created_at", "ts", True, size)
    return b.connection(nodes, f, spec)


def organisation_place(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    """Organisation.place: the most specific place column set wins, even if its row is gone."""
    union = get_named_type(f.type)
    whens = []
    for column, type_name in (
        ("building_id", "Building"),
        ("grid_id", "Grid"),
        ("compound_id", "Compound"),
        ("community_id", "Community"),
        ("street_id", "Street"),
    ):
        runtime = b.object_type(type_name)
        if not b.schema._schema.is_sub_type(union, runtime):  # type: ignore[arg-type]
            raise Unsupported("Place")
        fields = b.collector.subfields(runtime, nodes)
        r = b.alias("u")
        row = (
            f"(SELECT {b.obj(type_name, r, fields)} FROM {TABLES[type_name]} {r} "
            f"WHERE {r}.city_id = {CITY} AND {r}.id = {a}.{column})"
        )
        whens.append(f"WHEN {a}.{column} IS NOT NULL THEN {row}")
    return f"(CASE {' '.join(whens)} ELSE NULL END)"


# -- the root ----------------------------------------------------------------------------


def _page(first: int | None, after: str | None) -> Any:
    try:
        return page_request(first, after)
    except DomainError:
        raise Unsupported("page request refused") from None  # the resolver words the error


def _core(value: Any, default: Any) -> Any:
    try:
        return (value or default).to_core()
    except DomainError:
        raise Unsupported("filter refused") from None


def _like(b: Builder, t: str, text: str | None) -> str:
    if not text:
        return "true"
    pattern = b.bind(f"%{escape_like(text)}%", "text")
    return f"UPPER({t}.name::varchar) LIKE UPPER({pattern}) ESCAPE '\\'"


def _eq(b: Builder, expr: str, value: Any, sql_type: str = "int") -> str:
    if value is None:
        return "true"
    return f"{expr} = {b.bind_id(value) if sql_type == 'int' else b.bind(value, sql_type)}"


def _any(b: Builder, expr: str, values: tuple[Any, ...]) -> str:
    return f"{expr} = ANY({b.bind([v.value for v in values], 'text[]')})" if values else "true"


def _compounds_of_street(b: Builder, street_id: int) -> str:
    return (
        "SELECT sc.id FROM compounds sc JOIN communities sm ON sm.id = sc.community_id "
        f"WHERE sm.street_id = {b.bind_id(street_id)}"
    )


def _place_where(b: Builder, type_name: str, t: str, f: directory.PlaceFilter) -> list[str]:
    """directory._place_q: each filter reaches up the hierarchy from where the model hangs."""
    parts = [_like(b, t, f.name_contains)]
    if type_name == "Street":
        parts.append(_eq(b, f"{t}.id", f.street_id))
        if f.community_id is not None:
            parts.append(
                f"{t}.id IN (SELECT sm.street_id FROM communities sm "
                f"WHERE sm.id = {b.bind_id(f.community_id)})"
            )
        if f.compound_id is not None:
            parts.append(
                f"{t}.id IN (SELECT sm.street_id FROM communities sm JOIN compounds sc "
                f"ON sc.community_id = sm.id WHERE sc.id = {b.bind_id(f.compound_id)})"
            )
    if type_name == "Community":
        parts.append(_eq(b, f"{t}.street_id", f.street_id))
        parts.append(_eq(b, f"{t}.id", f.community_id))
        if f.compound_id is not None:
            parts.append(
                f"{t}.id IN (SELECT sc.community_id FROM compounds sc "
                f"WHERE sc.id = {b.bind_id(f.compound_id)})"
            )
    if type_name in ("Compound", "Grid"):
        if f.street_id is not None:
            parts.append(
                f"{t}.community_id IN (SELECT sm.id FROM communities sm "
                f"WHERE sm.street_id = {b.bind_id(f.street_id)})"
            )
        parts.append(_eq(b, f"{t}.community_id", f.community_id))
    if type_name == "Grid" and f.compound_id is not None:  # as directory._place_q
        parts.append(
            f"{t}.id IN (SELECT gb.grid_id FROM buildings gb "
            f"WHERE gb.compound_id = {b.bind_id(f.compound_id)})"
        )
    if type_name == "Building":
        if f.street_id is not None:
            parts.append(f"{t}.compound_id IN ({_compounds_of_street(b, f.street_id)})")
        if f.community_id is not None:
            parts.append(
                f"{t}.compound_id IN (SELECT sc.id FROM compounds sc "
                f"WHERE sc.community_id = {b.bind_id(f.community_id)})"
            )
        parts.append(_eq(b, f"{t}.compound_id", f.compound_id))
    if isinstance(f, directory.CompoundFilter):
        parts.append(_any(b, f"{t}.kind", f.kinds))
        if f.mature is not None:
            parts.append(f"{t}.mature = {b.bind(f.mature, 'bool')}")
        if f.management_mode is not None:
            parts.append(f"{t}.management_mode = {b.bind(f.management_mode.value, 'text')}")
        if f.firm_id is not None:
            day = b.bind(b.today, "date")
            parts.append(
                f"{t}.id IN (SELECT mc.compound_id FROM management_contracts mc "
                f"WHERE mc.city_id = {CITY} AND mc.firm_id = {b.bind_id(f.firm_id)} "
                f"AND mc.starts_on <= {day} AND (mc.ends_on IS NULL OR mc.ends_on >= {day}))"
            )
    return parts


def _root_page(
    b: Builder, nodes: Nodes, f: GraphQLField, type_name: str, where: Any, order: Any
) -> str:
    args = b.arguments(nodes, f)
    page = _page(args.get("first"), args.get("after"))
    predicates = where(args)
    spec = PageSpec(
        TABLES[type_name],
        type_name,
        lambda t: " AND ".join(p.format(t=t) for p in predicates) or "true",
        order.field,
        SORT_KINDS[order.field],
        order.descending,
        page.first,
        page.after,
    )
    return b.connection(nodes, f, spec)


def places(type_name: str, filter_default: Any) -> FieldSql:
    def compile_places(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
        args = b.arguments(nodes, f)
        core_filter = _core(args.get("filter"), filter_default)
        default_order = CompoundOrder() if type_name == "Compound" else PlaceOrder()
        order = ordering(args.get("order_by") or default_order)
        where = _place_where(b, type_name, "{t}", core_filter)
        return _root_page(b, nodes, f, type_name, lambda _: where, order)

    return compile_places


def root_organisations(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    args = b.arguments(nodes, f)
    o = _core(args.get("filter"), OrganisationFilter())
    t = "{t}"
    where = [_like(b, t, o.name_contains), _any(b, f"{t}.kind", o.kinds)]
    where.append(_eq(b, f"{t}.parent_id", o.parent_id))
    if o.root_only:
        where.append(f"{t}.parent_id IS NULL")
    for column in ("street_id", "community_id", "compound_id"):
        where.append(_eq(b, f"{t}.{column}", getattr(o, column)))
    order = ordering(args.get("order_by") or PlaceOrder())
    return _root_page(b, nodes, f, "Organisation", lambda _: where, order)


def root_firms(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    args = b.arguments(nodes, f)
    o = _core(args.get("filter"), FirmFilter())
    t = "{t}"
    where = [_like(b, t, o.name_contains)]
    if o.is_state_owned is not None:
        where.append(f"{t}.is_state_owned = {b.bind(o.is_state_owned, 'bool')}")
    order = ordering(args.get("order_by") or PlaceOrder())
    return _root_page(b, nodes, f, "Firm", lambda _: where, order)


def _aware(value: dt.datetime) -> dt.datetime:
    # The resolver path fails on a naive time (an internal error): let it answer that itself.
    if value.tzinfo is None:
        raise Unsupported("naive datetime")
    return value


def root_cases(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    """Query.cases: needs a token; the caller's visibility, then core.cases.filing._filter_q."""
    try:
        require_role(b.principal, _AUTHENTICATED)
    except DomainError:
        raise Unsupported("refused") from None
    args = b.arguments(nodes, f)
    c: core_cases.CaseFilter = _core(args.get("filter"), CaseFilter())
    t = "{t}"
    where = [case_visibility_sql(b.principal, CITY, b.bind, t)]
    where.append(_eq(b, f"{t}.compound_id", c.compound_id))
    if c.community_id is not None:
        where.append(
            f"{t}.compound_id IN (SELECT sc.id FROM compounds sc "
            f"WHERE sc.community_id = {b.bind_id(c.community_id)})"
        )
    if c.street_id is not None:
        where.append(f"{t}.compound_id IN ({_compounds_of_street(b, c.street_id)})")
    where += [_any(b, f"{t}.kind", c.kinds), _any(b, f"{t}.stage", c.stages)]
    if c.filed_after is not None:
        where.append(f"{t}.created_at >= {b.bind(_aware(c.filed_after), 'timestamptz')}")
    if c.filed_before is not None:
        where.append(f"{t}.created_at < {b.bind(_aware(c.filed_before), 'timestamptz')}")
    order = ordering(args.get("order_by") or CaseOrder())
    return _root_page(b, nodes, f, "Case", lambda _: where, order)


def root_city(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    fields = b.fields_of("City", nodes)
    principal = b.principal
    compilers = {
        "slug": "c.slug",
        "name": "c.name",
        "nameEn": "c.name_en",
        "viewerRole": lit(principal.role.value),
        "viewerScope": lit(str(principal.scope)),
        "__typename": lit("City"),
    }
    parts = []
    for key, fnodes in fields.items():
        name = fnodes[0].name.value
        if name not in compilers:
            raise Unsupported(f"City.{name}")
        parts.append(f"{lit(key)}, {compilers[name]}")
    return f"(SELECT json_build_object({', '.join(parts)}) FROM cities c WHERE c.slug = {CITY})"


# The Node types whose lookup compiles: the public directory and contracts (their reads in
# schema/api/nodes.py serve every caller) and cases (the caller's case visibility, compiled
# in). `node` of any other type goes to the resolver path, which applies that type's own
# rules (schema/api/nodes.py): no compiled SQL may stand in for them.
NODE_TYPES = (
    "Street",
    "Community",
    "Compound",
    "Building",
    "Grid",
    "Organisation",
    "Firm",
    "ManagementContract",
)


def root_node(b: Builder, a: str, nodes: Nodes, f: GraphQLField) -> str:
    args = b.arguments(nodes, f)
    try:
        type_name, pk = from_global_id(args["id"])
    except DomainError:
        raise Unsupported("invalid id") from None
    if type_name == "Case":
        visible = case_visibility_sql(b.principal, CITY, b.bind, "{a}")
        return b.row("Case", "cases", nodes, f"{{a}}.id = {b.bind_id(pk)} AND {visible}")
    if type_name not in NODE_TYPES:
        raise Unsupported("node of a type without a compiled lookup")
    return b.row(type_name, TABLES[type_name], nodes, f"{{a}}.id = {b.bind_id(pk)}")


def _is_object(f: GraphQLField) -> bool:
    return isinstance(get_named_type(f.type), GraphQLObjectType)


CATALOG: dict[str, dict[str, FieldSql]] = {
    "Query": {
        "city": root_city,
        "node": root_node,
        "streets": places("Street", PlaceFilter()),
        "communities": places("Community", PlaceFilter()),
        "compounds": places("Compound", CompoundFilter()),
        "buildings": places("Building", PlaceFilter()),
        "grids": places("Grid", PlaceFilter()),
        "organisations": root_organisations,
        "firms": root_firms,
        "cases": root_cases,
    },
    "Street": {
        **scalars("Street"),
        "id": gid("Street"),
        "communities": children("Community", "street_id"),
    },
    "Community": {
        **scalars("Community"),
        "id": gid("Community"),
        "kindLabel": label(domain.CommunityKind, "kind"),
        "street": one("Street", "street_id"),
        "compounds": children("Compound", "community_id"),
        "grids": children("Grid", "community_id"),
    },
    "Compound": {
        **scalars("Compound"),
        "id": gid("Compound"),
        "kindLabel": label(domain.CompoundKind, "kind"),
        "managementModeLabel": label(domain.ManagementMode, "management_mode"),
        "community": one("Community", "community_id"),
        "firm": compound_firm,
        "currentContract": compound_current_contract,
        "contracts": contracts_of("compound_id"),
        "buildings": children("Building", "compound_id"),
        "organisations": children("Organisation", "compound_id"),
        "cases": compound_cases,
    },
    "Building": {
        **scalars("Building"),
        "id": gid("Building"),
        "compound": one("Compound", "compound_id"),
        "grid": one("Grid", "grid_id"),
    },
    "Grid": {
        **scalars("Grid"),
        "id": gid("Grid"),
        "community": one("Community", "community_id"),
        "buildings": children("Building", "grid_id"),
    },
    "Organisation": {
        **scalars("Organisation"),
        "id": gid("Organisation"),
        "kindLabel": label(domain.OrganisationKind, "kind"),
        "parent": one("Organisation", "parent_id"),
        "children": children("Organisation", "parent_id"),
        "place": organisation_place,
    },
    "Firm": {
        **scalars("Firm"),
        "id": gid("Firm"),
        "contracts": contracts_of("firm_id"),
    },
    "ManagementContract": {
        **scalars("ManagementContract"),
        "id": gid("ManagementContract"),
        "modeLabel": label(domain.ManagementMode, "mode"),
        "compound": one("Compound", "compound_id"),
        "firm": one("Firm", "firm_id"),
    },
    "Case": {
        **scalars("Case"),
        "id": gid("Case"),
        "kindLabel": label(domain.CaseKind, "kind"),
        "stageLabel": label(domain.CaseStage, "stage"),
        "compound": one("Compound", "compound_id"),
    },
}
