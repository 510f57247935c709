"""The weekly digest to each line manager: approvals waiting, learning to verify, registrations lapsing,
and team members behind on learning. Sent once per manager per ISO week, only when there is news."""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import date, timedelta

from registry import clock
from registry.db import write_tx
from registry.events.tables import Booking
from registry.learning.rules import financial_year, required_pl_hours
from registry.learning.tables import LearningRecord
from registry.notify.outbox import enqueue
from registry.notify.preferences import opted_out
from registry.people.employment import employed_on
from registry.people.tables import Practitioner
from registry.registration import history as registration
from registry.settings import get_settings

__all__ = ("weekly_digests",)

_HOURS_SQL = """
SELECT p.id AS id, COALESCE(SUM(r.hours), 0) AS hours
FROM practitioner p
LEFT JOIN learning_record r ON r.practitioner = p.id AND r.completed_on >= {} AND r.completed_on <= {}
WHERE p.manager_email IS NOT NULL AND (p.left_on IS NULL OR p.left_on > {})
GROUP BY p.id
"""


async def weekly_digests(today: date | None = None) -> int:
    """Queue this week's digest for every manager with something to act on (Mondays or later in the week)."""
    today = today or clock.today()
    settings = get_settings()
    team = await Practitioner.select(
        Practitioner.id, Practitioner.given_name, Practitioner.family_name, Practitioner.manager_email,
        Practitioner.weekly_hours, Practitioner.started_on, Practitioner.left_on,
    ).where(
        Practitioner.manager_email.is_not_null() & employed_on(today)
    )  # fmt: skip
    if not team:
        return 0
    names = {p["id"]: f"{p['given_name']} {p['family_name']}" for p in team}
    news: dict[str, list[str]] = defaultdict(list)
    pending = await Booking.select(
        Booking.practitioner.manager_email.as_alias("manager"),
        Booking.event.title.as_alias("title"),
        Booking.practitioner,
    ).where(Booking.status == "pending_approval")
    for row in pending:
        if row["manager"]:
            news[row["manager"]].append(f"Approve or refuse: {names.get(row['practitioner'], '')} — {row['title']}")
    waiting = await LearningRecord.select(LearningRecord.verifier_email, LearningRecord.title).where(
        LearningRecord.verification_state == "requested"
    )
    for row in waiting:
        news[row["verifier_email"]].append(f"Learning to verify: {row['title']}")
    managers = {p["id"]: p["manager_email"] for p in team}
    # Renewals of the cycle running today (registration.summary_on): a superseded row's date is no news.
    for practitioner_id, summary in (await registration.summary_on(managers, today)).items():
        due = summary.renewal_due
        if due is not None and summary.status != "lapsed" and today <= due <= today + timedelta(days=90):
            news[managers[practitioner_id]].append(
                f"Registration renewal due {due:%-d %B %Y}: {names[practitioner_id]}"
            )
    year = financial_year(today)
    so_far = type(year)(year.start, today, year.label)
    hours = {r["id"]: float(r["hours"]) for r in await Practitioner.raw(_HOURS_SQL, year.start, today, today)}
    for person in team:
        needed = required_pl_hours(person["weekly_hours"], so_far, person["started_on"], person["left_on"])
        if needed and hours.get(person["id"], 0.0) < needed / 2:
            done = hours.get(person["id"], 0.0)
            news[person["manager_email"]].append(
                f"Behind on learning: {names[person['id']]} ({done:g} of {needed:g} hours so far)"
            )
    quiet = await opted_out(news)
    week = today.isocalendar()
    sent = 0
    for manager, lines in news.items():
        if manager in quiet:
            continue
        link = f"{settings.base_url}/practitioners"
        text = "\n".join(["Your week in the CLD Workforce Registry:", "", *(f"- {line}" for line in lines), "",
                          "You are getting this because you manage practitioners in the registry. "
                          "You can turn off reminders on your page.", f"See your team: {link}"]) + "\n"  # fmt: skip
        page = "<html><body><p>Your week in the CLD Workforce Registry:</p><ul>"
        page += "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        page += "</ul><p><small>You are getting this because you manage practitioners.</small></p>"
        page += f'<p><a href="{link}">{link}</a></p></body></html>'
        async with write_tx():
            sent += await enqueue(
                manager,
                "Your weekly team digest",
                text,
                page,
                dedupe_key=f"digest:{manager}:{week.year}-W{week.week:02d}",
            )
    return sent
