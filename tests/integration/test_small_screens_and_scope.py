"""Rough edges (issue 15, point 9): the practitioners list offers only the organisations whose people the
viewer may see, every table sits in a region of its own that scrolls sideways on a phone, and the events
list can skip past its filters to the results."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.integration.test_event_pages import sign_in_as
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]


def _organisation_choices(html: str) -> list[str]:
    select = html[html.index('id="organisation"') :]
    select = select[: select.index("</select>")]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


async def test_the_organisation_filter_offers_only_what_the_viewer_may_see(client: Client, alliance: Alliance) -> None:
    await sign_in_as(client, "lead@example.org")
    assert set(_organisation_choices((await client.get("/practitioners")).text)) == {"DCC", "FIFE", "NHST"}
    await sign_in_as(client, "admin.dcc@example.org")
    assert _organisation_choices((await client.get("/practitioners")).text) == ["DCC"]
    await sign_in_as(client, "graham@example.org")  # his team is at DCC
    assert _organisation_choices((await client.get("/practitioners")).text) == ["DCC"]


async def test_tables_scroll_in_their_own_region_and_the_filters_can_be_skipped(
    client: Client, alliance: Alliance
) -> None:
    await sign_in_as(client, "lead@example.org")
    page = (await client.get("/practitioners")).text
    assert page.count('<table class="govuk-table') == page.count('class="registry-table-scroll"') >= 1
    events = (await client.get("/events")).text
    assert '<a href="#results" class="govuk-skip-link registry-skip-to-results"' in events
    assert 'id="results"' in events
    assert '<details class="govuk-details registry-no-print" data-registry-filters open>' in events
