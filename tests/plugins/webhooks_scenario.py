"""Run by the python of a fresh virtualenv with civicgraph and civicgraph-webhooks installed
(tests/plugins/test_webhooks_venv.py): discovery, per-city enablement, a filed case posted
to a receiver. Prints what it saw as JSON; the test asserts on it.

Usage: python webhooks_scenario.py <repo root> <receiver url> <database url> <secret>
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


async def scenario(receiver: str, url: str, secret: str) -> dict[str, Any]:
    import httpx

    from core.infra import db
    from core.infra.cities import ensure_cities
    from core.infra.enums import Role
    from core.infra.tenancy import in_city
    from core.plugins import calls as plugins
    from core.plugins import settings as plugin_settings
    from core.security.auth import CITY_WIDE, Principal, mint_token
    from schema.api.ids import to_global_id
    from schema.http.app import create_app
    from tests.factories import build_town

    await db.migrate(url)
    await db.close()
    await db.init(url)
    await ensure_cities()
    import civicgraph_webhooks

    seen: dict[str, Any] = {
        "module": civicgraph_webhooks.__file__,
        "installed": plugins.installed(),
        "version": plugins.plugin_version("webhooks"),
        "hooks": plugins.hooks_of("webhooks"),
    }
    admin = Principal("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    settings = {"urls": [receiver], "secret": secret, "backoff_seconds": 0.2}
    with in_city("dongguan"):
        await plugin_settings.update_plugin(admin, "webhooks", settings, active=True)
    towns = {
        city: await build_town(city, compounds=1, cases_each=0) for city in ("dongguan", "zhuhai")
    }
    seen["enabled"] = {
        city: sorted((await plugins.city_plugins(city)).enabled) for city in ("dongguan", "zhuhai")
    }
    app = create_app(manage_db=False)
    tokens = {c: mint_token(c, Role.CITY_ADMIN, CITY_WIDE, subject=f"admin-{c}") for c in towns}
    file = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
        case { id } errors { code message } } }"""
    log = "{ webhookDeliveries { id event url status attempts lastError lastStatusCode payload } }"

    async def gql(city: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {tokens[city]}"}
        body = {"query": query, "variables": variables or {}}
        return (await client.post(f"/graphql/{city}", json=body, headers=headers)).json()

    transport = httpx.ASGITransport(app=app)
    async with (
        plugins.running_workers(),
        httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as client,
    ):
        for city, town in towns.items():
            compound = to_global_id("Compound", town.compounds[0].id)
            variables = {
                "input": {
                    "kind": "SERVICE_REQUEST",
                    "title": f"{city} 电梯故障",
                    "compoundId": compound,
                }
            }
            seen[f"filed_{city}"] = await gql(city, file, variables)
        seen["zhuhai_log"] = await gql("zhuhai", log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            seen["dongguan_log"] = await gql("dongguan", log)
            rows = (seen["dongguan_log"].get("data") or {}).get("webhookDeliveries") or []
            if rows and all(r["status"] != "PENDING" for r in rows):
                break
            await asyncio.sleep(0.1)
    await db.close()
    return seen


if __name__ == "__main__":
    root, receiver, url, secret = sys.argv[1:5]
    sys.path.insert(0, root)  # tests.factories, for the towns
    if len(sys.argv) > 5 and sys.argv[5] == "--register":  # in-repo debugging without pip
        import civicgraph_webhooks.plugin as hooks

        from core.plugins import calls as plugins

        plugins.register(hooks, "webhooks")
    print(json.dumps(asyncio.run(scenario(receiver, url, secret)), default=str))
