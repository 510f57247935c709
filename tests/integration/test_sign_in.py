"""Signing in and out: passwords, session rotation, CSRF, and which credentials each side accepts."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from registry.web.auth import SESSION_COOKIE
from tests.support import PASSWORD, Alliance, bearer


async def _csrf(client: AsyncTestClient) -> str:  # type: ignore[type-arg]
    await client.get("/sign-in")
    return str(client.cookies["csrftoken"])


async def _status_with_session(client: AsyncTestClient, session_id: str) -> int:  # type: ignore[type-arg]
    """What /practitioners answers to someone presenting only this session cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session_id)
    return (await client.get("/practitioners", follow_redirects=False)).status_code


async def sign_in(client: AsyncTestClient, email: str, password: str = PASSWORD, next_: str = "/"):  # type: ignore[type-arg]
    token = await _csrf(client)
    return await client.post(
        "/sign-in",
        data={"email": email, "password": password, "next": next_, "_csrf_token": token},
        follow_redirects=False,
    )


async def test_a_lead_signs_in_and_lands_on_their_home_page(client, alliance: Alliance) -> None:
    response = await sign_in(client, "LEAD@example.org")
    assert response.status_code in {302, 303}
    assert response.headers["location"] == "/"
    cookie = response.cookies[SESSION_COOKIE]
    assert len(cookie) >= 40
    start = await client.get("/", follow_redirects=False)
    assert start.status_code == 200
    assert "What needs you" in start.text
    page = await client.get("/practitioners")
    assert page.status_code == 200
    assert "Showing 1 to 5 of 5 practitioners" in page.text


async def test_a_practitioner_starts_at_their_home_page(client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    response = await client.get("/", follow_redirects=True)
    assert response.url.path == "/"
    assert "Your professional learning" in response.text
    assert f'href="/practitioners/{alliance.practitioner_ids["eilidh@example.org"]}/learning"' in response.text


async def test_wrong_password_is_refused_with_an_error_summary_and_no_session(client, alliance: Alliance) -> None:
    response = await sign_in(client, "lead@example.org", "not the password")
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Enter a correct email address and password" in response.text
    assert SESSION_COOKIE not in response.cookies
    assert (await client.get("/practitioners", follow_redirects=False)).status_code == 302


async def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, alliance: Alliance) -> None:
    unknown = await sign_in(client, "nobody@example.org", "whatever-password")
    known = await sign_in(client, "lead@example.org", "whatever-password")
    assert unknown.status_code == known.status_code == 400
    assert "Enter a correct email address and password" in unknown.text


async def test_empty_fields_are_named(client, alliance: Alliance) -> None:
    response = await sign_in(client, "", "")
    assert response.status_code == 400
    assert 'href="#email"' in response.text
    assert 'href="#password"' in response.text


async def test_session_id_is_rotated_at_sign_in_so_a_planted_cookie_is_useless(client, alliance: Alliance) -> None:
    client.cookies.set(SESSION_COOKIE, "attacker-chosen-session-id")
    response = await sign_in(client, "lead@example.org")
    new_id = response.cookies[SESSION_COOKIE]
    assert new_id != "attacker-chosen-session-id"
    assert await _status_with_session(client, "attacker-chosen-session-id") == 302


async def test_signing_in_again_ends_the_previous_session(client, alliance: Alliance) -> None:
    first = (await sign_in(client, "lead@example.org")).cookies[SESSION_COOKIE]
    second = (await sign_in(client, "lead@example.org")).cookies[SESSION_COOKIE]
    assert first != second
    assert await _status_with_session(client, first) == 302


async def test_sign_out_ends_the_session(client, alliance: Alliance) -> None:
    cookie = (await sign_in(client, "lead@example.org")).cookies[SESSION_COOKIE]
    token = client.cookies["csrftoken"]
    response = await client.post("/sign-out", data={"_csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in"
    assert await _status_with_session(client, cookie) == 302


async def test_forms_without_the_csrf_token_are_refused(client, alliance: Alliance) -> None:
    await _csrf(client)
    response = await client.post("/sign-in", data={"email": "lead@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


async def test_sign_in_only_redirects_within_the_site(client, alliance: Alliance) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await sign_in(client, "lead@example.org", next_=target)
        assert response.headers["location"] == "/"
    response = await sign_in(client, "lead@example.org", next_="/organisations?q=fife")
    assert response.headers["location"] == "/organisations?q=fife"


async def test_pages_redirect_to_sign_in_and_come_back(client, alliance: Alliance) -> None:
    response = await client.get("/organisations?q=x", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/sign-in?next=%2Forganisations%3Fq%3Dx"


async def test_the_api_wants_a_valid_bearer_token(client, alliance: Alliance) -> None:
    assert (await client.get("/api/v1/organisations")).status_code == 401
    bad = await client.get("/api/v1/organisations", headers=bearer("not-a-token"))
    assert bad.status_code == 401
    assert bad.json()["detail"]
    assert (
        await client.get("/api/v1/organisations", headers=bearer(alliance.tokens["practitioner"]))
    ).status_code == 200


async def test_a_session_cookie_does_not_open_the_api(client, alliance: Alliance) -> None:
    """The API is free of CSRF checks because it never accepts the browser's cookie."""
    await sign_in(client, "lead@example.org")
    assert (await client.get("/api/v1/organisations")).status_code == 401


async def test_a_bearer_token_does_not_open_the_pages(client, alliance: Alliance) -> None:
    response = await client.get("/practitioners", headers=bearer(alliance.tokens["lead"]), follow_redirects=False)
    assert response.status_code == 302


async def test_the_openapi_document_is_served(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/practitioners" in paths
    assert "/api/v1/organisations/{organisation_id}" in paths
    assert not any(path.startswith("/practitioners") for path in paths)
