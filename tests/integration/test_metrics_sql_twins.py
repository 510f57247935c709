"""The metrics' SQL gives the same answer as the registry's pure rules on the same rows, on both engines:
registration as C1 counts it (registration.summary_on + metrics.rules.counts_as_registered) and the required
PL hours (learning.rules.required_pl_hours)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.learning.rules import parse_period, required_pl_hours
from registry.metrics.rules import counts_as_registered
from registry.metrics.shares import _MEMBERS
from registry.metrics.sql import Scope, active, fetch, required_tenths
from registry.people import service as people
from registry.people.tables import Practitioner
from registry.registration import history
from registry.registration.rules import STATUSES

PERIOD = parse_period("2025-26")
HEADER = "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"
ORGANISATIONS = "code,name,kind,local_authority\nDCC,Dundee City Council,local_authority,Dundee City\n"


async def _people(rows: list[tuple[float, date]]) -> list[dict[str, object]]:
    await people.import_organisations(COMMAND_LINE, ORGANISATIONS)
    text = HEADER + "".join(
        f"p{n}@example.org,P,N{n},DCC,part_time,{hours},{started.isoformat()}\n" for n, (hours, started) in enumerate(rows)
    )
    await people.import_practitioners(COMMAND_LINE, text)
    return list(
        await Practitioner.select(Practitioner.id, Practitioner.weekly_hours, Practitioner.started_on).order_by(
            Practitioner.id
        )
    )


async def test_c1_membership_in_sql_is_the_registration_rule() -> None:
    rng = random.Random(13)
    everyone = await _people([(35.0, date(2015, 1, 1))] * 60)
    async with write_tx():
        for person in everyone:
            for _ in range(rng.randint(0, 4)):
                status = rng.choice(STATUSES)
                start = date(2021, 1, 1) + timedelta(days=rng.randint(0, 2000))
                due = start + timedelta(days=rng.choice((-1, 0, 1, 400, 1095))) if rng.random() < 0.7 else None
                await history.append_change(
                    int(str(person["id"])), status, start, renewal_due=due, recorded_by_email="hr",
                    state=rng.choice(("confirmed", "confirmed", "confirmed", "pending", "rejected")),
                )  # fmt: skip
    ids = [int(str(p["id"])) for p in everyone]
    for day in (PERIOD.end, date(2024, 3, 31), date(2026, 11, 19)):
        period = parse_period(f"{day.year - 1}-04-01..{day.isoformat()}")
        summaries = await history.summary_on(ids, day)
        by_rule = {pid for pid, summary in summaries.items() if counts_as_registered(summary, day)}
        rows = await fetch([period], [active(Scope()), _MEMBERS], "SELECT id FROM members")
        assert {int(r["id"]) for r in rows} == by_rule, day
    assert 5 < len(by_rule) < 55, "the histories should give members and non-members"


async def test_required_hours_in_sql_are_the_rule() -> None:
    weekly = [35, 37, 17.5, 17.25, 1.25, 0.15, 0.25, 6, 22.5, 36.5, 18.75, 0.01, 59.99, 12.34]
    starts = [date(2015, 1, 1), PERIOD.start, PERIOD.start + timedelta(days=1), date(2025, 10, 1), date(2026, 2, 28),
              PERIOD.end]  # fmt: skip
    everyone = await _people([(w, s) for w in weekly for s in starts])
    tenths = "SELECT a.id AS id, " + required_tenths("a") + " AS tenths FROM active a JOIN periods pr ON pr.n = a.n"
    rows = {int(r["id"]): int(r["tenths"]) for r in await fetch([PERIOD], [active(Scope())], tenths)}
    assert len(rows) == len(everyone)
    for person in everyone:
        expected = required_pl_hours(float(str(person["weekly_hours"])), PERIOD, person["started_on"], None)  # type: ignore[arg-type]
        assert rows[int(str(person["id"]))] / 10 == expected, person
