"""A smoke run of `civicgraph bench` on a tiny city: the harness works end to end.

Only that it runs, the four paths agree and the counts come out; no speed is asserted.
It runs in a subprocess because the benchmark owns its database connections and servers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES, POSTGRES_URL

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark runs on PostgreSQL only")

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_bench_runs_checks_the_answers_and_counts_statements():
    prefix = POSTGRES_URL.rsplit("/", 1)[0] + "/" + POSTGRES_URL.rsplit("/", 1)[1] + "_bench"
    command = [
        sys.executable, "-c", "from schema.cli.main import app; app()", "bench",
        "--cases", "200", "--compounds", "20", "--firms", "3", "--requests", "12",
        "--seconds", "0.1", "--concurrency", "2", "--rounds", "1", "--warmup", "2",
        "--no-write-doc", "--database", prefix, "--paths", "compiled,resolver,baseline",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(
        r"^\| (\w+) \| (\w+) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| (\d+) \|", done.stdout, re.M
    )
    assert len(rows) == 12  # four queries on three paths (each server costs seconds to start)
    statements = {(query, path): int(n) for query, path, n in rows}
    # The compiled path: one statement per query, plus what every request reads (the city's
    # plugin configuration), so the same count for every query.
    assert len({n for (q, p), n in statements.items() if p == "compiled"}) == 1
    assert statements[("compounds_list", "baseline")] == 3
    # The resolver path: one statement per level (compounds, firms through their contracts,
    # cases), whatever the page size.
    resolver, compiled = (statements[("compounds_list", p)] for p in ("resolver", "compiled"))
    assert resolver - compiled == 2
