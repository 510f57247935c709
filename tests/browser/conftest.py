"""Browser tests: Debian's Chromium driven by pytest-playwright against the app served by uvicorn in a thread.

The server runs on its own event loop in a daemon thread. Test data is written *on that loop*
(``asyncio.run_coroutine_threadsafe``), so the database engine is only ever used from one loop: the
same as in production, and it keeps working with a PostgreSQL connection pool as well as SQLite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from playwright.sync_api import BrowserContext, ConsoleMessage

from tests.support import Alliance, TestDatabases, fast_password_hashing

T = TypeVar("T")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 20.0
SETUP_TIMEOUT = 60.0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other test of the session.

    The sync Playwright API leaves its event loop set as the thread's running loop from the first browser
    test until the session-scoped ``playwright`` fixture ends with the session; pytest-asyncio's tests would
    then fail with "Runner.run() cannot be called from a running event loop".
    """
    here = Path(__file__).parent
    browser = [item for item in items if here in item.path.parents]
    if browser:
        items[:] = [item for item in items if here not in item.path.parents] + browser


def _find_chromium() -> str | None:
    candidate = os.environ.get("REGISTRY_TEST_CHROMIUM") or "/usr/bin/chromium"
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium (Playwright's own browser download is not used); skip when it is missing."""
    found = _find_chromium()
    if found is None:
        tried = os.environ.get("REGISTRY_TEST_CHROMIUM") or "/usr/bin/chromium"
        pytest.skip(
            f"browser tests need Chromium, and {tried} is not an executable: apt-get install -y chromium or set "
            "REGISTRY_TEST_CHROMIUM (./scripts/test fails in CI when Chromium is missing)"
        )
    return found


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], chromium_executable: str) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_executable, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    url: str
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's event loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=SETUP_TIMEOUT)


@pytest.fixture(scope="session")
def live_server(databases: TestDatabases, chromium_executable: str) -> Iterator[LiveServer]:
    """The app on a free port of 127.0.0.1, served by uvicorn in a daemon thread for the whole session."""
    from registry.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve(sockets=[sock]))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=serve, name="registry-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("the live server did not start (see the captured log)")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", loop=loop)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright passes this to every browser context, so ``page.goto("/sign-in")`` works."""
    return live_server.url


# Chromium logs each thing the Content-Security-Policy blocks ("Refused to execute inline script because it
# violates the following Content Security Policy directive ..."); the DOM event catches any it words otherwise.
_REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));"""


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> Iterator[BrowserContext]:
    """pytest-playwright's browser context, failing the test if the Content-Security-Policy blocked anything:
    a blocked script or style breaks a journey silently (the page still loads)."""
    context = new_context()
    blocked: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(f"{message.location.get('url', '?')}: {message.text}")

    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    context.on("console", watch)
    yield context
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


@pytest.fixture(autouse=True)
def fast_hashing() -> Iterator[None]:
    with fast_password_hashing():
        yield


@pytest.fixture(autouse=True)
def alliance(live_server: LiveServer, databases: TestDatabases, fast_hashing: None) -> Alliance:
    """A fresh database for every test: the three organisations, six practitioners and one sign-in per role
    (no API tokens: the journeys create their own)."""
    alliance = live_server.run(databases.fresh("alliance_without_tokens"))
    assert alliance is not None
    return alliance
