"""Writing synthetic rows in bulk: COPY or batched INSERTs, the columns from each model's shape.

A row is a dict of exposed fields (core/models/shapes.py). The columns written are the
model's `EXPOSED` ones; a field the generator leaves out gets what the ORM would write (the
model's default, or NULL where allowed), so a column added to a shape needs no change here
unless nothing sensible can stand in for it, and then the first write says which field.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.fields import Field

from core.infra import db
from core.models.base import CityModel
from core.models.shapes import column_of

Progress = Callable[[str, int, int], None]
Row = dict[str, Any]
Record = list[Any]

BATCH = 20_000
_REQUIRED = object()  # a field with neither a default nor NULL to fall back on


async def reserve_ids(table: str, count: int) -> Sequence[int]:
    """`count` ids, in increasing order, that no other writer will take."""
    if count == 0:
        return range(0)
    if db.dialect() == "sqlite":
        # One writer at a time: inside this transaction nobody else inserts.
        rows = await db.fetch(f"SELECT COALESCE(MAX(id), 0) + 1 AS first FROM {table}")
        return range(int(rows[0]["first"]), int(rows[0]["first"]) + count)
    # Drawn from the table's own sequence: ORM inserts made meanwhile or later cannot clash,
    # no fix-up is needed afterwards, and the app role may do it (setval needs UPDATE on the
    # sequence, which it lacks). Sequences are not rolled back: a failed run leaves a gap.
    rows = await db.fetch(
        f"SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) AS ids "
        "FROM generate_series(1, $1)",
        [count],
    )
    return sorted(rows[0]["ids"])


async def may_copy() -> bool:
    """Whether COPY may write: it refuses tables under row-level security, which binds every
    role but superusers and BYPASSRLS ones (owners too: core/security/rls.py forces policies)."""
    if db.dialect() != "postgres":
        return False
    rows = await db.fetch(
        "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user"
    )
    return bool(rows and rows[0]["bypass"])


def _fallback(model: type[CityModel], f: Field[Any], now: datetime) -> Any:
    """What the ORM would write into a field nobody gave a value."""
    # Model defaults live in Python, not in the schema: without this, every field added to
    # a model with a default would break the raw inserts with a NOT NULL violation.
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return now
    if f.default is not None:
        default = f.default() if callable(f.default) else f.default
        return f.to_db_value(default, model)
    return None if f.null else _REQUIRED


@dataclass(frozen=True)
class Layout:
    """The columns of a batch whose rows give the same fields, and how to make its records."""

    columns: tuple[str, ...]
    pick: Callable[[Row], Any]  # the given fields' values, in `columns` order
    constants: tuple[Any, ...]  # then the fallbacks of the fields left out, and the tail


class Table:
    """A model's bulk columns: id, city, creation time, the exposed fields, then the rest of
    its columns that the ORM would fill (defaults, `auto_now`)."""

    def __init__(self, model: type[CityModel], now: datetime) -> None:
        meta = model._meta
        self.name: str = meta.db_table
        self.fields = model.EXPOSED
        self.column = {f: column_of(model, f) for f in self.fields}
        fallbacks = {f: _fallback(model, meta.fields_map[f], now) for f in self.fields}
        self.missing = {f: v for f, v in fallbacks.items() if v is not _REQUIRED}
        given = {"id", "city_id", "created_at", *self.column.values()}
        self.tail = {
            column: value
            for name, column in meta.fields_db_projection.items()
            if column not in given
            and (value := _fallback(model, meta.fields_map[name], now)) is not None
            and value is not _REQUIRED
        }
        self.layouts: dict[frozenset[str], Layout] = {}

    def layout(self, row: Row) -> Layout:
        """How to write rows giving the fields `row` gives; a row naming a field the shape
        lacks, or lacking one that has no fallback, is refused."""
        keys = frozenset(row)
        if keys not in self.layouts:
            unknown = keys - set(self.fields)
            lacking = set(self.fields) - keys - self.missing.keys()
            if unknown or lacking:
                raise ValueError(
                    f"{self.name}: unknown {sorted(unknown)}, lacking {sorted(lacking)}"
                )
            given = [f for f in self.fields if f in keys]
            left = [f for f in self.fields if f not in keys]
            get = operator.itemgetter(*given)
            self.layouts[keys] = Layout(
                (
                    "id",
                    "city_id",
                    "created_at",
                    *(self.column[f] for f in given + left),
                    *self.tail,
                ),
                get if len(given) > 1 else lambda r: (get(r),),
                (*(self.missing[f] for f in left), *self.tail.values()),
            )
        return self.layouts[keys]


@dataclass
class Writer:
    """Gives rows their ids, city and creation time, and writes them batch by batch."""

    city: str
    now: datetime
    progress: Progress
    copy: bool = False  # COPY on PostgreSQL where allowed; batched INSERTs otherwise
    counts: dict[str, int] = field(default_factory=dict)
    tables: dict[type[CityModel], Table] = field(default_factory=dict)

    def table(self, model: type[CityModel]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, self.now)
        return self.tables[model]

    async def add(self, model: type[CityModel], rows: Sequence[Row]) -> list[int]:
        """Write rows created now; their ids, in order."""
        ids = await reserve_ids(self.table(model).name, len(rows))
        await self.stream(model, ids, ((self.now, row) for row in rows))
        return list(ids)

    async def stream(
        self, model: type[CityModel], ids: Sequence[int], rows: Iterator[tuple[datetime, Row]]
    ) -> None:
        """Write (created_at, row) pairs under `ids`, a batch at a time."""
        table = self.table(model)
        written = 0
        while batch := list(itertools.islice(rows, BATCH)):
            # The rows of one stream are made alike: the first of a batch lays it out.
            layout = table.layout(batch[0][1])
            pick, constants = layout.pick, layout.constants
            keys = ids[written : written + len(batch)]
            records = [
                [i, self.city, t, *pick(row), *constants]
                for i, (t, row) in zip(keys, batch, strict=True)
            ]
            await self._write(table.name, layout.columns, records)
            written += len(batch)
            self.progress(table.name, written, len(ids))
        self.counts[table.name] = self.counts.get(table.name, 0) + written

    async def _write(self, table: str, columns: Sequence[str], records: list[Record]) -> None:
        conn = db.connection()
        if self.copy:
            async with conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=records, columns=list(columns))
            return
        sqlite = db.dialect() == "sqlite"
        marks = ", ".join("?" * len(columns)) if sqlite else db.placeholders(1, len(columns))
        await conn.execute_many(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records
        )
