"""'Fits part-time' is filtered and paged in SQL (issue 11, point 6) on a flag the event service stores: the
list answers exactly what the pure rule says of each event's sessions, as they are after every change, and
migration m0025 gives events made before it the rule's answer."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from registry.cli_viewer import COMMAND_LINE
from registry.events import service
from registry.events.rules import SessionTimes, fits_part_time
from registry.events.schemas import EventIn, EventPatch, SessionIn
from registry.events.tables import Event
from registry.piccolo_app import APP_CONFIG
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, StoppedClock, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
LONDON = ZoneInfo("Europe/London")
MIGRATION = APP_CONFIG.resolved_migrations_folder_path + "/m0025_event_fits_part_time.py"


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


# Sessions as (start in UTC, hours). London moves to BST on 28 March 2027: 16:30 UTC is 16:30 before and
# 17:30 (evening) after.
SHAPES: dict[str, list[tuple[datetime, float]]] = {
    "three hours exactly": [(utc(2, 1, 9), 3)],
    "a minute over three hours": [(utc(2, 2, 9), 3 + 1 / 60)],
    "16:30 GMT, long": [(utc(3, 22, 16, 30), 4)],
    "17:30 BST, long": [(utc(3, 29, 16, 30), 4)],
    "16:59 BST, long": [(utc(3, 30, 15, 59), 4)],
    "17:00 GMT, long": [(utc(3, 23, 17), 4)],
    "an evening and a short day": [(utc(4, 5, 18), 4), (utc(4, 6, 9), 2)],
    "an evening and a long day": [(utc(4, 7, 18), 4), (utc(4, 8, 9), 4)],
    "the same UTC time either side of the change": [(utc(3, 24, 16, 30), 4), (utc(3, 31, 16, 30), 4)],
    "four short sessions": [(utc(5, day, 13), 2) for day in (3, 10, 17, 24)],
}


def sessions(shape: list[tuple[datetime, float]]) -> list[SessionIn]:
    return [SessionIn(starts_at=start, ends_at=start + timedelta(hours=hours)) for start, hours in shape]


def rule(shape: list[tuple[datetime, float]]) -> bool:
    return fits_part_time([SessionTimes(s.starts_at, s.ends_at) for s in sessions(shape)], LONDON)


async def make(title: str, shape: list[tuple[datetime, float]]) -> int:
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title=title, host_organisation="DCC", format="in_person", venue="Lochee Hub", capacity=5,
                sessions=sessions(shape), status="published"),
    )  # fmt: skip
    return event.id


async def fitting_titles(client: Client, alliance: Alliance, query: str = "limit=500") -> tuple[list[str], int]:
    answer = await client.get(f"/api/v1/events?fits_part_time=true&{query}", headers=bearer(alliance.tokens["lead"]))
    assert answer.status_code == 200, answer.text
    return [e["title"] for e in answer.json()["items"]], answer.json()["total"]


async def test_the_list_answers_what_the_rule_says_of_each_event(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    ids = {title: await make(title, shape) for title, shape in SHAPES.items()}
    expected = [title for title, shape in sorted(SHAPES.items(), key=lambda item: item[1][0][0]) if rule(shape)]
    assert 0 < len(expected) < len(SHAPES)  # the cases are of both kinds
    assert await fitting_titles(client, alliance) == (expected, len(expected))

    # Changing the sessions changes the answer, both ways; a change that moves no session keeps it.
    await service.update_event(COMMAND_LINE, ids["16:30 GMT, long"], EventPatch(sessions=sessions([(utc(3, 22, 17), 4)])))
    await service.update_event(COMMAND_LINE, ids["three hours exactly"], EventPatch(sessions=sessions([(utc(2, 1, 9), 5)])))
    await service.update_event(COMMAND_LINE, ids["17:30 BST, long"], EventPatch(title="Renamed evening"))
    titles, _ = await fitting_titles(client, alliance)
    assert "16:30 GMT, long" in titles
    assert "three hours exactly" not in titles
    assert "Renamed evening" in titles
    await sign_in(client, "eilidh@example.org")
    page = await client.get("/events?fits_part_time=yes")  # the page filters through the same service
    assert "Renamed evening" in page.text
    assert "three hours exactly" not in page.text


async def test_a_later_page_of_fitting_events_is_the_next_slice_of_them(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    """Ten events, alternately fitting and not: the second page of three fitting ones skips the first three
    fitting ones (not the first three events), and the total counts only the fitting ones."""
    for n in range(10):
        start = utc(6, 1 + n, 9)
        await make(f"Event {n}", [(start, 2 if n % 2 == 0 else 6)])
    assert await fitting_titles(client, alliance, "limit=3&offset=3") == (["Event 6", "Event 8"], 5)
    assert await fitting_titles(client, alliance, "limit=3&offset=0") == (["Event 0", "Event 2", "Event 4"], 5)
    # A short page tells the total without counting; past the end the count still says how many there are.
    assert await fitting_titles(client, alliance, "limit=5&offset=0") == ([f"Event {n}" for n in (0, 2, 4, 6, 8)], 5)
    assert await fitting_titles(client, alliance, "limit=3&offset=9") == ([], 5)


def _migration_id() -> str:
    spec = importlib.util.spec_from_file_location("m0025_event_fits_part_time", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.ID)


async def test_the_migration_gives_existing_events_the_rules_answer(alliance: Alliance, fixed_clock: StoppedClock) -> None:
    ids = {title: await make(title, shape) for title, shape in SHAPES.items()}
    migration_id = _migration_id()
    assert migration_id == "2026-12-06T10:00:00:000000"
    try:
        # Back to before the flag existed (the column goes), then forwards: every flag is the backfill's.
        assert (await run_backwards("registry", migration_id=migration_id, auto_agree=True)).success
    finally:
        assert (await run_forwards("registry")).success
    stored = {r["id"]: r["fits_part_time"] for r in await Event.select(Event.id, Event.fits_part_time)}
    assert stored == {ids[title]: rule(shape) for title, shape in SHAPES.items()}
