"""The event list's filter form is rendered once per distinct set of choices and answers, and kept
(registry.web.templating.fragment): it must still show what was asked, its errors, and choices added since."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from registry.cli_viewer import COMMAND_LINE
from registry.people import service as people
from registry.people.schemas import OrganisationIn
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_the_form_shows_what_was_asked_and_choices_added_since(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    first = (await client.get("/events")).text
    assert "Angus Council" not in first
    assert '<option value="FIFE" selected>' not in first

    await people.create_organisation(
        COMMAND_LINE, OrganisationIn(code="ANGUS", name="Angus Council", kind="local_authority", local_authority="Angus")
    )
    again = (await client.get("/events")).text
    assert '<option value="ANGUS">Angus Council</option>' in again
    assert '<option value="Angus">Angus</option>' in again

    asked = (await client.get("/events?host=FIFE&q=esol")).text
    assert '<option value="FIFE" selected>' in asked
    assert 'value="esol"' in asked
    assert '<option value="FIFE" selected>' not in (await client.get("/events")).text

    wrong = await client.get("/events?date_to=soon")
    assert wrong.status_code == 400
    assert "Enter the last date as a date like 2026-12-08" in wrong.text
    assert "Enter the last date" not in (await client.get("/events")).text
