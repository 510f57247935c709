"""Every route refuses the wrong role (403) and strangers (401 / sign-in); the table must list every route."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from registry.app import create_app
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

ALL = frozenset({"practitioner", "manager", "partner_admin", "lead", "admin"})
EDITORS = frozenset({"partner_admin", "lead", "admin"})
LEADS = frozenset({"lead", "admin"})
PUBLIC = None

# (method, path as the router names it) → roles allowed; PUBLIC routes need no sign-in.
ROUTES: dict[tuple[str, str], frozenset[str] | None] = {
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/"): ALL,
    ("GET", "/me"): ALL,
    ("GET", "/practitioners"): ALL,
    ("GET", "/practitioners/new"): EDITORS,
    ("POST", "/practitioners/new"): EDITORS,
    ("GET", "/practitioners/{practitioner_id:int}"): ALL,
    ("GET", "/practitioners/{practitioner_id:int}/edit"): EDITORS,
    ("POST", "/practitioners/{practitioner_id:int}/edit"): EDITORS,
    ("GET", "/organisations"): ALL,
    ("GET", "/organisations/new"): LEADS,
    ("POST", "/organisations/new"): LEADS,
    ("GET", "/organisations/{organisation_id:int}"): ALL,
    ("GET", "/organisations/{organisation_id:int}/edit"): LEADS,
    ("POST", "/organisations/{organisation_id:int}/edit"): LEADS,
    ("GET", "/import"): EDITORS,
    ("POST", "/import"): EDITORS,
    ("GET", "/api/v1/organisations"): ALL,
    ("POST", "/api/v1/organisations"): LEADS,
    ("GET", "/api/v1/organisations/{organisation_id:int}"): ALL,
    ("PATCH", "/api/v1/organisations/{organisation_id:int}"): LEADS,
    ("GET", "/api/v1/practitioners"): ALL,
    ("POST", "/api/v1/practitioners"): EDITORS,
    ("GET", "/api/v1/practitioners/{practitioner_id:int}"): ALL,
    ("PATCH", "/api/v1/practitioners/{practitioner_id:int}"): EDITORS,
}
INFRASTRUCTURE = ("/schema", "/static/", "/assets/")


def _app_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if route.path.startswith(INFRASTRUCTURE):
            continue
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            found.add((method, route.path))
    return found


def test_the_table_lists_every_route() -> None:
    assert _app_routes(create_app()) == set(ROUTES)


def _concrete(path: str, alliance: Alliance) -> str:
    # Eilidh's record is visible to every role's test sign-in (herself, her manager, DCC's admin, leads).
    return path.replace("{practitioner_id:int}", str(alliance.practitioner_ids["eilidh@example.org"])).replace(
        "{organisation_id:int}", str(alliance.organisation_ids["DCC"])
    )


SIGN_IN_EMAILS = {
    "practitioner": "eilidh@example.org",
    "manager": "graham@example.org",
    "partner_admin": "admin.dcc@example.org",
    "lead": "lead@example.org",
    "admin": "admin@example.org",
}


@pytest.mark.parametrize("role", sorted(ALL))
async def test_each_role_is_let_in_or_refused_as_the_table_says(
    client: AsyncTestClient,
    alliance: Alliance,
    role: str,  # type: ignore[type-arg]
) -> None:
    await sign_in(client, SIGN_IN_EMAILS[role])
    csrf = client.cookies["csrftoken"]
    for (method, template), allowed in ROUTES.items():
        if allowed is PUBLIC:
            continue
        path = _concrete(template, alliance)
        if path.startswith("/api/"):
            response = await client.request(
                method, path, json={}, headers=bearer(alliance.tokens[role]), follow_redirects=False
            )
        else:
            data = {"_csrf_token": csrf} if method == "POST" else None
            response = await client.request(method, path, data=data, follow_redirects=False)
        if role in allowed:
            assert response.status_code not in {401, 403, 404, 405, 500}, (role, method, path, response.status_code)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code, response.text[:200])
            if path.startswith("/api/"):
                assert response.json()["detail"]
            else:
                assert "You do not have access to this page" in response.text


async def test_strangers_are_sent_to_sign_in_or_get_401(client: AsyncTestClient, alliance: Alliance) -> None:  # type: ignore[type-arg]
    for (method, template), allowed in ROUTES.items():
        if allowed is PUBLIC:
            continue
        path = _concrete(template, alliance)
        response = await client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json()["detail"]
        elif method == "GET":
            assert response.status_code == 302, (method, path)
            assert response.headers["location"].startswith("/sign-in?next=")
        else:
            # Without a session there is no CSRF cookie either: refused before anything happens.
            assert response.status_code in {401, 403}, (method, path)
