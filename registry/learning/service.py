"""Use cases of the learning log: records, goals and needs of one practitioner, and the learning CSV import."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from typing import Any

from anyio import to_thread
from pydantic import ValidationError

from registry import clock
from registry.accounts.rules import Role, Viewer, can_see_practitioner
from registry.csv_import import CsvRow, read_csv, refused
from registry.db import batches, write_tx
from registry.errors import Forbidden, Invalid, NotFound, refuse_cleared
from registry.learning.rules import can_read_reflection, completion_problem, may_manage_own_learning, may_record_need
from registry.learning.schemas import (
    CompetenceOut,
    GoalIn,
    GoalOut,
    LearningNeedIn,
    LearningNeedOut,
    LearningRecordIn,
    LearningRecordOut,
    LearningRecordPatch,
)
from registry.learning.tables import (
    Competence,
    Framework,
    LearningNeed,
    LearningRecord,
    LearningRecordCompetence,
    PlGoal,
)
from registry.people import managers
from registry.people.service import ImportResult
from registry.people.tables import Practitioner
from registry.validation import problems_from

__all__ = (
    "LEARNING_COLUMNS",
    "PractitionerRef",
    "add_goal",
    "competence_ids",
    "competences_of",
    "create_record",
    "delete_record",
    "get_record",
    "import_learning",
    "list_competences",
    "list_goals",
    "list_needs",
    "list_records",
    "practitioner_ref",
    "record_attended_event",
    "record_need",
    "record_out",
    "record_own_learning",
    "record_row",
    "remove_attended_event",
    "update_record",
)

log = logging.getLogger(__name__)
LEARNING_COLUMNS = ("email", "completed_on", "title", "kind", "hours", "competences", "protected_time", "reflection")
LEARNING_REQUIRED = ("email", "completed_on", "title", "kind", "hours", "competences")

PractitionerRef = dict[str, Any]
"""id, email, manager_email, organisation (id), weekly_hours, started_on, left_on, given_name, family_name,
and manager_since (the day the viewer became this person's line manager, when they are)."""

_REF_COLUMNS = (
    Practitioner.id,
    Practitioner.email,
    Practitioner.manager_email,
    Practitioner.organisation,
    Practitioner.weekly_hours,
    Practitioner.started_on,
    Practitioner.left_on,
    Practitioner.given_name,
    Practitioner.family_name,
)


async def practitioner_ref(viewer: Viewer, practitioner_id: int) -> PractitionerRef:
    """The practitioner if the viewer may see them; otherwise NotFound (their existence is not confirmed)."""
    row: PractitionerRef | None = (
        await Practitioner.select(*_REF_COLUMNS).where(Practitioner.id == practitioner_id).first()
    )
    if row is None or not can_see_practitioner(viewer, row["id"], row["organisation"], row["manager_email"]):
        raise NotFound("No such practitioner")
    row["manager_since"] = None
    if row["manager_email"] and row["manager_email"] == viewer.email.lower():
        row["manager_since"] = await managers.manager_since(practitioner_id, row["manager_email"])
    return row


# ---------------------------------------------------------------- competences


async def _default_framework_id() -> int:
    row = await Framework.select(Framework.id).where(Framework.is_default == True).first()  # noqa: E712
    if row is None:
        raise NotFound("No competence framework is loaded")
    return int(row["id"])


async def list_competences(include_values: bool = False) -> list[CompetenceOut]:
    """The default framework's competences in order (and its values, if asked)."""
    # One query on every page that shows competences; the framework is looked up apart only to say why
    # there are none.
    # Written as SQL: asked on most pages (registry.db.columns_of says why).
    rows = await Competence.raw(
        "SELECT c.code, c.title, c.kind FROM competence c JOIN framework f ON f.id = c.framework "
        "WHERE f.is_default = {} AND (c.kind = 'competence' OR {}) ORDER BY c.position",
        True,
        include_values,
    )
    if not rows:
        await _default_framework_id()
    return [CompetenceOut(**row) for row in rows]


async def competence_ids(codes: list[str]) -> dict[str, int]:
    """Codes → ids in the default framework; Invalid names the unknown ones."""
    rows = await Competence.select(Competence.id, Competence.code).where(
        (Competence.framework == await _default_framework_id())
        & (Competence.kind == "competence")
        & Competence.code.is_in(list(set(codes)) or [""])
    )
    known = {r["code"]: r["id"] for r in rows}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid({"competences": f"unknown competence {', '.join(unknown)}"})
    return known


# ---------------------------------------------------------------- learning records


def _require_owner(viewer: Viewer, practitioner: PractitionerRef) -> None:
    if not may_manage_own_learning(viewer, practitioner["id"]):
        raise Forbidden("Only the practitioner can change their own learning log")


async def competences_of(record_ids: list[int]) -> dict[int, list[str]]:
    if not record_ids:
        return {}
    rows = (
        await LearningRecordCompetence.select(
            LearningRecordCompetence.record, LearningRecordCompetence.competence.code.as_alias("code")
        )
        .where(LearningRecordCompetence.record.is_in(record_ids))
        .order_by(LearningRecordCompetence.competence.position)
    )
    codes: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        codes[row["record"]].append(row["code"])
    return codes


def record_out(
    viewer: Viewer, practitioner: PractitionerRef, row: dict[str, Any], codes: list[str]
) -> LearningRecordOut:
    private = can_read_reflection(
        viewer,
        practitioner["id"],
        practitioner["manager_email"],
        practitioner.get("manager_since"),
        row["verifier_email"],
        clock.local_date(row["created_at"]),
    )
    return LearningRecordOut(
        id=row["id"],
        practitioner_id=row["practitioner"],
        title=row["title"],
        kind=row["kind"],
        completed_on=row["completed_on"],
        hours=row["hours"],
        competences=codes,
        goal_id=row["goal"],
        protected_time=row["protected_time"],
        evidence_url=row["evidence_url"],
        source=row["source"],
        reflection=row["reflection"] if private else None,
        verification_state=row["verification_state"],
        verifier_email=row["verifier_email"],
        review_note=row["review_note"] if private else None,
        return_comment=row["return_comment"] if private else None,
        verified_at=row["verified_at"],
        verified_by=row["verified_by_email"],
    )


async def list_records(
    viewer: Viewer, practitioner_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[LearningRecordOut], int]:
    """A practitioner's learning, newest first; reflections only for those allowed to read them."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    where = LearningRecord.practitioner == practitioner_id
    rows = (
        await LearningRecord.select()
        .where(where)
        .order_by(LearningRecord.completed_on, ascending=False)
        .order_by(LearningRecord.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    codes = await competences_of([r["id"] for r in rows])
    return [
        record_out(viewer, practitioner, r, codes.get(r["id"], [])) for r in rows
    ], await LearningRecord.count().where(where)


async def record_row(practitioner_id: int, record_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await LearningRecord.select()
        .where((LearningRecord.id == record_id) & (LearningRecord.practitioner == practitioner_id))
        .first()
    )
    if row is None:
        raise NotFound("No such learning record")
    return row


async def get_record(viewer: Viewer, practitioner_id: int, record_id: int) -> LearningRecordOut:
    practitioner = await practitioner_ref(viewer, practitioner_id)
    row = await record_row(practitioner_id, record_id)
    return record_out(viewer, practitioner, row, (await competences_of([record_id])).get(record_id, []))


async def _check_goal(practitioner_id: int, goal_id: int | None) -> None:
    if goal_id is not None and not await PlGoal.exists().where(
        (PlGoal.id == goal_id) & (PlGoal.practitioner == practitioner_id)
    ):
        raise Invalid({"goal_id": "choose one of your own PL goals"})


async def _insert_record(practitioner_id: int, data: LearningRecordIn, ids: dict[str, int], source: str) -> int:
    now = clock.now()
    fields = data.model_dump(exclude={"competences", "goal_id", "evidence_url"})
    inserted = await LearningRecord.insert(
        LearningRecord(
            **fields,
            practitioner=practitioner_id,
            goal=data.goal_id,
            evidence_url=str(data.evidence_url) if data.evidence_url else None,
            source=source,
            created_at=now,
            updated_at=now,
        )
    ).returning(LearningRecord.id)
    record_id = int(inserted[0]["id"])
    await LearningRecordCompetence.insert(
        *[LearningRecordCompetence(record=record_id, competence=ids[c]) for c in dict.fromkeys(data.competences)]
    )
    return record_id


def _check_completion(completed_on: date | None) -> None:
    if completed_on is not None and (problem := completion_problem(completed_on, clock.today())):
        raise Invalid({"completed_on": problem})


async def create_record(viewer: Viewer, practitioner_id: int, data: LearningRecordIn) -> LearningRecordOut:
    """The practitioner logs a piece of learning against one or more competences."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    _require_owner(viewer, practitioner)
    _check_completion(data.completed_on)
    ids = await competence_ids(data.competences)
    await _check_goal(practitioner_id, data.goal_id)
    async with write_tx():
        record_id = await _insert_record(practitioner_id, data, ids, "self")
    log.info("%s logged learning record %s (%s h)", viewer.email, record_id, data.hours)
    return await get_record(viewer, practitioner_id, record_id)


async def record_own_learning(viewer: Viewer, practitioner_id: int, data: LearningRecordIn) -> int:
    """The practitioner's own learning record, written inside the caller's transaction (an approved time
    request's learning, logged with the request: learning_time/requests.py)."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    _require_owner(viewer, practitioner)
    _check_completion(data.completed_on)
    record_id = await _insert_record(practitioner_id, data, await competence_ids(data.competences), "self")
    log.info("%s logged learning record %s (%s h)", viewer.email, record_id, data.hours)
    return record_id


async def update_record(
    viewer: Viewer, practitioner_id: int, record_id: int, patch: LearningRecordPatch
) -> LearningRecordOut:
    """Change a record; a change to a verified or waiting record sends it back to unverified."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    _require_owner(viewer, practitioner)
    await record_row(practitioner_id, record_id)
    changes: dict[Any, Any] = patch.model_dump(exclude_unset=True)
    refuse_cleared(changes, LearningRecordPatch.NOT_NULL)
    _check_completion(changes.get("completed_on"))
    competences = changes.pop("competences", None)
    ids = await competence_ids(competences) if competences else {}
    if "goal_id" in changes:
        await _check_goal(practitioner_id, changes["goal_id"])
        changes["goal"] = changes.pop("goal_id")
    if "evidence_url" in changes:
        changes["evidence_url"] = str(changes["evidence_url"]) if changes["evidence_url"] else None
    async with write_tx():
        await LearningRecord.update(
            {
                **changes,
                "updated_at": clock.now(),
                # What the verifier reviewed is no longer what is recorded.
                "verification_state": "none",
                "verified_at": None,
                "verified_by_email": None,
                "verification_requested_at": None,
            }
        ).where(LearningRecord.id == record_id)
        if competences:
            await LearningRecordCompetence.delete().where(LearningRecordCompetence.record == record_id)
            await LearningRecordCompetence.insert(
                *[LearningRecordCompetence(record=record_id, competence=ids[c]) for c in dict.fromkeys(competences)]
            )
    log.info("%s changed learning record %s: %s", viewer.email, record_id, sorted(map(str, changes)))
    return await get_record(viewer, practitioner_id, record_id)


async def delete_record(viewer: Viewer, practitioner_id: int, record_id: int) -> None:
    practitioner = await practitioner_ref(viewer, practitioner_id)
    _require_owner(viewer, practitioner)
    await record_row(practitioner_id, record_id)
    async with write_tx():
        await LearningRecord.delete().where(LearningRecord.id == record_id)
    log.info("%s deleted learning record %s", viewer.email, record_id)


# ---------------------------------------------------------------- goals and needs


async def list_goals(viewer: Viewer, practitioner_id: int) -> list[GoalOut]:
    await practitioner_ref(viewer, practitioner_id)
    rows = await PlGoal.select().where(PlGoal.practitioner == practitioner_id).order_by(PlGoal.created_at)
    return [GoalOut(**{**r, "practitioner_id": r["practitioner"]}) for r in rows]


async def add_goal(viewer: Viewer, practitioner_id: int, data: GoalIn) -> GoalOut:
    practitioner = await practitioner_ref(viewer, practitioner_id)
    _require_owner(viewer, practitioner)
    async with write_tx():
        inserted = await PlGoal.insert(
            PlGoal(practitioner=practitioner_id, title=data.title, description=data.description, created_at=clock.now())
        ).returning(PlGoal.id)
    log.info("%s added PL goal %s", viewer.email, inserted[0]["id"])
    return next(g for g in await list_goals(viewer, practitioner_id) if g.id == inserted[0]["id"])


async def list_needs(
    viewer: Viewer, practitioner_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[LearningNeedOut], int]:
    """A page of a practitioner's learning needs, newest first, and how many there are (paged in SQL)."""
    await practitioner_ref(viewer, practitioner_id)
    return await _needs_where(LearningNeed.practitioner == practitioner_id, limit, offset)


async def _needs_where(where: Any, limit: int, offset: int) -> tuple[list[LearningNeedOut], int]:
    rows = (
        await LearningNeed.select(
            LearningNeed.id,
            LearningNeed.practitioner,
            LearningNeed.competence.code.as_alias("competence"),
            LearningNeed.description,
            LearningNeed.recorded_by_email,
            LearningNeed.recorded_on,
        )
        .where(where)
        .order_by(LearningNeed.recorded_on, ascending=False)
        .order_by(LearningNeed.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    items = [
        LearningNeedOut(
            id=r["id"], practitioner_id=r["practitioner"], competence=r["competence"], description=r["description"],
            recorded_by=r["recorded_by_email"], recorded_on=r["recorded_on"],
        )
        for r in rows
    ]  # fmt: skip
    return items, int(await LearningNeed.count().where(where))


async def record_need(viewer: Viewer, practitioner_id: int, data: LearningNeedIn) -> LearningNeedOut:
    """The practitioner or their line manager records a learning need against a competence."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    if not may_record_need(viewer, practitioner["id"], practitioner["manager_email"]):
        raise Forbidden("Only the practitioner or their line manager can record their learning needs")
    ids = await competence_ids([data.competence])
    async with write_tx():
        inserted = await LearningNeed.insert(
            LearningNeed(
                practitioner=practitioner_id,
                competence=ids[data.competence],
                description=data.description,
                recorded_by_email=viewer.email,
                recorded_on=clock.today(),
                recorded_at=clock.now(),
            )
        ).returning(LearningNeed.id)
    log.info("%s recorded learning need %s for practitioner %s", viewer.email, inserted[0]["id"], practitioner_id)
    items, _ = await _needs_where(LearningNeed.id == inserted[0]["id"], 1, 0)
    return items[0]


# ---------------------------------------------------------------- from attendance


async def record_attended_event(
    practitioner_id: int, title: str, completed_on: date, hours: float, competence_ids: list[int]
) -> int:
    """The learning record an attended event makes (inside the caller's transaction): protected time,
    source ``event``. The events area asks for it here rather than writing this area's tables."""
    now = clock.now()
    inserted = await LearningRecord.insert(
        LearningRecord(
            practitioner=practitioner_id, title=title, kind="event", completed_on=completed_on, hours=hours,
            protected_time=True, source="event", created_at=now, updated_at=now,
        )
    ).returning(LearningRecord.id)  # fmt: skip
    record_id = int(inserted[0]["id"])
    if competence_ids:
        await LearningRecordCompetence.insert(
            *[LearningRecordCompetence(record=record_id, competence=c) for c in competence_ids]
        )
    return record_id


async def remove_attended_event(record_id: int) -> None:
    """Attendance un-marked: the record it made goes (inside the caller's transaction)."""
    await LearningRecord.delete().where((LearningRecord.id == record_id) & (LearningRecord.source == "event"))


# ---------------------------------------------------------------- import


async def import_learning(viewer: Viewer, text: str) -> ImportResult:
    """All or nothing: ``email,completed_on,title,kind,hours,competences,protected_time,reflection``."""
    if viewer.role not in {Role.LEAD, Role.ADMIN}:
        raise Forbidden("Only alliance leads and admins can import learning records")
    rows, problems = await to_thread.run_sync(read_csv, text, LEARNING_REQUIRED)
    practitioners: dict[str, int] = {}
    for emails in batches({row.cells.get("email", "").lower() for row in rows}):
        for r in await Practitioner.select(Practitioner.email, Practitioner.id).where(Practitioner.email.is_in(emails)):
            practitioners[r["email"]] = r["id"]
    framework = await _default_framework_id()
    known_codes = {
        r["code"]: r["id"]
        for r in await Competence.select(Competence.code, Competence.id).where(
            (Competence.framework == framework) & (Competence.kind == "competence")
        )
    }
    valid, problems = await to_thread.run_sync(_check_learning_rows, rows, problems, practitioners, known_codes)
    if problems:
        raise refused(problems)
    async with write_tx():
        for practitioner_id, record in valid:
            await _insert_record(practitioner_id, record, known_codes, "self")
    log.info("%s imported %s learning records", viewer.email, len(valid))
    return ImportResult(created=len(valid), updated=0)


def _check_learning_rows(
    rows: list[CsvRow], problems: list[str], practitioners: dict[str, int], known_codes: dict[str, int]
) -> tuple[list[tuple[int, LearningRecordIn]], list[str]]:
    """Check every row of a learning file (CPU only: run off the event loop)."""
    valid: list[tuple[int, LearningRecordIn]] = []
    today = clock.today()
    for row in rows:
        cells = {c: row.cells.get(c, "") for c in LEARNING_COLUMNS}
        email = cells.pop("email").lower()
        if not email:
            problems.append(f"line {row.line}: email: is required")
        elif email not in practitioners:
            problems.append(f"line {row.line}: email: no practitioner with email {email}")
        protected = cells.pop("protected_time").lower()
        if protected not in {"", "yes", "no"}:
            problems.append(f"line {row.line}: protected_time: must be yes or no")
        try:
            record = LearningRecordIn.model_validate({**cells, "protected_time": protected == "yes"})
        except ValidationError as exc:
            problems.extend(f"line {row.line}: {field}: {problem}" for field, problem in problems_from(exc).items())
            continue
        if problem := completion_problem(record.completed_on, today):
            problems.append(f"line {row.line}: completed_on: {problem}")
            continue
        unknown = [c for c in record.competences if c not in known_codes]
        if unknown:
            problems.append(f"line {row.line}: competences: unknown competence {', '.join(unknown)}")
        elif email in practitioners:
            valid.append((practitioners[email], record))
    return valid, problems
