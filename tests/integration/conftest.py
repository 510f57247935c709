"""Integration tests: one app for the run, a test client and a database of its own for every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, cast

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support import FIXED_NOW, Alliance, StoppedClock, TestDatabases, fast_password_hashing

if TYPE_CHECKING:
    from tests.integration.metrics_alliance import Built


@pytest.fixture(autouse=True)
def fast_hashing() -> Iterator[None]:
    with fast_password_hashing():
        yield


@pytest.fixture(autouse=True)
async def database(request: pytest.FixtureRequest, databases: TestDatabases, fast_hashing: None) -> Alliance | None:
    """A database of the test's own: migrated and otherwise empty, or holding the test alliance (with its
    tokens) when the test asks for ``alliance``."""
    wants_alliance = "alliance" in request.fixturenames
    return await databases.fresh("alliance" if wants_alliance else "empty")


@pytest.fixture(scope="session")
def app() -> Litestar:
    """The app, built once (about 0.3 s each time): it keeps nothing between requests that a test could
    leave behind (sessions, throttles and mail are in the database; settings are the run's); each test client
    runs its lifespan again."""
    from registry.app import create_app

    return create_app(database_pool=False)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def alliance(database: Alliance | None) -> Alliance:
    """The three organisations, six practitioners and one sign-in (with an API token) per role."""
    assert database is not None, "request `alliance` as a fixture argument, so that the database is made with it"
    return database


@pytest.fixture
def stopped_clock(monkeypatch: pytest.MonkeyPatch) -> StoppedClock:
    """The registry's clock stopped at the real now, moved on by hand."""
    return StoppedClock(monkeypatch)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> StoppedClock:
    """The registry's clock stopped at ``FIXED_NOW``, so that a test's expected dates are constants."""
    return StoppedClock(monkeypatch, FIXED_NOW)


@pytest.fixture
async def metrics_alliance(databases: TestDatabases, alliance: Alliance, fixed_clock: StoppedClock) -> Built:
    """The test alliance with a year of events, learning, needs and registrations on the metrics' edges
    (tests/integration/metrics_alliance.py), built once per run; the clock stopped at ``FIXED_NOW``."""
    from tests.integration.metrics_alliance import build_metrics_alliance

    async def build(base: Alliance | None) -> Built:
        assert base is not None
        return await build_metrics_alliance(base, fixed_clock)

    _, built = await databases.fresh_built("metrics", "alliance", build)
    fixed_clock.moment = FIXED_NOW
    return cast("Built", built)
