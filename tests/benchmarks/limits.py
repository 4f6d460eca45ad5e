"""`civicgraph bench --limits`: how long refusing a hostile document takes, in process.

Each document is sent as a new text every time (its whitespace varied), so no cache answers
for it: the figure is the lexing, parsing and measuring a refusal costs (schema/api/limits.py,
`check_request`, as the HTTP layer calls it before anything else runs). The last row times
graphql-core's validation of the costliest document the overlap budget lets through.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from graphql import parse, specified_rules, validate

from schema.api.build import core_schema
from schema.api.limits import check_request
from schema.http import serving


def _doubling(depth: int) -> str:
    inner = "name" if depth == 0 else _doubling(depth - 1)
    return inner if depth == 0 else f"a {{ {inner} }} a {{ {inner} }}"


def _bomb() -> str:
    parts = ["fragment F0 on Street { id name }"]
    parts += [f"fragment F{i} on Street {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 21)]
    return " ".join(parts) + " { streets(first: 1) { nodes { ...F20 } } }"


HOSTILE = {
    "490 × city { name } (TOO_MANY_SELECTIONS)": "{" + " city { name }" * 490 + " }",
    "nested pairs, 8 levels (TOO_MANY_MERGE_CHECKS)": "{" + _doubling(8) + "}",
    "fragment bomb, 2^20 (TOO_MANY_FIELDS)": _bomb(),
    "30 × compounds(first: $n = 100) (QUERY_TOO_COSTLY)": "query($n: Int = 100) { "
    + " ".join(
        f"a{i}: compounds(first: $n) {{ nodes {{ cases(first: $n) {{ nodes {{ id title }} }} }} }}"
        for i in range(30)
    )
    + " }",
    "2,001 tokens (TOO_MANY_TOKENS)": "{ city { " + "slug " * 2001 + "} }",
}
ACCEPTED = "{" + " city { name }" * 30 + " }"  # 930 of the 1,000 overlap steps


def _times(
    run: Callable[[str], object], query: str, repeats: int
) -> tuple[list[float], list[float]]:
    """(wall, CPU) milliseconds per run; CPU is this thread's, whatever else runs."""
    wall, cpu = [], []
    for i in range(repeats):
        text = query + " " * (i + 1)  # a new text each time: no LRU answers
        started, started_cpu = time.perf_counter(), time.thread_time()
        run(text)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return sorted(wall), sorted(cpu)


def _p(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))]


def main(repeats: int, say: Callable[[str], None] = print) -> None:
    serving.tune_gc()  # as a serving process runs
    schema = core_schema()._schema
    say(f"{repeats} runs each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    say("| document | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms |")
    say("| --- | --- | --- | --- | --- |")

    def refuse(text: str) -> None:
        assert check_request(schema, {"query": text}, "en"), "not refused"

    def accept_and_validate(text: str) -> None:
        assert not check_request(schema, {"query": text}, "en"), "refused"
        validate(schema, parse(text), specified_rules)

    rows = [(name, refuse, query) for name, query in HOSTILE.items()]
    rows.append(("30 × city { name }: accepted, then validated", accept_and_validate, ACCEPTED))
    for name, run, query in rows:
        wall, cpu = _times(run, query, repeats)
        figures = (_p(wall, 0.5), _p(wall, 0.99), _p(cpu, 0.5), _p(cpu, 0.99))
        say(f"| {name} | " + " | ".join(f"{f:.1f}" for f in figures) + " |")
