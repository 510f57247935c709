"""The CLDSC renewal evidence pack: one practitioner's cycle in the shape CLDSC asks for, as a page and a CSV.

CLDSC asks that a PL record holds PL goals; activities with date, description and time; a reflection on
each; a note of the review with the verifier; and the hours against the pro-rata requirement. The pack
is the practitioner's own evidence, so only they and their line manager (who usually verifies it and
prepares them for renewal) may produce it; anyone else who can see the practitioner gets 403.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from registry import clock
from registry.accounts.rules import Viewer, is_self
from registry.csv_export import spreadsheet_text
from registry.errors import Forbidden
from registry.learning.progress import current_cycle, progress
from registry.learning.rules import Period, can_read_reflection, financial_year
from registry.learning.schemas import GoalOut, Progress
from registry.learning.service import PractitionerRef, competences_of, list_goals, practitioner_ref
from registry.learning.tables import LearningRecord
from registry.people.tables import Organisation, Practitioner
from registry.registration import history as registration
from registry.settings import get_settings

__all__ = (
    "CSV_COLUMNS",
    "PackActivity",
    "RenewalPack",
    "build_pack",
    "csv_filename",
    "may_produce_pack",
    "pack_csv",
    "pack_period",
)

CSV_COLUMNS = (
    "completed_on", "title", "kind", "hours", "competences", "protected_time", "reflection",
    "verification_state", "verified_by", "verified_at", "review_note",
)  # fmt: skip


class PackActivity(BaseModel):
    """One piece of learning as the pack shows it."""

    completed_on: date
    title: str
    kind: str
    hours: float
    competences: list[str]
    protected_time: bool
    reflection: str | None
    verification_state: str
    verifier_email: str | None
    verified_by: str | None
    verified_by_name: str | None
    verified_at: datetime | None
    review_note: str | None
    """The verifier's note of the reflective discussion; only on records verified as they now stand."""
    attended_booking_id: int | None = None
    """The booking whose attendance made this record: its certificate of attendance is evidence for CLDSC."""


class RenewalPack(BaseModel):
    """A practitioner's professional learning over one period, for CLDSC renewal."""

    practitioner_id: int
    given_name: str
    family_name: str
    email: str
    organisation: str
    weekly_hours: float
    registration_status: str
    membership_number: str | None
    renewal_due: date | None
    generated_on: date
    goals: list[GoalOut]
    activities: list[PackActivity]
    totals: Progress
    """Hours against the requirement over the pack's period (its label, start and end are the period's)."""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def may_produce_pack(viewer: Viewer, practitioner_id: int, manager_email: str | None) -> bool:
    """The practitioner themself and their line manager; not partner admins, leads or admins."""
    email = viewer.email.lower()
    return is_self(viewer, practitioner_id) or (manager_email is not None and email == manager_email.lower())


def pack_period(cycle: Period | None, today: date) -> Period:
    """The registration cycle running today or, for someone not registered, the current reporting year."""
    if cycle is not None:
        return cycle
    year = financial_year(today)
    return Period(year.start, year.end, f"Reporting year {year.label}")


async def _names(emails: set[str]) -> dict[str, str]:
    if not emails:
        return {}
    rows = await Practitioner.select(Practitioner.email, Practitioner.given_name, Practitioner.family_name).where(
        Practitioner.email.is_in(sorted(emails))
    )
    return {r["email"]: f"{r['given_name']} {r['family_name']}" for r in rows}


async def attendance_bookings(record_ids: list[int]) -> dict[int, int]:
    """Record id → the attended booking that made it (records from events), in one query."""
    if not record_ids:
        return {}
    marks = ", ".join("{}" for _ in record_ids)
    rows = await LearningRecord.raw(
        f"SELECT id, learning_record FROM booking WHERE status = 'attended' AND learning_record IN ({marks})",
        *record_ids,
    )
    return {int(r["learning_record"]): int(r["id"]) for r in rows}


async def _activities(viewer: Viewer, practitioner: PractitionerRef, period: Period) -> list[PackActivity]:
    rows: list[dict[str, Any]] = (
        await LearningRecord.select(
            LearningRecord.id, LearningRecord.completed_on, LearningRecord.title, LearningRecord.kind,
            LearningRecord.hours, LearningRecord.protected_time, LearningRecord.source, LearningRecord.reflection,
            LearningRecord.verification_state, LearningRecord.verifier_email, LearningRecord.review_note,
            LearningRecord.verified_at, LearningRecord.verified_by_email, LearningRecord.created_at,
        )
        .where(
            (LearningRecord.practitioner == practitioner["id"])
            & (LearningRecord.completed_on >= period.start)
            & (LearningRecord.completed_on <= period.end)
        )
        .order_by(LearningRecord.completed_on)
        .order_by(LearningRecord.id)
    )  # fmt: skip
    codes = await competences_of([r["id"] for r in rows])
    attended = await attendance_bookings([r["id"] for r in rows if r["source"] == "event"])
    names = await _names({r["verified_by_email"] for r in rows if r["verified_by_email"]})
    activities = []
    for row in rows:
        private = can_read_reflection(
            viewer, practitioner["id"], practitioner["manager_email"], practitioner.get("manager_since"),
            row["verifier_email"], clock.local_date(row["created_at"]),
        )
        verified = row["verification_state"] == "verified"
        activities.append(
            PackActivity(
                completed_on=row["completed_on"],
                title=row["title"],
                kind=row["kind"],
                hours=row["hours"],
                competences=codes.get(row["id"], []),
                # Attendance-created records always count as protected time, as in the totals.
                protected_time=bool(row["protected_time"]) or row["source"] == "event",
                reflection=row["reflection"] if private else None,
                verification_state=row["verification_state"],
                verifier_email=row["verifier_email"],
                verified_by=row["verified_by_email"] if verified else None,
                verified_by_name=names.get(row["verified_by_email"] or "") if verified else None,
                verified_at=row["verified_at"] if verified else None,
                # A changed record keeps its old note but is no longer what the verifier reviewed.
                review_note=row["review_note"] if private and verified else None,
                attended_booking_id=attended.get(row["id"]),
            )
        )
    return activities


async def build_pack(viewer: Viewer, practitioner_id: int) -> RenewalPack:
    """The evidence pack of the current cycle; NotFound outside the viewer's scope, Forbidden within it."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    if not may_produce_pack(viewer, practitioner["id"], practitioner["manager_email"]):
        raise Forbidden("Only the practitioner and their line manager can produce the renewal evidence pack")
    today = clock.today()
    period = pack_period(await current_cycle(practitioner_id, today), today)
    summary = (await registration.summary_on([practitioner_id], today))[practitioner_id]
    status, number, renewal_due = summary.status, summary.membership_number, summary.renewal_due
    organisation = (
        await Organisation.select(Organisation.name).where(Organisation.id == practitioner["organisation"]).first()
    )
    goals = [
        goal
        for goal in await list_goals(viewer, practitioner_id)
        if goal.achieved_on is None or goal.achieved_on >= period.start
    ]
    return RenewalPack(
        practitioner_id=practitioner_id,
        given_name=practitioner["given_name"],
        family_name=practitioner["family_name"],
        email=practitioner["email"],
        organisation=organisation["name"] if organisation else "",
        weekly_hours=practitioner["weekly_hours"],
        registration_status=status,
        membership_number=number,
        renewal_due=renewal_due,
        generated_on=today,
        goals=goals,
        activities=await _activities(viewer, practitioner, period),
        totals=await progress(practitioner, period),
    )


# ---------------------------------------------------------------- CSV


def _hours(value: float) -> str:
    return f"{value:g}"


def pack_csv(pack: RenewalPack) -> str:
    """One row per activity, oldest first; a blank line; then the totals, labelled in ``title``, in ``hours``.

    Starts with a byte-order mark so that Excel reads it as UTF-8 (the import side accepts one too).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    zone = get_settings().zone
    for a in pack.activities:
        writer.writerow(
            [
                a.completed_on.isoformat(),
                spreadsheet_text(a.title),
                a.kind,
                _hours(a.hours),
                ";".join(a.competences),
                "yes" if a.protected_time else "no",
                spreadsheet_text(a.reflection),
                a.verification_state,
                spreadsheet_text(a.verified_by),
                a.verified_at.astimezone(zone).isoformat(timespec="minutes") if a.verified_at else "",
                spreadsheet_text(a.review_note),
            ]
        )
    writer.writerow([])
    totals = pack.totals
    blank = [""] * (len(CSV_COLUMNS) - 5)

    def total(label: str, hours: str, competence: str = "") -> None:
        writer.writerow(["", spreadsheet_text(label), "", hours, competence, *blank])

    total(f"Totals for {totals.label}, {totals.start.isoformat()} to {totals.end.isoformat()}", "")
    total("Required PL hours (pro rata)", _hours(totals.required_pl_hours))
    total("Professional learning hours", _hours(totals.learning_hours))
    total("Verified hours", _hours(totals.verified_hours))
    total("Hours in protected time", _hours(totals.protected_hours))
    for competence in totals.per_competence:
        total(f"{competence.code} {competence.title}", _hours(competence.hours), competence.code)
    return "\ufeff" + out.getvalue()


def csv_filename(pack: RenewalPack) -> str:
    """``renewal-pack-<family name>-<date>.csv`` in plain ASCII, safe in a Content-Disposition header."""
    ascii_name = unicodedata.normalize("NFKD", pack.family_name).encode("ascii", "ignore").decode("ascii")
    family = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "practitioner"
    return f"renewal-pack-{family}-{pack.generated_on.isoformat()}.csv"
