"""Subject access, erasure and the retention rule: one transaction each.

Erasure removes who the person was — their names, addresses, job title, sign-in, mail and every piece of free
text they or others wrote about them — and keeps what the alliance's statistics count: the record's
organisation, contract, hours and dates, its registration history, learning hours and competences, bookings
and attendance. Every metric of METRICS.md and every stored snapshot therefore reads the same afterwards
(tests/integration/test_privacy.py compares them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from registry import clock
from registry.accounts.rules import Viewer, is_self
from registry.accounts.tables import PasswordResetRequest, Throttle, User
from registry.audit import service as audit
from registry.audit.tables import AuditEntry
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, NotFound
from registry.events.tables import Booking, BookingHistory, Evaluation
from registry.learning.tables import LearningNeed, LearningRecord, LearningRecordCompetence, PlGoal
from registry.learning_time.tables import LearningTimeAdjustment, TimeRequest
from registry.notify.tables import CalendarFeed, NotificationPreference, OutboxMessage
from registry.people.tables import EmailChange, HoursChange, LineManagerChange, Practitioner
from registry.privacy.rules import (
    ERASED_GIVEN_NAME,
    erase_problem,
    erased_email,
    erased_family_name,
    may_erase,
    may_export,
    retention_cutoff,
)
from registry.registration.tables import CldscRegistration
from registry.settings import get_settings

__all__ = ("EXPORT_SECTIONS", "Erased", "RetentionReport", "apply_retention", "erase", "subject_access")

EXPORT_SECTIONS: dict[str, str] = {
    "record": "Practitioner record",
    "sign_in": "Sign-in",
    "registration": "CLD Standards Council registration",
    "line_managers": "Line managers",
    "hours": "Contract and hours",
    "email_changes": "Changes of email address",
    "learning": "Professional learning",
    "goals": "Professional learning goals",
    "learning_needs": "Learning needs",
    "time_requests": "Requests for protected learning time",
    "time_adjustments": "Adjustments to protected learning time",
    "bookings": "Bookings of learning events",
    "booking_history": "What happened to each booking",
    "evaluations": "Evaluations of events",
    "messages": "Messages sent",
    "preferences": "Notification preferences",
    "audit": "Audit log entries about them",
}
"""The export's sections, in order, with the readable page's headings."""

_NEVER_SHOWN = {"token_hash", "password_hash"}
"""Columns that are secrets of the system, not facts about the person."""


def _plain(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items() if k not in _NEVER_SHOWN}
        for row in rows
    ]


async def _practitioner(practitioner_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await Practitioner.select(
            *Practitioner.all_columns(), Practitioner.organisation.code.as_alias("organisation_code"),
            Practitioner.organisation.name.as_alias("organisation_name"),
        ).where(Practitioner.id == practitioner_id).first()
    )  # fmt: skip
    if row is None:
        raise NotFound("No such practitioner")
    return row


async def _identities(practitioner_id: int, email: str) -> tuple[list[str], dict[str, Any] | None]:
    """Every address the person has been known by, and their sign-in."""
    user = await User.select().where(User.practitioner == practitioner_id).first()
    changes = await EmailChange.select(EmailChange.old_email, EmailChange.new_email).where(
        EmailChange.practitioner == practitioner_id
    )
    emails = [email, *([user["email"]] if user else [])]
    emails += [c["old_email"] for c in changes] + [c["new_email"] for c in changes]
    return list(dict.fromkeys(e.lower() for e in emails if e)), user


async def subject_access(viewer: Viewer, practitioner_id: int) -> dict[str, Any]:
    """Everything the registry holds about one person, section by section (``EXPORT_SECTIONS``)."""
    row = await _practitioner(practitioner_id)
    if not may_export(viewer, practitioner_id, row["organisation"]):
        raise NotFound("No such practitioner")
    emails, user = await _identities(practitioner_id, row["email"])
    learning = (
        await LearningRecord.select()
        .where(LearningRecord.practitioner == practitioner_id)
        .order_by(LearningRecord.completed_on)
    )
    codes = await LearningRecordCompetence.select(
        LearningRecordCompetence.record, LearningRecordCompetence.competence.code.as_alias("code")
    ).where(LearningRecordCompetence.record.practitioner == practitioner_id)
    by_record: dict[int, list[str]] = {}
    for c in codes:
        by_record.setdefault(c["record"], []).append(c["code"])
    for record in learning:
        record["competences"] = sorted(by_record.get(record["id"], []))
    booking_ids = [b["id"] for b in await Booking.select(Booking.id).where(Booking.practitioner == practitioner_id)]
    subjects = [f"practitioner:{practitioner_id}", *emails]
    sections: dict[str, Any] = {
        "record": _plain([row])[0],
        "sign_in": _plain([user])[0] if user else None,
        "registration": await CldscRegistration.select().where(CldscRegistration.practitioner == practitioner_id),
        "line_managers": await LineManagerChange.select().where(LineManagerChange.practitioner == practitioner_id),
        "hours": await HoursChange.select().where(HoursChange.practitioner == practitioner_id),
        "email_changes": await EmailChange.select().where(EmailChange.practitioner == practitioner_id),
        "learning": learning,
        "goals": await PlGoal.select().where(PlGoal.practitioner == practitioner_id),
        "learning_needs": await LearningNeed.select(
            *LearningNeed.all_columns(), LearningNeed.competence.code.as_alias("competence_code")
        ).where(LearningNeed.practitioner == practitioner_id),
        "time_requests": await TimeRequest.select().where(TimeRequest.practitioner == practitioner_id),
        "time_adjustments": await LearningTimeAdjustment.select().where(
            LearningTimeAdjustment.practitioner == practitioner_id
        ),
        "bookings": await Booking.select(*Booking.all_columns(), Booking.event.title.as_alias("event_title")).where(
            Booking.practitioner == practitioner_id
        ),
        "booking_history": await BookingHistory.select().where(BookingHistory.booking.is_in(booking_ids))
        if booking_ids else [],
        "evaluations": await Evaluation.select().where(Evaluation.booking.is_in(booking_ids)) if booking_ids else [],
        "messages": await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.to_email, OutboxMessage.subject, OutboxMessage.body_text,
            OutboxMessage.status, OutboxMessage.created_at, OutboxMessage.sent_at,
        ).where(OutboxMessage.to_email.is_in(emails)).order_by(OutboxMessage.created_at),
        "preferences": await NotificationPreference.select().where(NotificationPreference.email.is_in(emails)),
        "audit": await AuditEntry.select().where(
            AuditEntry.subject.is_in(subjects) | AuditEntry.actor_email.is_in(emails)
        ).order_by(AuditEntry.at),
    }  # fmt: skip
    for key, value in sections.items():
        if isinstance(value, list):
            sections[key] = _plain(value)
    await audit.record(
        viewer, "practitioner.exported", subject=f"practitioner:{practitioner_id}",
        summary=f"Everything held about practitioner {practitioner_id} exported (subject access)",
    )  # fmt: skip
    return {"practitioner_id": practitioner_id, "exported_at": clock.now().isoformat(), **sections}


# ---------------------------------------------------------------- erasure


@dataclass(frozen=True, slots=True)
class Erased:
    practitioner_id: int
    email: str
    """The address that now stands for the person."""
    audit_entries: int
    """Log entries whose mention of the person was replaced."""


_FREE_TEXT: list[tuple[type[Table], Column, dict[Column | str, Any]]] = [
    (LearningRecord, LearningRecord.practitioner, {
        LearningRecord.title: "Erased", LearningRecord.reflection: "", LearningRecord.review_note: "",
        LearningRecord.return_comment: "", LearningRecord.evidence_url: None,
    }),
    (PlGoal, PlGoal.practitioner, {PlGoal.title: "Erased", PlGoal.description: ""}),
    (LearningNeed, LearningNeed.practitioner, {LearningNeed.description: ""}),
    (TimeRequest, TimeRequest.practitioner, {
        TimeRequest.title: "Erased", TimeRequest.purpose: "", TimeRequest.decision_note: "",
    }),
    (LearningTimeAdjustment, LearningTimeAdjustment.practitioner, {LearningTimeAdjustment.reason: ""}),
    (CldscRegistration, CldscRegistration.practitioner, {
        CldscRegistration.note: "", CldscRegistration.decision_note: "", CldscRegistration.membership_number: None,
    }),
    (Booking, Booking.practitioner, {Booking.access_needs: None}),
    (BookingHistory, BookingHistory.booking.practitioner, {BookingHistory.note: ""}),
    (Evaluation, Evaluation.booking.practitioner, {Evaluation.will_do_differently: ""}),
]  # fmt: skip
"""Per table: how it reaches the person, and what its free text becomes. Counted columns stay as they are."""


def _address_columns() -> list[Column]:
    """Every column that holds someone's address as who did something (``*_email``, ``suspended_by``), except
    those erasure deletes or rewrites itself."""
    from registry.piccolo_app import TABLES

    skip = (
        Practitioner.email, User.email, OutboxMessage.to_email, NotificationPreference.email,
        PasswordResetRequest.email, EmailChange.old_email, EmailChange.new_email, AuditEntry.actor_email,
    )  # fmt: skip
    skipped = {(c._meta.table._meta.tablename, c._meta.name) for c in skip}
    return [
        column
        for table in TABLES
        for column in table._meta.columns
        if column._meta.name.endswith(("_email", "_by")) and (table._meta.tablename, column._meta.name) not in skipped
    ]


async def _erase(actor: Viewer | None, practitioner_id: int, reason: str) -> Erased:
    row = await _practitioner(practitioner_id)
    today = clock.today()
    email = row["email"]
    manages = await Practitioner.count().where(
        (Practitioner.manager_email == email) & (Practitioner.id != practitioner_id)
        & (Practitioner.left_on.is_null() | (Practitioner.left_on > today))
    )  # fmt: skip
    problem = erase_problem(
        left_on=row["left_on"], today=today, erased_at=row["erased_at"], manages=int(manages),
        is_self=actor is not None and is_self(actor, practitioner_id),
    )  # fmt: skip
    if problem:
        raise Conflict(problem)
    emails, user = await _identities(practitioner_id, email)
    pseudonym = erased_email(practitioner_id)
    full_name = f"{row['given_name']} {row['family_name']}".strip()
    user_name = user["name"] if user else ""
    for table, person, blanks in _FREE_TEXT:
        await table.update(blanks).where(person == practitioner_id)
    await EmailChange.delete().where(EmailChange.practitioner == practitioner_id)
    await CalendarFeed.delete().where(CalendarFeed.practitioner == practitioner_id)
    await User.delete().where((User.practitioner == practitioner_id) | User.email.is_in(emails))
    await OutboxMessage.delete().where(OutboxMessage.to_email.is_in(emails))
    await NotificationPreference.delete().where(NotificationPreference.email.is_in(emails))
    await PasswordResetRequest.delete().where(PasswordResetRequest.email.is_in(emails))
    await Throttle.delete().where(Throttle.key.is_in(emails))
    for column in _address_columns():
        await column._meta.table.update({column: pseudonym}).where(column.is_in(emails))
    await Practitioner.update({
        Practitioner.email: pseudonym, Practitioner.given_name: ERASED_GIVEN_NAME,
        Practitioner.family_name: erased_family_name(practitioner_id), Practitioner.job_title: None,
        Practitioner.erased_at: clock.now(), Practitioner.updated_at: clock.now(),
    }).where(Practitioner.id == practitioner_id)  # fmt: skip
    names = [n for n in (full_name, user_name) if n]
    identities = [*emails, *names, *(json.dumps(n)[1:-1] for n in names)]
    changed = await audit.forget(identities, pseudonym)
    await audit.record(
        actor, "practitioner.erased", subject=f"practitioner:{practitioner_id}",
        summary=f"Practitioner {practitioner_id} erased: identity and free text removed, counts kept",
        details={"reason": reason, "audit_entries_rewritten": changed},
    )  # fmt: skip
    return Erased(practitioner_id, pseudonym, changed)


async def erase(viewer: Viewer, practitioner_id: int, reason: str = "") -> Erased:
    """Erase one leaver at an admin's request (a right-to-erasure request, or the end of their retention)."""
    if not may_erase(viewer):
        raise Forbidden("Only admins can erase a record")
    async with write_tx():
        return await _erase(viewer, practitioner_id, reason.strip())


# ---------------------------------------------------------------- retention


@dataclass(frozen=True, slots=True)
class RetentionReport:
    cutoff: date
    """Leavers who left before this day are due."""
    due: list[tuple[int, date]]
    """(practitioner id, left on) of every record due for erasure, oldest leaver first."""
    erased: int
    audit_cutoff: datetime
    audit_purged: int
    """Audit entries older than ``audit_cutoff`` deleted (or, on a dry run, that would be)."""


async def apply_retention(*, dry_run: bool = False) -> RetentionReport:
    """The retention rule (``REGISTRY_RETENTION_YEARS`` after leaving, default 6): erase every leaver whose time
    is up, and purge audit entries older than ``REGISTRY_AUDIT_RETENTION_YEARS``. A dry run says what it would
    do and changes nothing."""
    settings = get_settings()
    today = clock.today()
    cutoff = retention_cutoff(today, settings.retention_years)
    now = clock.now()
    audit_cutoff = datetime.combine(retention_cutoff(now.date(), settings.audit_retention_years), now.timetz())
    rows = await Practitioner.select(Practitioner.id, Practitioner.left_on).where(
        Practitioner.erased_at.is_null() & Practitioner.left_on.is_not_null() & (Practitioner.left_on < cutoff)
    ).order_by(Practitioner.left_on).order_by(Practitioner.id)  # fmt: skip
    due = [(r["id"], r["left_on"]) for r in rows]
    if dry_run:
        old = await AuditEntry.count().where(AuditEntry.at < audit_cutoff)
        return RetentionReport(cutoff, due, 0, audit_cutoff, int(old))
    erased = 0
    for practitioner_id, _ in due:
        try:
            async with write_tx():  # one leaver at a time: the writer lock is never held for the whole sweep
                await _erase(None, practitioner_id, "retention rule")
        except Conflict:  # still someone's line manager: next night, once they have a new one
            continue
        erased += 1
    purged = await audit.purge(audit_cutoff)
    return RetentionReport(cutoff, due, erased, audit_cutoff, purged)
