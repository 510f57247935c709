"""The caller, the paging and each list's filters are Litestar dependencies (issue 11, point 5), declared once
for the API and the pages (registry/web/deps.py): a handler is given ``viewer``, ``paging`` and ``filters``
and refuses what they refuse, the same way on both sides."""

from __future__ import annotations

import inspect
from typing import get_type_hints

import pytest
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Viewer
from registry.events.api import EventApi
from registry.events.pages import EventPages
from registry.web.auth import AuthMiddleware
from registry.web.deps import DEPENDENCIES, CurrentViewer
from registry.web.errors import exception_handlers
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


def test_handlers_are_given_the_viewer() -> None:
    for handler in (EventApi.list_events, EventApi.get_event, EventPages.list_page, EventPages.book):
        hints = get_type_hints(handler.fn, include_extras=True)
        assert hints["viewer"].__origin__ is Viewer, handler
        assert "viewer_of" not in inspect.getsource(handler.fn)


@get("/api/v1/whoami", sync_to_thread=False)
def _api_whoami(viewer: CurrentViewer) -> str:
    return viewer.email


@get("/whoami", sync_to_thread=False)
def _page_whoami(viewer: CurrentViewer) -> str:
    return viewer.email


async def test_the_viewer_dependency_refuses_a_stranger_as_the_guards_do(alliance: Alliance) -> None:
    """Even on a handler with no guard: 401 with a detail on the API, the sign-in page for a page."""
    app = Litestar(
        [_api_whoami, _page_whoami],
        middleware=[DefineMiddleware(AuthMiddleware)],
        dependencies=DEPENDENCIES,
        exception_handlers=exception_handlers,
    )
    async with AsyncTestClient(app=app) as client:
        refused = await client.get("/api/v1/whoami")
        assert refused.status_code == 401
        assert refused.json()["detail"] == "Sign in to continue"
        page = await client.get("/whoami", follow_redirects=False)
        assert page.status_code in {302, 303}
        assert page.headers["location"] == "/sign-in?next=%2Fwhoami"
        known = await client.get("/api/v1/whoami", headers=bearer(alliance.tokens["lead"]))
        assert known.text == "lead@example.org"


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"), ("date_from=soon", "date_from"),
     ("fits_part_time=perhaps", "fits_part_time"), ("q=" + "x" * 201, "q")],
)  # fmt: skip
async def test_the_api_refuses_paging_and_filters_out_of_range_with_a_detail(
    client: Client, alliance: Alliance, query: str, field: str
) -> None:
    answer = await client.get(f"/api/v1/events?{query}", headers=bearer(alliance.tokens["lead"]))
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert answer.json()["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize("query", ["page=0", "page=100001", "page=two"])
async def test_a_page_refuses_a_page_number_out_of_range_with_a_detail(
    client: Client, alliance: Alliance, query: str
) -> None:
    await sign_in(client, "eilidh@example.org")
    for path in ("/events", "/bookings", "/practitioners", "/organisations"):
        answer = await client.get(f"{path}?{query}")
        assert answer.status_code == 400, path
        assert "page: " in answer.text, path


async def test_the_page_and_the_api_read_a_filter_alike(client: Client, alliance: Alliance) -> None:
    """The same provider reads both: the page's form values (``yes``, empty fields) and the API's booleans."""
    lead = bearer(alliance.tokens["lead"])
    assert (await client.get("/api/v1/events?fits_part_time=yes&date_from=", headers=lead)).status_code == 200
    assert (await client.get("/api/v1/events?fits_part_time=false&mine=true", headers=lead)).status_code == 200
    await sign_in(client, "lead@example.org")
    page = await client.get("/events?q=&competence=&date_from=&date_to=soon&fits_part_time=yes")
    assert page.status_code == 400
    assert '<a href="#date_to">Enter the last date as a date like 2026-12-08</a>' in page.text
    assert (await client.get("/events?q=&date_from=&fits_part_time=yes")).status_code == 200


async def test_the_list_operations_keep_their_parameter_names(client: Client) -> None:
    """INTERFACE.md fixes the API's names; the dependencies add none and drop none."""
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    def names(path: str) -> dict[str, str]:
        return {p["name"]: p["schema"].get("type") or p["schema"]["oneOf"][0].get("format") or "string"
                for p in paths[path]["get"]["parameters"] if p["in"] == "query"}  # fmt: skip

    assert names("/api/v1/events") == {
        "q": "string", "competence": "string", "format": "string", "host": "string", "local_authority": "string",
        "date_from": "date", "date_to": "date", "fits_part_time": "boolean", "mine": "boolean",
        "limit": "integer", "offset": "integer",
    }  # fmt: skip
    assert names("/api/v1/bookings") == {"team": "boolean", "limit": "integer", "offset": "integer"}
    assert names("/api/v1/practitioners") == {
        "q": "string", "organisation": "string", "contract": "string", "setting": "string", "locality": "string",
        "cldsc_status": "string", "employment": "string", "limit": "integer", "offset": "integer",
    }  # fmt: skip
    assert names("/api/v1/organisations") == {"q": "string", "limit": "integer", "offset": "integer"}
    for path in ("/api/v1/registration-claims", "/api/v1/verification"):
        assert names(path) == {"limit": "integer", "offset": "integer"}
    events_bookings = paths["/api/v1/events/{event_id}/bookings"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("default") for p in events_bookings if p["in"] == "query"} == {
        "limit": 500,
        "offset": 0,
    }
