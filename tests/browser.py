"""A headless Chromium (Debian's `chromium`, installed by `make test`) driven over the DevTools
protocol: the admin page's test, the other-origin page of the client tests and GraphiQL's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

# Every host name fails to resolve, but 127.0.0.1: a page that reaches for the network beyond
# the test's server fails, as on an intranet with no way out.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `make test` must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium)")
    return path


class DevTools:
    """One page of a headless Chromium, driven over the DevTools protocol (its websocket).
    The events that arrive while a call waits for its answer are kept in `events`."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        sent = self.last_id
        await self.socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        while True:
            reply = json.loads(await self.socket.recv())
            if reply.get("id") == sent:
                assert "error" not in reply, (method, reply["error"])
                return dict(reply["result"])
            if "method" in reply:
                self.events.append(reply)

    async def evaluate(self, expression: str) -> Any:
        done = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return done["result"].get("value")

    async def loaded(self, path: str) -> str:
        """Wait until the page at `path` (path and query) has loaded; its HTML."""
        for _ in range(150):
            try:
                where = await self.evaluate(
                    "[location.pathname + location.search, document.readyState]"
                )
            except AssertionError:  # the page navigated away in the middle: ask again
                where = None
            if where == [path, "complete"]:
                return str(await self.evaluate("document.documentElement.outerHTML"))
            await asyncio.sleep(0.1)
        pytest.fail(f"the browser did not reach {path}: {where}")


@contextlib.asynccontextmanager
async def browser(url: str, profile: Path, *flags: str) -> AsyncIterator[DevTools]:
    """Chromium opening `url`, with its DevTools endpoint on a port of its choosing."""
    flags = (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1200,1800",
        *flags,
    )  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        chromium(), *flags, url, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stderr is not None
    drain = None
    try:
        port = None
        while port is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
            assert line, "chromium exited before listening"
            found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = found and found.group(1)
        drain = asyncio.create_task(proc.stderr.read())  # chromium must not block on its pipe
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            yield DevTools(socket)
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
        if drain is not None:
            await drain
