"""The weekly digest to each line manager: approvals and time requests waiting, learning to verify,
registrations lapsing, and team members behind on their protected learning time (the team view's numbers:
learning_time/ledger.py and rules.behind). Sent once per manager per ISO week, only when there is news."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from registry import clock
from registry.db import write_tx
from registry.events.tables import Booking
from registry.learning.rules import financial_year
from registry.learning.tables import LearningRecord
from registry.learning_time.ledger import ledgers
from registry.learning_time.rules import behind
from registry.learning_time.tables import TimeRequest
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.notify.preferences import opted_out
from registry.people.employment import employed_on
from registry.people.tables import Practitioner
from registry.registration import history as registration
from registry.settings import get_settings

__all__ = ("DigestItem", "manager_news", "weekly_digests")


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One line of a manager's digest (templates/mail/digest.jinja says it)."""

    kind: Literal["approval", "request", "verification", "renewal", "behind"]
    name: str = ""
    """The team member it is about."""
    title: str = ""
    """The event to approve, the learning to verify, or the learning time is asked for."""
    due: date | None = None
    done: float = 0.0
    """Behind: protected hours used and booked."""
    needed: float = 0.0
    """Behind: the year's protected learning time entitlement."""


async def manager_news(today: date, manager: str | None = None) -> dict[str, list[DigestItem]]:
    """What each line manager (or verifier) has to act on today, by their email; ``manager``: only theirs
    (the home page's "needs you" list, registry.home)."""
    team_where = Practitioner.manager_email.is_not_null() & employed_on(today)
    if manager is not None:
        team_where = team_where & (Practitioner.manager_email == manager)
    team = await Practitioner.select(
        Practitioner.id, Practitioner.given_name, Practitioner.family_name, Practitioner.manager_email,
        Practitioner.organisation, Practitioner.started_on, Practitioner.left_on,
    ).where(team_where)  # fmt: skip
    names = {p["id"]: f"{p['given_name']} {p['family_name']}" for p in team}
    news: dict[str, list[DigestItem]] = defaultdict(list)
    pending_where: Any = Booking.status == "pending_approval"
    asked_where: Any = TimeRequest.status == "requested"
    waiting_where: Any = LearningRecord.verification_state == "requested"
    if manager is not None:
        pending_where = pending_where & (Booking.practitioner.manager_email == manager)
        asked_where = asked_where & (TimeRequest.practitioner.manager_email == manager)
        waiting_where = waiting_where & (LearningRecord.verifier_email == manager)
    pending = await Booking.select(
        Booking.practitioner.manager_email.as_alias("manager"),
        Booking.event.title.as_alias("title"),
        Booking.practitioner,
    ).where(pending_where)
    for row in pending:
        if row["manager"]:
            news[row["manager"]].append(
                DigestItem("approval", name=names.get(row["practitioner"], ""), title=row["title"])
            )
    asked = await TimeRequest.select(
        TimeRequest.practitioner.manager_email.as_alias("manager"), TimeRequest.title, TimeRequest.practitioner
    ).where(asked_where)
    for row in asked:
        if row["manager"] and row["practitioner"] in names:  # a leaver's request is no news
            who = names.get(row["practitioner"], "")
            news[row["manager"]].append(DigestItem("request", name=who, title=row["title"]))
    waiting = await LearningRecord.select(LearningRecord.verifier_email, LearningRecord.title).where(waiting_where)
    for row in waiting:
        news[row["verifier_email"]].append(DigestItem("verification", title=row["title"]))
    managers = {p["id"]: p["manager_email"] for p in team}
    # Renewals of the cycle running today (registration.summary_on): a superseded row's date is no news.
    for practitioner_id, summary in (await registration.summary_on(managers, today)).items():
        due = summary.renewal_due
        if due is not None and summary.status != "lapsed" and today <= due <= today + timedelta(days=90):
            news[managers[practitioner_id]].append(
                DigestItem("renewal", name=names[practitioner_id], due=due)
            )
    year = financial_year(today)
    entries = await ledgers(team, year)
    for person in team:
        entry = entries[person["id"]]
        if behind(entry, year, person["started_on"], person["left_on"], today):
            news[person["manager_email"]].append(
                DigestItem(
                    "behind", name=names[person["id"]], done=entry.used_hours + entry.booked_hours,
                    needed=entry.entitlement_hours,
                )
            )  # fmt: skip
    return news


async def weekly_digests(today: date | None = None) -> int:
    """Queue this week's digest for every manager with something to act on (Mondays or later in the week)."""
    today = today or clock.today()
    settings = get_settings()
    if not await Practitioner.exists().where(Practitioner.manager_email.is_not_null() & employed_on(today)):
        return 0
    news = await manager_news(today)
    quiet = await opted_out(news)
    week = today.isocalendar()
    sent = 0
    for manager, items in news.items():
        if manager in quiet:
            continue
        text, page = render_mail("digest", items=items, link=f"{settings.base_url}/practitioners")
        async with write_tx():
            sent += await enqueue(
                manager,
                "Your weekly team digest",
                text,
                page,
                dedupe_key=f"digest:{manager}:{week.year}-W{week.week:02d}",
            )
    return sent
