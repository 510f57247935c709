"""A leaver loses access when their leaving date has passed; the record stays, and re-importing restores it."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts import service as accounts
from registry.cli_viewer import COMMAND_LINE
from registry.people import service as people
from registry.people.schemas import PractitionerPatch
from registry.web.auth import SESSION_COOKIE
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_a_leaver_cannot_sign_in_or_use_a_session_or_token(client: Client, alliance: Alliance) -> None:
    response = await sign_in(client, "eilidh@example.org")
    session = response.cookies[SESSION_COOKIE]
    token = alliance.tokens["practitioner"]
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await people.update_practitioner(COMMAND_LINE, pid, PractitionerPatch(left_on=clock.today()))
    assert (await client.get("/practitioners", follow_redirects=False)).status_code == 302  # session ended
    assert (await client.get("/api/v1/organisations", headers=bearer(token))).status_code == 401
    client.cookies.clear()
    refused = await sign_in(client, "eilidh@example.org", PASSWORD)
    assert refused.status_code == 400
    assert "Enter a correct email address and password" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    assert await accounts.viewer_for_session(session) is None


async def test_a_future_leaving_date_keeps_access_and_clearing_it_restores_access(
    client: Client, alliance: Alliance
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    token = alliance.tokens["practitioner"]
    await people.update_practitioner(COMMAND_LINE, pid, PractitionerPatch(left_on=clock.today() + timedelta(days=30)))
    assert (await client.get("/api/v1/organisations", headers=bearer(token))).status_code == 200
    await people.update_practitioner(COMMAND_LINE, pid, PractitionerPatch(left_on=clock.today() - timedelta(days=1)))
    assert (await client.get("/api/v1/organisations", headers=bearer(token))).status_code == 401
    await people.import_practitioners(
        COMMAND_LINE,
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,left_on\n"
        "eilidh@example.org,Eilidh,Morrison,DCC,part_time,17.5,2020-02-03,\n",
    )
    assert (await client.get("/api/v1/organisations", headers=bearer(token))).status_code == 200
    assert (await sign_in(client, "eilidh@example.org")).status_code in {302, 303}
