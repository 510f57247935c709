from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from registry.app import create_app
from tests.support import Alliance, build_alliance, empty_database


@pytest.fixture(autouse=True)
async def clean_database(migrated: str) -> AsyncIterator[None]:
    await empty_database()
    yield


@pytest.fixture
async def client() -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(database_pool=False), base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def alliance() -> Alliance:
    return await build_alliance()
