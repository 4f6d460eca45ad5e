"""core.plugins.calls.sync_state_owned_projects: a connector without `sync` is fetched and
reconciled read only (matched and unknown projects); an unknown connector name is refused."""

from __future__ import annotations

from types import ModuleType

import pytest

from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from core.plugins.contributions import SyncRow


async def test_a_connector_without_sync_is_reconciled_read_only(sample: ModuleType):
    with in_city("dongguan"):
        [report] = await plugins.sync_state_owned_projects(dry_run=False, actor="t")
        with pytest.raises(DomainError) as error:
            await plugins.sync_state_owned_projects("nobody")
    assert (report.plugin, report.company, report.dry_run) == (
        "sample", "广东东鸿物业发展有限公司", True,
    )  # fmt: skip
    assert report.rows == (
        SyncRow("MATCHED", "YY-001", 1),
        SyncRow("CONFLICTING", "X-9", None, "unknown project"),
    )
    assert (report.count("MATCHED"), report.errors, report.run_id) == (1, (), None)
    assert (error.value.code, error.value.field) == ("NOT_FOUND", "connector")
