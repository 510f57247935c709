"""Use cases for organisations and practitioners: browse within scope, create, edit, import from HR files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from anyio import to_thread
from piccolo.columns.combination import And, Or

from registry import clock
from registry.accounts.rules import (
    ADMIN_ROLES,
    EDITOR_ROLES,
    Role,
    Viewer,
    can_edit_practitioner,
    can_see_practitioner,
    is_self,
    manager_problem,
    practitioner_scope,
    sign_in_claim_problem,
)
from registry.accounts.tables import User
from registry.audit import service as audit
from registry.db import batches, contains, is_integrity_error, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound, refuse_cleared
from registry.people import email_changes, hours, managers
from registry.people.employment import employed_on
from registry.people.rules import (
    ORGANISATION_REQUIRED,
    PRACTITIONER_REQUIRED,
    PractitionerRow,
    RowCheck,
    check_organisation_rows,
    check_practitioner_rows,
    read_csv,
    refused,
)
from registry.people.schemas import (
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PractitionerIn,
    PractitionerOut,
    PractitionerPatch,
)
from registry.people.tables import Organisation, Practitioner
from registry.privacy.rules import ERASED
from registry.registration import history as registration
from registry.registration.rules import ACTIVE_STATUSES

__all__ = (
    "ImportResult",
    "PractitionerFilter",
    "create_organisation",
    "create_practitioner",
    "decide_email_change",
    "employed_on",
    "filter_options",
    "get_editable_practitioner",
    "get_organisation",
    "get_practitioner",
    "import_organisations",
    "import_practitioners",
    "line_manager_history",
    "list_organisations",
    "list_practitioners",
    "organisation_by_code",
    "organisation_choices",
    "own_practitioner_id",
    "update_organisation",
    "update_practitioner",
)

log = logging.getLogger(__name__)

_ORG_COLUMNS = (Organisation.id, Organisation.code, Organisation.name, Organisation.kind, Organisation.local_authority)
_ORG_SQL = f"SELECT {', '.join(c._meta.db_column_name for c in _ORG_COLUMNS)} FROM organisation"
"""``_ORG_COLUMNS`` as SQL, for the look-ups every event page makes (registry.db.columns_of says why)."""
_PRACTITIONER_COLUMNS = (
    Practitioner.id,
    Practitioner.email,
    Practitioner.given_name,
    Practitioner.family_name,
    Practitioner.organisation.code.as_alias("organisation_code"),
    Practitioner.organisation.id.as_alias("organisation_id"),
    Practitioner.job_title,
    Practitioner.contract,
    Practitioner.weekly_hours,
    Practitioner.setting,
    Practitioner.locality,
    Practitioner.practice_areas,
    Practitioner.cld_qualified,
    Practitioner.manager_email,
    Practitioner.started_on,
    Practitioner.left_on,
    Practitioner.erased_at,
)


@dataclass(frozen=True, slots=True)
class PractitionerFilter:
    """What a list of practitioners is narrowed to; None means "any"."""

    q: str | None = None
    organisation: str | None = None
    contract: str | None = None
    setting: str | None = None
    locality: str | None = None
    cldsc_status: str | None = None
    employment: str = "current"
    """``current`` (no leaving date, or one still to come), ``left``, or ``all``."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


# ---------------------------------------------------------------- organisations


async def list_organisations(
    limit: int = 50, offset: int = 0, q: str | None = None
) -> tuple[list[OrganisationOut], int]:
    where: list[Any] = []
    if q:
        where.append(Or(contains(Organisation.name, q), contains(Organisation.code, q)))
    query = Organisation.select(*_ORG_COLUMNS).order_by(Organisation.name).limit(limit).offset(offset)
    count = Organisation.count()
    if where:
        query, count = query.where(*where), count.where(*where)
    return [OrganisationOut(**row) for row in await query], await count


async def organisation_choices() -> list[OrganisationOut]:
    """Every organisation by name, for a form's choices: one query, uncounted (an alliance has tens of them)."""
    return [OrganisationOut(**row) for row in await Organisation.raw(_ORG_SQL + " ORDER BY name")]


async def get_organisation(organisation_id: int) -> OrganisationOut:
    row = await Organisation.select(*_ORG_COLUMNS).where(Organisation.id == organisation_id).first()
    if row is None:
        raise NotFound("No such organisation")
    return OrganisationOut(**row)


async def organisation_by_code(code: str) -> OrganisationOut:
    rows = await Organisation.raw(_ORG_SQL + " WHERE code = {}", code.upper())
    if not rows:
        raise NotFound(f"No organisation with code {code}")
    return OrganisationOut(**rows[0])


def _require_organisation_admin(viewer: Viewer) -> None:
    if viewer.role not in ADMIN_ROLES:
        raise Forbidden("Only alliance leads and admins can change organisations")


async def create_organisation(viewer: Viewer, data: OrganisationIn) -> OrganisationOut:
    _require_organisation_admin(viewer)
    taken = f"An organisation with code {data.code} already exists"
    try:
        async with write_tx():
            if await Organisation.exists().where(Organisation.code == data.code):
                raise Conflict(taken)
            rows = await Organisation.insert(Organisation(**data.model_dump(), created_at=clock.now())).returning(
                Organisation.id
            )
    except Exception as exc:
        # Two requests racing past the check (PostgreSQL runs them side by side) meet the unique code.
        if is_integrity_error(exc):
            raise Conflict(taken) from exc
        raise
    log.info("%s created organisation %s", viewer.email, data.code)
    return await get_organisation(rows[0]["id"])


async def update_organisation(viewer: Viewer, organisation_id: int, patch: OrganisationPatch) -> OrganisationOut:
    _require_organisation_admin(viewer)
    changes: dict[Any, Any] = patch.model_dump(exclude_unset=True)
    refuse_cleared(changes, OrganisationPatch.NOT_NULL)
    async with write_tx():
        if not await Organisation.exists().where(Organisation.id == organisation_id):
            raise NotFound("No such organisation")
        if changes:
            await Organisation.update(changes).where(Organisation.id == organisation_id)
    log.info("%s updated organisation %s: %s", viewer.email, organisation_id, sorted(changes))
    return await get_organisation(organisation_id)


# ---------------------------------------------------------------- practitioners


def _scope_where(viewer: Viewer) -> Any:
    scope = practitioner_scope(viewer)
    if scope.everything:
        return None
    parts: list[Any] = []
    if scope.own_practitioner_id is not None:
        parts.append(Practitioner.id == scope.own_practitioner_id)
    if scope.managed_by:
        parts.append(Practitioner.manager_email == scope.managed_by)
    if scope.organisation_id is not None:
        parts.append(Practitioner.organisation == scope.organisation_id)
    combined = parts[0]
    for part in parts[1:]:
        combined = Or(combined, part)
    return combined


def _filter_where(filters: PractitionerFilter) -> list[Any]:
    today = clock.today()
    where: list[Any] = []
    if filters.q:
        for word in filters.q.split()[:5]:
            where.append(
                Or(
                    Or(contains(Practitioner.given_name, word), contains(Practitioner.family_name, word)),
                    Or(contains(Practitioner.email, word), contains(Practitioner.job_title, word)),
                )
            )
    if filters.organisation:
        where.append(Practitioner.organisation.code == filters.organisation.upper())
    if filters.contract:
        where.append(Practitioner.contract == filters.contract)
    if filters.setting:
        where.append(Practitioner.setting == filters.setting)
    if filters.locality:
        where.append(Practitioner.locality == filters.locality)
    if filters.cldsc_status:
        where.append(registration.status_is(filters.cldsc_status, today))
    if filters.employment == "current":
        where.append(employed_on(today))
    elif filters.employment == "left":
        where.append(And(Practitioner.left_on.is_not_null(), Practitioner.left_on <= today))
    return where


def _practitioner_out(row: dict[str, Any], status: str) -> PractitionerOut:
    areas = [a for a in (row["practice_areas"] or "").split(";") if a]
    fields = {k: v for k, v in row.items() if k not in {"organisation_code", "organisation_id", "practice_areas"}}
    return PractitionerOut(**fields, organisation=row["organisation_code"], practice_areas=areas, cldsc_status=status)


async def list_practitioners(
    viewer: Viewer, filters: PractitionerFilter, limit: int = 50, offset: int = 0
) -> tuple[list[PractitionerOut], int]:
    """A page of the practitioners the viewer may see, narrowed by the filters, by family name."""
    where = _filter_where(filters)
    if (scope := _scope_where(viewer)) is not None:
        where.append(scope)
    query = (
        Practitioner.select(*_PRACTITIONER_COLUMNS)
        .order_by(Practitioner.family_name, Practitioner.given_name, Practitioner.id)
        .limit(limit)
        .offset(offset)
    )
    count = Practitioner.count()
    if where:
        query, count = query.where(*where), count.where(*where)
    rows = await query
    statuses = await registration.statuses_on((r["id"] for r in rows), clock.today())
    return [_practitioner_out(r, statuses[r["id"]]) for r in rows], await count


async def _practitioner_row(practitioner_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Practitioner.select(*_PRACTITIONER_COLUMNS).where(Practitioner.id == practitioner_id).first()
    )
    return row


def _visible(viewer: Viewer, row: dict[str, Any]) -> bool:
    return can_see_practitioner(viewer, row["id"], row["organisation_id"], row["manager_email"])


async def get_practitioner(viewer: Viewer, practitioner_id: int) -> PractitionerOut:
    """One practitioner; someone outside the viewer's scope is reported as not found."""
    row = await _practitioner_row(practitioner_id)
    if row is None or not _visible(viewer, row):
        raise NotFound("No such practitioner")
    return await _one_out(row)


async def _one_out(row: dict[str, Any]) -> PractitionerOut:
    practitioner_id = int(row["id"])
    statuses = await registration.statuses_on([practitioner_id], clock.today())
    pending = (await email_changes.pending_emails([practitioner_id])).get(practitioner_id)
    out = _practitioner_out(row, statuses[practitioner_id])
    return out.model_copy(update={"pending_email": pending.new_email if pending else None})


async def get_editable_practitioner(viewer: Viewer, practitioner_id: int) -> PractitionerOut:
    """A practitioner the viewer may change; others are reported as not found."""
    _require_editor(viewer)
    row = await _practitioner_row(practitioner_id)
    if row is None or not _visible(viewer, row) or not can_edit_practitioner(viewer, row["organisation_id"]):
        raise NotFound("No such practitioner")
    return await _one_out(row)


async def own_practitioner_id(viewer: Viewer) -> int | None:
    """The record the viewer's sign-in is tied to (by id, never by matching the email)."""
    return viewer.practitioner_id


def _require_editor(viewer: Viewer) -> None:
    if viewer.role not in EDITOR_ROLES:
        raise Forbidden("Only partner admins, alliance leads and admins can change practitioner records")


async def _organisation_id(code: str) -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    if row is None:
        raise Invalid({"organisation": f"unknown organisation {code}"})
    return int(row["id"])


def _columns(data: dict[Any, Any]) -> dict[Any, Any]:
    if "practice_areas" in data:
        data["practice_areas"] = ";".join(data["practice_areas"] or [])
    return data


async def _sign_in_of(practitioner_id: int | None = None, email: str | None = None) -> dict[str, Any] | None:
    """The sign-in tied to a record (by id), or the one using an address."""
    where = User.practitioner == practitioner_id if practitioner_id is not None else User.email == email
    row: dict[str, Any] | None = (
        await User.select(User.id, User.role, User.organisation, User.practitioner).where(where).first()
    )
    return row


def _claim_problem(viewer: Viewer, user: dict[str, Any] | None, record_organisation_id: int) -> str | None:
    """A record's leaving date (and its organisation) reach the sign-in tied to it: only within the viewer's
    role and organisation. A sign-in with no organisation of its own belongs to its record's."""
    if user is None:
        return None
    organisation = user["organisation"] if user["organisation"] is not None else record_organisation_id
    return sign_in_claim_problem(viewer, user["role"], organisation, record_organisation_id)


async def create_practitioner(viewer: Viewer, data: PractitionerIn) -> PractitionerOut:
    _require_editor(viewer)
    organisation_id = await _organisation_id(data.organisation)
    if not can_edit_practitioner(viewer, organisation_id):
        raise Invalid({"organisation": "you can only add practitioners to your own organisation"})
    if problem := manager_problem(viewer, data.manager_email):
        raise Invalid({"manager_email": problem})
    now = clock.now()
    values = _columns(data.model_dump()) | {"organisation": organisation_id, "created_at": now, "updated_at": now}
    try:
        async with write_tx():
            if await Practitioner.exists().where(Practitioner.email == data.email):
                raise Conflict(f"A practitioner with email {data.email} already exists")
            user = await _sign_in_of(email=data.email)
            if user is not None and user["practitioner"] is not None:
                raise Conflict(f"The sign-in {data.email} already belongs to another practitioner record")
            if problem := _claim_problem(viewer, user, organisation_id):
                raise Invalid({"email": problem})
            rows = await Practitioner.insert(Practitioner(**values)).returning(Practitioner.id)
            practitioner_id = int(rows[0]["id"])
            if user is not None:
                await User.update({User.practitioner: practitioner_id}).where(User.id == user["id"])
            await hours.record_hours(
                practitioner_id, data.contract, data.weekly_hours, by_email=viewer.email, from_on=data.started_on
            )
            if data.manager_email:
                person = {"id": practitioner_id, "email": data.email, "given_name": data.given_name}
                await managers.record_manager(
                    person, data.manager_email, by_email=viewer.email, from_on=data.started_on, tell_practitioner=False
                )
    except Exception as exc:
        if is_integrity_error(exc):
            raise Conflict(f"A practitioner with email {data.email} already exists") from exc
        raise
    log.info("%s created practitioner %s", viewer.email, data.email)
    return await get_practitioner(viewer, practitioner_id)


async def update_practitioner(viewer: Viewer, practitioner_id: int, patch: PractitionerPatch) -> PractitionerOut:
    """Change HR fields; partner admins only within their organisation, and only into it.

    Fields that decide access are guarded: nobody names themselves line manager; a leaving date or a move
    reaches the record's sign-in only within the editor's role and organisation; and the email of a record
    someone signs in with, or that holds learning, changes only once confirmed (people/email_changes.py).
    """
    _require_editor(viewer)
    changes: dict[Any, Any] = _columns(patch.model_dump(exclude_unset=True))
    refuse_cleared(changes, PractitionerPatch.NOT_NULL)
    row = await _practitioner_row(practitioner_id)
    if row is None or not _visible(viewer, row) or not can_edit_practitioner(viewer, row["organisation_id"]):
        raise NotFound("No such practitioner")
    if row["erased_at"] is not None:
        raise Conflict(ERASED)
    if "organisation" in changes:
        changes["organisation"] = await _organisation_id(changes["organisation"])
        if not can_edit_practitioner(viewer, changes["organisation"]):
            raise Invalid({"organisation": "you can only move practitioners within your own organisation"})
    started_on = changes.get("started_on", row["started_on"])
    left_on = changes.get("left_on", row["left_on"])
    if left_on is not None and left_on < started_on:
        raise Invalid({"left_on": "must be on or after started_on"})
    new_manager = changes.get("manager_email", row["manager_email"])
    manager_changed = "manager_email" in changes and new_manager != row["manager_email"]
    if manager_changed and (problem := manager_problem(viewer, new_manager)):
        raise Invalid({"manager_email": problem})
    new_email = changes.pop("email", row["email"])
    email_changed = new_email != row["email"]
    user = await _sign_in_of(practitioner_id=practitioner_id)
    reaches_sign_in = ("left_on" in changes and left_on != row["left_on"]) or (
        "organisation" in changes and changes["organisation"] != row["organisation_id"]
    )
    if reaches_sign_in and (problem := _claim_problem(viewer, user, row["organisation_id"])):
        raise Invalid({"left_on" if "left_on" in changes else "organisation": problem})
    if email_changed and user is not None and (problem := _claim_problem(viewer, user, row["organisation_id"])):
        raise Invalid({"email": problem})
    try:
        async with write_tx():
            if email_changed:
                if await email_changes.address_taken(new_email, practitioner_id):
                    raise Conflict(f"{new_email} is already used by another practitioner or sign-in")
                if is_self(viewer, practitioner_id) or not await email_changes.needs_confirmation(practitioner_id):
                    await email_changes.change_now(practitioner_id, row["email"], new_email)
                else:
                    await email_changes.request_change(viewer, row, new_email)
            if changes:
                await Practitioner.update({**changes, "updated_at": clock.now()}).where(
                    Practitioner.id == practitioner_id
                )
            contract = changes.get("contract", row["contract"])
            weekly_hours = changes.get("weekly_hours", row["weekly_hours"])
            if (contract, weekly_hours) != (row["contract"], row["weekly_hours"]):
                await hours.record_hours(
                    practitioner_id, contract, weekly_hours, by_email=viewer.email,
                    from_on=max(clock.today(), started_on),
                )  # fmt: skip
            if manager_changed:
                person = {"id": practitioner_id, "email": row["email"], "given_name": row["given_name"]}
                await managers.record_manager(person, new_manager, by_email=viewer.email)
            await _audit_change(viewer, row, changes, new_email if email_changed else None)
    except Exception as exc:
        if is_integrity_error(exc):
            raise Conflict("That email belongs to another practitioner") from exc
        raise
    log.info("%s updated practitioner %s: %s", viewer.email, practitioner_id, sorted(changes))
    return await get_practitioner(viewer, practitioner_id)


_ACCESS_FIELDS = {"manager_email": "line manager", "organisation": "organisation", "left_on": "leaving date"}


async def _audit_change(viewer: Viewer, row: dict[str, Any], changes: dict[Any, Any], new_email: str | None) -> None:
    """One audit entry per saved change: the fields that decide access with their old and new values, the
    others by name only."""
    old = {"manager_email": row["manager_email"], "organisation": row["organisation_id"], "left_on": row["left_on"]}
    moved = {f: [old[f], changes[f]] for f in _ACCESS_FIELDS if f in changes and changes[f] != old[f]}
    if new_email is not None:
        moved["email"] = [row["email"], new_email]
    others = sorted(f for f in changes if f not in _ACCESS_FIELDS and changes[f] != row.get(f))
    if not moved and not others:
        return
    words = [f"{_ACCESS_FIELDS.get(f, f)} {a or 'none'} → {b or 'none'}" for f, (a, b) in moved.items()]
    words += [", ".join(others)] if others else []
    await audit.record(
        viewer, "practitioner.changed", subject=f"practitioner:{row['id']}",
        summary=f"{row['given_name']} {row['family_name']}: " + "; ".join(words),
        details={**moved, **({"other_fields": others} if others else {})},
    )  # fmt: skip


async def decide_email_change(viewer: Viewer, practitioner_id: int, confirm: bool) -> PractitionerOut:
    """Confirm or decline the pending change of a record's email (the person, or an admin who did not ask)."""
    await get_practitioner(viewer, practitioner_id)
    await email_changes.decide(viewer, practitioner_id, confirm)
    return await get_practitioner(viewer, practitioner_id)


async def line_manager_history(viewer: Viewer, practitioner_id: int) -> list[managers.ManagerChange]:
    """Who has been the practitioner's line manager from which day, for whoever may see the record."""
    await get_practitioner(viewer, practitioner_id)
    return await managers.history(practitioner_id)


async def filter_options(viewer: Viewer) -> dict[str, list[str]]:
    """Values offered in the list's filters: settings and localities recorded within the viewer's scope."""
    options: dict[str, list[str]] = {}
    scope = _scope_where(viewer)
    for column in (Practitioner.setting, Practitioner.locality):
        query = Practitioner.select(column).distinct().where(column.is_not_null()).order_by(column)
        if scope is not None:
            query = query.where(scope)
        options[column._meta.name] = [row[column._meta.name] for row in await query]
    if scope is not None:  # only the organisations of the people the viewer may see (all of them for leads)
        codes = Practitioner.select(Practitioner.organisation.code.as_alias("code")).distinct().where(scope)
        options["organisations"] = sorted(str(r["code"]) for r in await codes)
    return options


# ---------------------------------------------------------------- imports


def _require_importer(viewer: Viewer, kind: str) -> None:
    allowed = ADMIN_ROLES if kind == "organisations" else EDITOR_ROLES
    if viewer.role not in allowed:
        raise Forbidden(f"Your role cannot import {kind}")


def _read_organisations(text: str) -> RowCheck[tuple[int, OrganisationIn]]:
    """Parse and check a whole organisations file (CPU only: run off the event loop)."""
    rows, problems = read_csv(text, ORGANISATION_REQUIRED)
    check = check_organisation_rows(rows)
    check.problems[:0] = problems
    return check


def _read_practitioners(
    text: str, organisations: dict[str, int], allowed: list[str] | None
) -> RowCheck[PractitionerRow]:
    """Parse and check a whole practitioners file (CPU only: run off the event loop)."""
    rows, problems = read_csv(text, PRACTITIONER_REQUIRED)
    check = check_practitioner_rows(rows, organisations, allowed)
    check.problems[:0] = problems
    return check


async def import_organisations(viewer: Viewer, text: str) -> ImportResult:
    """All or nothing: every bad row is reported and nothing is written unless every row is good."""
    _require_importer(viewer, "organisations")
    check = await to_thread.run_sync(_read_organisations, text)
    if check.problems:
        raise refused(check.problems)
    created = updated = 0
    async with write_tx():
        existing = {r["code"]: r["id"] for r in await Organisation.select(Organisation.code, Organisation.id)}
        for _line, org in check.rows:
            if org.code in existing:
                await Organisation.update(dict[Any, Any](org.model_dump(exclude={"code"}))).where(
                    Organisation.id == existing[org.code]
                )
                updated += 1
            else:
                await Organisation.insert(Organisation(**org.model_dump(), created_at=clock.now()))
                created += 1
    result = ImportResult(created, updated)
    log.info("%s imported organisations: %s", viewer.email, result)
    return result


async def _import_sign_ins(
    viewer: Viewer, rows: list[Any], current: dict[str, dict[str, Any]], organisations: dict[str, int]
) -> dict[str, int]:
    """Check the access-deciding columns of an import against the sign-ins they reach (inside the import's
    transaction); returns the sign-ins to tie to the new records (email → user id). Any problem refuses the
    whole file, as every other problem does."""
    problems: list[str] = []
    users: dict[str, dict[str, Any]] = {}
    for emails in batches(row.practitioner.email for row in rows):
        for u in await User.select(User.id, User.email, User.role, User.organisation, User.practitioner).where(
            User.email.is_in(emails)
        ):
            users[u["email"]] = u
    tied: dict[int, dict[str, Any]] = {}
    for ids in batches(r["id"] for r in current.values()):
        for u in await User.select(User.id, User.role, User.organisation, User.practitioner).where(
            User.practitioner.is_in(ids)
        ):
            tied[u["practitioner"]] = u
    to_tie: dict[str, int] = {}
    for row in rows:
        data = row.practitioner
        organisation_id = organisations[data.organisation]
        before = current.get(data.email)
        if data.manager_email != (before["manager_email"] if before else None) and (
            problem := manager_problem(viewer, data.manager_email)
        ):
            problems.append(f"line {row.line}: manager_email: {problem}")
        if before is None:
            user = users.get(data.email)
            if user is not None and user["practitioner"] is not None:
                problems.append(f"line {row.line}: email: the sign-in {data.email} belongs to another record")
            elif problem := _claim_problem(viewer, user, organisation_id):
                problems.append(f"line {row.line}: email: {problem}")
            elif user is not None:
                to_tie[data.email] = int(user["id"])
        elif (data.left_on != before["left_on"] or organisation_id != before["organisation"]) and (
            problem := _claim_problem(viewer, tied.get(before["id"]), before["organisation"])
        ):
            problems.append(f"line {row.line}: left_on: {problem}")
    if problems:
        raise refused(problems)
    return to_tie


async def import_practitioners(viewer: Viewer, text: str) -> ImportResult:
    """All or nothing; re-importing an email updates that record, and leavers are marked, never deleted."""
    _require_importer(viewer, "practitioners")
    organisations = {r["code"]: r["id"] for r in await Organisation.select(Organisation.code, Organisation.id)}
    allowed = None
    if viewer.role is Role.PARTNER_ADMIN:
        allowed = [code for code, oid in organisations.items() if oid == viewer.organisation_id]
    check = await to_thread.run_sync(_read_practitioners, text, organisations, allowed)
    if check.problems:
        raise refused(check.problems)
    created = updated = 0
    today = clock.today()
    now = clock.now()
    async with write_tx():
        current: dict[str, dict[str, Any]] = {}
        for emails in batches(row.practitioner.email for row in check.rows):
            for r in await Practitioner.select(
                Practitioner.email, Practitioner.id, Practitioner.manager_email, Practitioner.given_name,
                Practitioner.left_on, Practitioner.organisation, Practitioner.contract, Practitioner.weekly_hours,
            ).where(Practitioner.email.is_in(emails)):  # fmt: skip
                current[r["email"]] = r
        existing = {email: r["id"] for email, r in current.items()}
        if allowed is not None:
            foreign = sorted(e for e, r in current.items() if r["organisation"] != viewer.organisation_id)
            if foreign:
                raise Invalid([f"email: {', '.join(foreign)} belong(s) to another organisation"],
                              detail="nothing was imported")  # fmt: skip
        sign_ins = await _import_sign_ins(viewer, check.rows, current, organisations)
        recorded: dict[int, tuple[str, date | None, str | None]] = {}
        for ids in batches(existing.values()):
            recorded |= await registration.latest_changes(ids)
        for row in check.rows:
            data = row.practitioner
            values = _columns(data.model_dump()) | {"organisation": organisations[data.organisation], "updated_at": now}
            practitioner_id = existing.get(data.email)
            person = {"email": data.email, "given_name": data.given_name}
            if practitioner_id is None:
                inserted = await Practitioner.insert(Practitioner(**values, created_at=now)).returning(Practitioner.id)
                practitioner_id = int(inserted[0]["id"])
                created += 1
                if data.email in sign_ins:
                    await User.update({User.practitioner: practitioner_id}).where(User.id == sign_ins[data.email])
                await hours.record_hours(
                    practitioner_id, data.contract, data.weekly_hours, by_email=viewer.email, from_on=data.started_on
                )
                if data.manager_email:
                    await managers.record_manager(
                        person | {"id": practitioner_id}, data.manager_email, by_email=viewer.email,
                        from_on=data.started_on, tell_practitioner=False,
                    )  # fmt: skip
            else:
                await Practitioner.update(values).where(Practitioner.id == practitioner_id)
                updated += 1
                was = current[data.email]
                if (data.contract, data.weekly_hours) != (was["contract"], was["weekly_hours"]):
                    await hours.record_hours(
                        practitioner_id, data.contract, data.weekly_hours, by_email=viewer.email,
                        from_on=max(today, data.started_on),
                    )  # fmt: skip
                if data.manager_email != current[data.email]["manager_email"]:
                    await managers.record_manager(
                        person | {"id": practitioner_id}, data.manager_email, by_email=viewer.email
                    )
            cldsc = row.cldsc
            renewal_due = cldsc.renewal_due if cldsc and cldsc.status in ACTIVE_STATUSES else None
            latest = recorded.get(practitioner_id)
            # Only a change is appended: re-importing the same file adds no history.
            if cldsc is not None and (
                latest is None
                or latest[0] != cldsc.status
                or (cldsc.number and latest[2] != cldsc.number)
                or (renewal_due and latest[1] != renewal_due)
            ):
                await registration.append_change(
                    practitioner_id,
                    cldsc.status,
                    cldsc.since or today,
                    membership_number=cldsc.number,
                    renewal_due=renewal_due,
                    recorded_by_email=viewer.email,
                    note="HR import",
                )
    result = ImportResult(created, updated)
    log.info("%s imported practitioners: %s", viewer.email, result)
    return result
