"""The headers every answer carries (CSP without inline script, no framing, no sniffing, a referrer policy),
no-store wherever personal data may be, and HSTS only when the service is served over https."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry.app import create_app
from registry.notify import feeds
from registry.settings import get_settings
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


def _protected(response: Any) -> None:
    policy = response.headers["content-security-policy"]
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";")}
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def _not_stored(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store"


async def test_a_page_is_protected_and_not_stored(client: Client, alliance: Alliance) -> None:
    public = await client.get("/sign-in")
    assert public.status_code == 200
    _protected(public)
    _not_stored(public)
    await sign_in(client, "lead@example.org")
    page = await client.get("/practitioners")
    assert page.status_code == 200
    assert "Eilidh" in page.text
    _protected(page)
    _not_stored(page)
    assert "strict-transport-security" not in page.headers  # served over http


async def test_an_api_answer_and_the_openapi_document_are_protected(client: Client, alliance: Alliance) -> None:
    answer = await client.get("/api/v1/practitioners", headers=bearer(alliance.tokens["lead"]))
    assert answer.status_code == 200
    _protected(answer)
    _not_stored(answer)
    document = await client.get("/schema/openapi.json")
    _protected(document)
    refused = await client.get("/api/v1/practitioners")
    assert refused.status_code == 401
    _protected(refused)
    _not_stored(refused)


async def test_errors_are_protected(client: Client, alliance: Alliance) -> None:
    for path in ("/no-such-page", "/api/v1/no-such-thing", "/static/app/no-such-file.css"):
        missing = await client.get(path, headers=bearer(alliance.tokens["lead"]))
        assert missing.status_code == 404, path
        _protected(missing)
    _not_stored(await client.get("/no-such-page"))
    bad = await client.post(
        "/api/v1/events",
        content="[" * 1000,
        headers={**bearer(alliance.tokens["lead"]), "content-type": "application/json"},
    )
    assert bad.status_code == 400
    _protected(bad)
    _not_stored(bad)


async def test_static_files_are_protected_and_may_be_cached(client: Client) -> None:
    for path in ("/static/app/app.css", "/static/app/init.js", "/static/govuk/govuk-frontend.min.js"):
        asset = await client.get(path)
        assert asset.status_code == 200, path
        _protected(asset)
        assert "no-store" not in asset.headers.get("cache-control", ""), path


async def test_a_personal_calendar_feed_is_not_stored(client: Client, alliance: Alliance) -> None:
    token = await feeds.feed_token(alliance.practitioner_ids["eilidh@example.org"])
    feed = await client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    _protected(feed)
    _not_stored(feed)
    # The alliance feed lists only published events, for anyone: caches may keep it a while.
    alliance_feed = await client.get("/events.ics")
    _protected(alliance_feed)
    assert alliance_feed.headers["cache-control"] == "public, max-age=300"


async def test_pages_hold_no_inline_script_or_style(client: Client, alliance: Alliance) -> None:
    """What the CSP would block, in pages as rendered (the unit test checks the template sources)."""
    await sign_in(client, "eilidh@example.org")
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    for path in ("/sign-in", "/events", f"/practitioners/{eilidh}/learning", f"/practitioners/{eilidh}/renewal-pack"):
        page = await client.get(path)
        assert page.status_code == 200, path
        for tag in re.findall(r"<script\b[^>]*>", page.text):
            assert " src=" in tag, (path, tag)
        assert not re.search(r"\sstyle=", page.text), path
        assert not re.search(r"\son[a-z]+=", page.text), path


@pytest.fixture
async def https_client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Client]:
    monkeypatch.setenv("REGISTRY_BASE_URL", "https://registry.example.org")
    get_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app(database_pool=False), base_url="https://registry.example.org") as c:
            yield c
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_hsts_only_when_served_over_https(https_client: Client, alliance: Alliance) -> None:
    for path in ("/sign-in", "/static/app/app.css", "/no-such-page"):
        response = await https_client.get(path)
        _protected(response)
        assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains", path
    answer = await https_client.get("/api/v1/events", headers=bearer(alliance.tokens["lead"]))
    assert answer.status_code == 200
    assert "strict-transport-security" in answer.headers
    _not_stored(answer)
