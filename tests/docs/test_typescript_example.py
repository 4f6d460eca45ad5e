"""docs/examples/typescript/: TypeScript types generated from Dongguan's committed SDL
(graphql-codegen's client preset) type-check the example's operations under `tsc --strict`,
and a wrong use of them does not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES
from tests.npm import installed

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "typescript"
BIN = EXAMPLE / "node_modules" / ".bin"

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="no database involved: the SQLite pass runs it, once is enough"
)

WRONG = """import { request } from "./client";
import { CompoundsByName } from "./compounds";
export async function wrong(): Promise<string> {
  const { compounds } = await request({ endpoint: "x" }, CompoundsByName, { name: 12 });
  return compounds.nodes[0]?.nickname ?? "";
}
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def generated() -> Path:
    """The example with its pinned packages (npm ci) and its types generated afresh."""
    installed(EXAMPLE)
    shutil.rmtree(EXAMPLE / "src" / "gql", ignore_errors=True)
    done = _run([str(BIN / "graphql-codegen"), "--config", "codegen.yml"], EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    return EXAMPLE


def _copy(example: Path, to: Path) -> Path:
    """The example's sources and generated types in `to`, sharing its node_modules."""
    shutil.copytree(example / "src", to / "src")
    for name in ("tsconfig.json", "package.json", "codegen.yml"):
        shutil.copy(example / name, to / name)
    (to / "node_modules").symlink_to(example / "node_modules")
    return to


def test_the_example_type_checks_strictly(generated: Path) -> None:
    types = (generated / "src" / "gql" / "graphql.ts").read_text(encoding="utf-8")
    # The custom scalars as mapped in codegen.yml: Decimal a string, never a float.
    assert "score: string" in types and "compoundId: string" in types
    done = _run([str(BIN / "tsc"), "--strict", "--noEmit"], generated)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_field_or_variable_fails_the_type_check(generated: Path, tmp_path: Path) -> None:
    copy = _copy(generated, tmp_path / "example")
    (copy / "src" / "wrong.ts").write_text(WRONG, encoding="utf-8")
    done = _run([str(BIN / "tsc"), "--strict", "--noEmit"], copy)
    assert done.returncode != 0
    assert "Property 'nickname' does not exist" in done.stdout, done.stdout
    assert "wrong.ts(4," in done.stdout and "TS2322" in done.stdout, done.stdout  # name: 12


def test_generating_against_another_citys_sdl_fails(generated: Path, tmp_path: Path) -> None:
    """firmAssessments is Dongguan's (its assessment plugin): Zhuhai's SDL lacks it."""
    copy = _copy(generated, tmp_path / "example")
    zhuhai = ROOT / "schema" / "sdl" / "zhuhai.graphql"
    config = (copy / "codegen.yml").read_text(encoding="utf-8")
    (copy / "codegen.yml").write_text(
        config.replace("../../../schema/sdl/dongguan.graphql", str(zhuhai)), encoding="utf-8"
    )
    done = _run([str(BIN / "graphql-codegen"), "--config", "codegen.yml"], copy)
    assert done.returncode != 0
    assert "firmAssessments" in done.stdout + done.stderr, done.stdout + done.stderr
