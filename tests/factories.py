"""Small, exact data sets that tests can count by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.infra.enums import CaseKind, CaseStage, CompoundKind, OrganisationKind
from core.infra.tenancy import in_city
from core.models import (
    Building,
    Case,
    Community,
    Compound,
    Firm,
    ManagementContract,
    Organisation,
    Street,
)


@dataclass
class Town:
    streets: list[Street] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)
    firms: list[Firm] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


async def build_town(city: str, compounds: int = 6, cases_each: int = 4) -> Town:
    """Two streets, two communities each... compounds spread over communities; the first
    firm manages the even compounds, nobody the odd ones; `cases_each` cases per compound
    with distinct creation times (newest has the highest index)."""
    town = Town()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with in_city(city):
        for s in range(2):
            street = await Street.create(name=f"{city}街道{s}")
            town.streets.append(street)
            for c in range(2):
                town.communities.append(
                    await Community.create(street=street, name=f"{city}社区{s}{c}")
                )
        for f in range(2):
            town.firms.append(
                await Firm.create(
                    name=f"{city}物业{f}",
                    registration_number=f"91441900{city[:2].upper()}{f:08d}",
                    is_state_owned=f == 0,
                )
            )
        for i in range(compounds):
            compound = await Compound.create(
                community=town.communities[i % 4],
                name=f"{city}小区{i:02d}",
                kind=CompoundKind.COMMERCIAL_RESIDENTIAL if i % 3 else CompoundKind.PUBLIC_RENTAL,
                homes=100 * (i + 1),
                residents=300 * (i + 1),
                mature=i % 2 == 0,
            )
            town.compounds.append(compound)
            await Building.create(compound=compound, name="1栋", floors=18, homes=72)
            if i % 2 == 0:
                await ManagementContract.create(
                    compound=compound, firm=town.firms[0], starts_on=dt.date(2020, 1, 1)
                )
            for k in range(cases_each):
                case = await Case.create(
                    kind=CaseKind.PROPERTY_DISPUTE,
                    title=f"{compound.name}纠纷{k}",
                    compound=compound,
                    stage=CaseStage.TOPIC_COLLECTION,
                    stage_entered_at=base,
                )
                created = base + dt.timedelta(days=i * 10 + k)
                await Case.filter(id=case.id).update(created_at=created)
                case.created_at = created
                town.cases.append(case)
        party = await Organisation.create(
            kind=OrganisationKind.PARTY_STREET_COMMITTEE,
            name=f"{city}街道党工委",
            street=town.streets[0],
        )
        await Organisation.create(
            kind=OrganisationKind.PARTY_COMMUNITY,
            name=f"{city}社区党委",
            parent=party,
            community=town.communities[0],
        )
    return town


async def back_dated_audit_entry(city: str, at: dt.datetime, operation: str = "x") -> None:
    """An audit entry dated `at`, for retention tests: the database refuses such an insert
    from anyone (migration 0013), so the test lifts the rule for this one statement, as only
    the table's owner (PostgreSQL) or the file's owner (SQLite) could."""
    from core.infra import db
    from core.security.rls import sqlite_audit_sql

    insert = (
        "INSERT INTO audit_entries (city_id, created_at, role, scope, operation, target_ids, "
        "summary, outcome) VALUES ($1, $2, 'CITY_ADMIN', 'city', $3, '[]', '{}', 'OK')"
    )
    if db.dialect() == "postgres":
        trigger = "TRIGGER audit_entries_written_now"
        await db.connection().execute_script(f"ALTER TABLE audit_entries DISABLE {trigger}")
        try:
            await db.fetch(insert, [city, at, operation])
        finally:
            await db.connection().execute_script(f"ALTER TABLE audit_entries ENABLE {trigger}")
    else:
        await db.connection().execute_script("DROP TRIGGER IF EXISTS audit_entries_written_now")
        try:
            await db.fetch(insert, [city, at.isoformat(" "), operation])
        finally:
            for sql in sqlite_audit_sql():
                await db.connection().execute_query(sql)
