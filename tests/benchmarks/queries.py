"""The frontend queries the benchmark drives, as a resident app and a community desk send them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BenchQuery:
    name: str  # also the operation name, which the baseline dispatches on
    what: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)


# The list view: 50 compounds, each with its firm and its 10 newest cases.
COMPOUNDS = """query compounds_list {
  compounds(first: 50) { nodes { name firm { name }
    cases(first: 10) { nodes { title stage createdAt } } } }
}"""

# A case page: the case with its compound, community, street and firm (the timeline stand-in).
CASE = """query case_detail($id: ID!) {
  node(id: $id) { ... on Case { id title kind stage stageLabel createdAt stageEnteredAt
    compound { name community { name street { name } } firm { name } } } }
}"""

# A firm's page: the compounds it manages today with their latest cases and counts.
FIRM = """query firm_compounds($firm: ID!) {
  compounds(first: 20, filter: {firmId: $firm}) { totalCount nodes { name homes residents
    cases(first: 3) { totalCount nodes { title stage } } } }
}"""

# The community desk's open-case list: a page of cases with cursors and a total.
DESK = """query case_desk {
  cases(first: 20, filter: {stage: [TOPIC_COLLECTION, ACCEPTED, MEDIATING]}) { totalCount
    edges { cursor node { title kindLabel stageLabel createdAt compound { name } } }
    pageInfo { hasNextPage endCursor } }
}"""


def bench_queries(case_id: str, firm_id: str) -> list[BenchQuery]:
    return [
        BenchQuery("compounds_list", "compounds(first: 50) + firm + cases(first: 10)", COMPOUNDS),
        BenchQuery(
            "case_detail",
            "node(id) Case + compound, community, street, firm",
            CASE,
            {"id": case_id},
        ),
        BenchQuery(
            "firm_compounds",
            "a firm's compounds(first: 20) + cases(first: 3), counts",
            FIRM,
            {"firm": firm_id},
        ),
        BenchQuery("case_desk", "cases(first: 20, stage filter) edges + compound, total", DESK),
    ]
