"""``registry synth``: a synthetic alliance at scale for benchmarks — organisations in four local authorities,
N practitioners, two financial years of events with bookings and attendance, self-recorded learning with
competences and verification, learning needs and registration histories, all relative to today.

Benchmarks need hundreds of thousands of rows in seconds, so this writes rows straight into the tables in
large multi-row INSERTs inside one transaction, not through the use cases (a booking through the service
takes a lock, writes its history and an outbox message). The rows are shaped like the ones the use cases
write (attendance makes a protected learning record of the event's hours and competences, and so on); the
generated values are digits and fixed words, written into the SQL text. Only into a database without
organisations, so that a real alliance is never mixed with made-up people.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from registry import clock
from registry.db import is_sqlite, write_tx
from registry.errors import Conflict
from registry.learning.rules import financial_year
from registry.learning.tables import Competence
from registry.people.tables import Organisation
from registry.settings import get_settings

__all__ = ("synthesise",)

AUTHORITIES = ("Dundee City", "Angus", "Fife", "Perth and Kinross")
KINDS = ("local_authority", "health", "college", "third_sector")
CONTRACTS = (("full_time", 52), ("part_time", 20), ("sessional", 14), ("volunteer", 14))
SETTINGS = (("community", 60), ("school", 22), ("online", 6), ("health", 6), ("college", 6))
STATUSES = (("registered", 34), ("associate", 16), ("applied", 6), ("lapsed", 6), ("none", 38))
HOURS = {"full_time": (35, 36, 37), "part_time": (14, 17.5, 21, 25), "sessional": (4, 6, 9, 12), "volunteer": (2, 4, 6)}
BATCH = 500


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _sql(value: Any) -> str:
    """A generated value as SQL text (numbers, dates, moments in UTC, booleans, fixed words: never input)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"'{value.astimezone(UTC)}'"  # Piccolo's own SQLite form, which PostgreSQL reads too
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    text = str(value)
    assert not set(text) & set("'{}"), text
    return f"'{text}'"


async def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    batch: list[str] = []
    count = 0

    async def flush() -> None:
        if batch:
            await Organisation.raw(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(batch)}")
            batch.clear()

    for row in rows:
        batch.append("(" + ", ".join(_sql(v) for v in row) + ")")
        count += 1
        if len(batch) == BATCH:
            await flush()
    await flush()
    return count


async def _next_id(table: str) -> int:
    rows = await Organisation.raw(f"SELECT COALESCE(MAX(id), 0) AS top FROM {table}")
    return int(rows[0]["top"]) + 1


async def _advance_sequences(tables: Iterable[str]) -> None:
    """Rows were given their ids: PostgreSQL's serial sequences must continue after them."""
    if is_sqlite():
        return
    for table in tables:
        await Organisation.raw(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


async def synthesise(practitioners: int, seed: int = 2018) -> str:
    """Write the synthetic alliance; says how many rows of each it wrote."""
    if await Organisation.exists():
        raise Conflict("synth writes into an empty registry only: this one holds organisations")
    rng = random.Random(seed)
    today, now = clock.today(), clock.now()
    zone = get_settings().zone
    first_day = financial_year(financial_year(today).start - timedelta(days=1)).start  # last year's 1 April
    competences = [
        r["id"] for r in await Competence.select(Competence.id).where(Competence.kind == "competence")
    ] or [0]
    counts: dict[str, int] = {}
    async with write_tx():
        org_base = await _next_id("organisation")
        organisations = max(12, practitioners // 300)
        counts["organisations"] = await _insert(
            "organisation", ("id", "code", "name", "kind", "local_authority", "created_at"),
            ((org_base + n, f"ORG{n:04d}", f"Organisation {n}", KINDS[n % 4], AUTHORITIES[n % 4], now)
             for n in range(organisations)),
        )  # fmt: skip
        person_base = await _next_id("practitioner")
        people: list[dict[str, Any]] = []
        for n in range(practitioners):
            contract = _pick(rng, CONTRACTS)
            started = today - timedelta(days=rng.randint(30, 365 * 15))
            left = today - timedelta(days=rng.randint(1, 700)) if rng.random() < 0.06 else None
            if left is not None and left <= started:
                left = None
            organisation = org_base + rng.randrange(organisations)
            people.append({
                "id": person_base + n, "organisation": organisation, "contract": contract, "started": started,
                "left": left, "manager": f"p{person_base + (n // 10) * 10}@example.org" if n % 10 else None,
            })  # fmt: skip
        counts["practitioners"] = await _insert(
            "practitioner",
            ("id", "email", "given_name", "family_name", "organisation", "job_title", "contract", "weekly_hours",
             "setting", "locality", "practice_areas", "cld_qualified", "manager_email", "started_on", "left_on",
             "created_at", "updated_at"),
            ((p["id"], f"p{p['id']}@example.org", "Synth", f"Person{p['id']}", p["organisation"], "CLD Worker",
              p["contract"], float(rng.choice(HOURS[p["contract"]])), _pick(rng, SETTINGS), "Synthville",
              "community development", rng.random() < 0.6, p["manager"], p["started"], p["left"], now, now)
             for p in people),
        )  # fmt: skip
        await _insert(
            "line_manager_change", ("practitioner", "manager_email", "from_on", "recorded_by_email", "recorded_at"),
            ((p["id"], p["manager"], p["started"], "synth", now) for p in people if p["manager"]),
        )  # fmt: skip
        registrations = []
        for p in people:
            status = _pick(rng, STATUSES)
            if status == "none":
                continue
            since = max(p["started"], today - timedelta(days=rng.randint(10, 365 * 4)))
            due = since + timedelta(days=365 * 3) if status in {"registered", "associate"} else None
            registrations.append((p["id"], status, since, due))
            if status == "associate" and rng.random() < 0.2:
                registrations.append((p["id"], "applied", min(today, since + timedelta(days=200)), None))
        counts["registration rows"] = await _insert(
            "cldsc_registration",
            ("practitioner", "status", "effective_from", "renewal_due", "note", "recorded_by_email", "recorded_at",
             "state", "decided_by_email", "decided_at", "decision_note"),
            ((pid, status, since, due, "", "synth", now, "confirmed", "synth", now, "")
             for pid, status, since, due in registrations),
        )  # fmt: skip
        # Events over the two years to the end of this one; those started are held, with attendance.
        event_base = await _next_id("event")
        span = (financial_year(today).end - first_day).days
        events = []
        for n in range(max(10, practitioners // 8)):
            day = first_day + timedelta(days=rng.randrange(span))
            starts = datetime.combine(day, time(rng.choice((10, 14, 18))), zone)
            status = "cancelled" if rng.random() < 0.03 else "published"
            topics = "cldsc" if rng.random() < 0.06 else "practice"
            events.append((event_base + n, org_base + rng.randrange(organisations), starts, status, topics,
                           rng.choice((1.5, 2.0, 3.0))))  # fmt: skip
        counts["events"] = await _insert(
            "event",
            ("id", "title", "description", "host_organisation", "format", "online_url", "capacity", "topics",
             "audience", "requires_approval", "status", "first_starts_at", "fits_part_time", "sequence",
             "created_by_email", "created_at", "updated_at"),
            ((eid, f"Event {eid}", "", host, "online", "https://meet.example.org/s", 30, topics, "", False, status,
              starts, False, 0, "synth", now, now) for eid, host, starts, status, topics, _ in events),
        )  # fmt: skip
        await _insert(
            "event_session", ("event", "starts_at", "ends_at"),
            ((eid, starts, starts + timedelta(hours=hours)) for eid, _, starts, _, _, hours in events),
        )
        event_competences = {e[0]: rng.sample(competences, min(len(competences), rng.randint(1, 2))) for e in events}
        await _insert(
            "event_competence", ("event", "competence"),
            ((eid, c) for eid, chosen in event_competences.items() for c in chosen),
        )  # fmt: skip
        record_id = await _next_id("learning_record")
        bookings, records, record_competences = [], [], []
        for eid, _, starts, status, _, hours in events:
            day = starts.astimezone(zone).date()
            present = [p for p in rng.sample(people, min(len(people), rng.randint(10, 25)))
                       if p["started"] <= day and (p["left"] is None or p["left"] > day)]  # fmt: skip
            for p in present:
                held = starts <= now and status == "published"
                attended = held and rng.random() < 0.85
                state = ("attended" if attended else "no_show") if held else "confirmed"
                bookings.append((eid, p["id"], state, record_id if attended else None))
                if attended:
                    records.append((record_id, p["id"], f"Event {eid}", "event", day, hours, True, "event", "none",
                                    None))  # fmt: skip
                    record_competences += [(record_id, c) for c in event_competences[eid]]
                    record_id += 1
        for p in people:
            for _ in range(rng.randint(0, 5)):
                day = max(p["started"], first_day) + timedelta(days=rng.randrange(max(1, (today - first_day).days)))
                if day > today or (p["left"] is not None and day >= p["left"]):
                    continue
                verified = p["manager"] is not None and rng.random() < 0.2
                records.append((record_id, p["id"], "Learning", rng.choice(("course", "online_learning", "shadowing")),
                                day, rng.choice((1.0, 1.5, 2.0, 3.5, 6.0)), rng.random() < 0.4, "self",
                                "verified" if verified else "none", p["manager"] if verified else None))  # fmt: skip
                record_competences += [(record_id, c) for c in rng.sample(competences, rng.randint(1, 3))]
                record_id += 1
        counts["learning records"] = await _insert(
            "learning_record",
            ("id", "practitioner", "title", "kind", "completed_on", "hours", "protected_time", "source",
             "verification_state", "verifier_email", "reflection", "review_note", "return_comment", "created_at",
             "updated_at"),
            ((*r, "", "", "", now, now) for r in records),
        )  # fmt: skip
        await _insert("learning_record_competence", ("record", "competence"), record_competences)
        counts["bookings"] = await _insert(
            "booking",
            ("event", "practitioner", "status", "booked_by_email", "learning_record", "created_at", "updated_at"),
            ((eid, pid, state, "synth", rid, now, now) for eid, pid, state, rid in bookings),
        )  # fmt: skip
        counts["learning needs"] = await _insert(
            "learning_need",
            ("practitioner", "competence", "description", "recorded_by_email", "recorded_on", "recorded_at"),
            ((p["id"], rng.choice(competences), "Need", "synth",
              first_day + timedelta(days=rng.randrange(max(1, (today - first_day).days))), now)
             for p in rng.sample(people, len(people) // 2)),
        )  # fmt: skip
        await _advance_sequences(("organisation", "practitioner", "event", "learning_record"))
    if not is_sqlite():
        # Planner statistics now, as autovacuum would gather them a while after a bulk load: a benchmark run
        # straight after would otherwise time plans made for empty tables.
        await Organisation.raw("ANALYZE")
    return "synth: " + ", ".join(f"{count} {name}" for name, count in counts.items())
