"""Lists are filtered and paged in SQL (issue 11, point 6): the pages a manager opens run the same number of
queries whether their team is 3 people or 30 (no N+1, no reading a whole list to show one row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry.cli_viewer import COMMAND_LINE
from registry.db import engine
from registry.events import bookings, service
from registry.events.schemas import EventIn, SessionIn
from registry.events.tables import Event
from registry.people import service as people
from tests.conftest import BACKEND
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement the engine runs while the block runs."""
    kind = type(engine())
    original = kind.run_querystring
    seen: list[str] = []

    async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, querystring, *args, **kwargs)
        seen.append(f"{len(result) if isinstance(result, list) else 0} row(s): {str(querystring)[:80]}")
        return result

    monkeypatch.setattr(kind, "run_querystring", counting)
    try:
        yield seen
    finally:
        monkeypatch.setattr(kind, "run_querystring", original)


async def _grow_grahams_team(extra: int, event_id: int) -> None:
    rows = "".join(
        f"t{n}@example.org,Team,Member{n:02d},DCC,part_time,17.5,2020-01-01,graham@example.org\n" for n in range(extra)
    )
    await people.import_practitioners(
        COMMAND_LINE, "email,given_name,family_name,organisation,contract,weekly_hours,started_on,manager_email\n" + rows
    )
    listed, _ = await people.list_practitioners(COMMAND_LINE, people.PractitionerFilter(q="Team"), limit=100)
    for person in [p for p in listed if p.family_name.startswith("Member")][: extra // 2]:
        await bookings.book(COMMAND_LINE, event_id, person.id)


async def _event() -> int:
    starts = datetime.now(UTC) + timedelta(days=20)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Counted", host_organisation="DCC", format="in_person", venue="Lochee Hub", capacity=100,
                sessions=[SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=2))], status="published"),
    )  # fmt: skip
    return event.id


async def _queries(client: Client, monkeypatch: pytest.MonkeyPatch, path: str) -> int:
    with counted(monkeypatch) as seen:
        response = await client.get(path)
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize(
    "page", ["/events/{event}", "/bookings", "/bookings?team=1", "/team/learning-time", "/team/learning-time.csv"]
)
async def test_a_managers_pages_run_as_many_queries_for_a_team_of_thirty_as_of_three(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    event_id = await _event()
    await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["ross@example.org"])
    await sign_in(client, "graham@example.org")
    path = page.format(event=event_id)
    small = await _queries(client, monkeypatch, path)
    await _grow_grahams_team(30, event_id)
    large = await _queries(client, monkeypatch, path)
    assert large == small, f"{path}: {small} queries for a team of 3, {large} for 33"


def _rows(seen: list[str]) -> int:
    """Rows read, counts aside (a COUNT answers one row whatever it counts)."""
    return sum(int(line.split(" ", 1)[0]) for line in seen if "COUNT(" not in line)


@pytest.mark.parametrize("page", ["/bookings", "/events/{other}"])
async def test_a_page_does_not_read_the_teams_bookings_it_does_not_show(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """Graham's own bookings page and another event's page show none of his team's bookings at this event:
    they must not read them (they used to read every team booking to count or filter them in Python)."""
    event_id, other = await _event(), await _event()
    await sign_in(client, "graham@example.org")
    path = page.format(other=other)
    with counted(monkeypatch) as before:
        assert (await client.get(path)).status_code == 200
    await _grow_grahams_team(30, event_id)
    await bookings.book(COMMAND_LINE, other, alliance.practitioner_ids["ross@example.org"])
    with counted(monkeypatch) as after:
        assert (await client.get(path)).status_code == 200
    shown_more = 30 if page.startswith("/events") else 0  # the other event offers the 30 newcomers to book
    assert _rows(after) <= _rows(before) + shown_more, after


async def test_the_event_page_offers_only_the_team_members_not_yet_booked(
    client: Client, alliance: Alliance
) -> None:
    event_id = await _event()
    await _grow_grahams_team(4, event_id)  # two of the four are booked
    await sign_in(client, "graham@example.org")
    page = (await client.get(f"/events/{event_id}")).text
    offered = [name for name in ("Member00", "Member01", "Member02", "Member03") if f"Team {name}" in page]
    assert len(offered) == 4  # the booked two are listed among the team's bookings, the others offered
    assert "Lorna Leaver" not in page  # she has left: not bookable


async def test_learning_needs_and_invitations_are_paged_in_sql(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.learning import service as learning
    from registry.learning.schemas import LearningNeedIn
    from tests.support import bearer

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    for n in range(30):
        await learning.record_need(COMMAND_LINE, eilidh, LearningNeedIn(competence="C4", description=f"Need {n}"))
    with counted(monkeypatch) as seen:
        page = await client.get(
            f"/api/v1/practitioners/{eilidh}/learning-needs?limit=2&offset=3", headers=bearer(alliance.tokens["lead"])
        )
    assert page.json()["total"] == 30
    assert [n["description"] for n in page.json()["items"]] == ["Need 26", "Need 25"]
    assert _rows(seen) <= 2 + 3  # the page, the viewer and the record: never all 30
    await _grow_grahams_team(60, await _event())
    await sign_in(client, "lead@example.org")
    with counted(monkeypatch) as seen:
        listed = await client.get("/invitations?page=2")
    assert listed.status_code == 200
    assert _rows(seen) <= 25 * 3 + 5  # one page of people, their sign-ins and links; not all 66


async def test_fits_part_time_reads_one_page_of_events_however_many_fit(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter used to load every candidate event with its sessions and judge them in Python."""
    from tests.support import bearer

    async def page_of_two() -> list[str]:
        with counted(monkeypatch) as seen:
            answer = await client.get(
                "/api/v1/events?fits_part_time=true&limit=2&offset=1", headers=bearer(alliance.tokens["lead"])
            )
        assert answer.status_code == 200
        assert len(answer.json()["items"]) == 2
        # The token's "last used" is written at most once in a while: the first call writes it, the next not.
        return [query for query in seen if "api_token" not in query]

    for _ in range(3):
        await _event()  # two-hour sessions: each fits part-time
    before = await page_of_two()
    for _ in range(30):
        await _event()
    after = await page_of_two()
    assert len(after) == len(before), after
    assert _rows(after) == _rows(before), after


async def test_a_booking_decides_and_tells_in_a_handful_of_queries(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every query of a booking but the first runs inside the event's write lock, where a burst of bookers
    queues: the decision, the booking with its history, and its message (with the calendar invite when
    confirmed) must stay a few statements — it used to read the booking, its person and its event three times."""
    event_id = await _event()
    await Event.update({Event.capacity: 1}).where(Event.id == event_id)
    with counted(monkeypatch) as confirmed:
        first = await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["ross@example.org"])
    with counted(monkeypatch) as waitlisted:
        second = await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["eilidh@example.org"])
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    lock = 0 if BACKEND == "sqlite" else 1  # SELECT ... FOR UPDATE; SQLite's write transaction is the lock
    # the person; the event; places and own booking; booking; history; the message's context (2); the message
    assert len(waitlisted) == 8 + lock, "\n".join(waitlisted)
    # ... and the calendar record and the session's invitation
    assert len(confirmed) == 10 + lock, "\n".join(confirmed)
