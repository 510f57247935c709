"""Shared test helpers: emptying the database and building a small alliance with one sign-in per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import pytest
from argon2 import PasswordHasher
from piccolo.table import Table

from registry import clock
from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.db import engine, is_sqlite
from registry.learning import frameworks
from registry.people import service as people
from registry.piccolo_app import TABLES

PASSWORD = "correct horse battery"

ORGANISATIONS_CSV = """code,name,kind,local_authority
DCC,Dundee City Council,local_authority,Dundee City
FIFE,Fife Council,local_authority,Fife
NHST,NHS Tayside,health,Dundee City
"""

# A small alliance: a Dundee team managed by Graham, a Fife team, a leaver and an NHS practitioner.
PRACTITIONERS_CSV = """email,given_name,family_name,organisation,job_title,contract,weekly_hours,setting,locality,practice_areas,cld_qualified,manager_email,started_on,left_on,cldsc_status,cldsc_category_since,cldsc_number,cldsc_renewal_due
graham@example.org,Graham,Baxter,DCC,CLD Team Leader,full_time,35,community,Lochee,community development,yes,,2015-08-01,,registered,2024-01-10,CLDSC10001,
eilidh@example.org,Eilidh,Morrison,DCC,Youth Worker,part_time,17.5,school,Coldside,youth work;family learning,yes,graham@example.org,2020-02-03,,associate,2025-05-01,CLDSC10002,
ross@example.org,Ross,Walker,DCC,ESOL Tutor,sessional,6,community,East End,ESOL,no,graham@example.org,2022-09-01,,none,,,
amira@example.org,Amira,Malik,FIFE,Community Development Worker,full_time,37,community,Kirkcaldy,community development,yes,,2019-04-01,,registered,2019-06-01,CLDSC10003,2022-06-01
leaver@example.org,Lorna,Leaver,DCC,Volunteer Coordinator,volunteer,4,online,West End,volunteer development,no,graham@example.org,2018-01-01,2024-03-31,,,,
nhs@example.org,Neil,Nicol,NHST,Health Improvement Practitioner,full_time,36,health,Maryfield,learning for vulnerable groups,yes,,2021-01-04,,applied,2025-09-01,,
"""


# Emptying the database restarts the ids, so the records get these ids in the order of PRACTITIONERS_CSV
# (build_alliance checks it). A sign-in is tied to its record by id, so a test acting as Eilidh needs hers.
RECORD_IDS = {
    line.split(",", 1)[0]: number for number, line in enumerate(PRACTITIONERS_CSV.strip().splitlines()[1:], start=1)
}


def as_viewer(email: str, name: str, role: Role) -> Viewer:
    """A Viewer as the sign-in of that test-alliance address would be: tied to its record, if it has one."""
    return Viewer(0, email, name, role, practitioner_id=RECORD_IDS.get(email))


@dataclass
class Alliance:
    organisation_ids: dict[str, int] = field(default_factory=dict)
    practitioner_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """role → API token of that role's sign-in."""


# role → (email, organisation): the practitioner signs in as Eilidh, the manager as Graham.
SIGN_INS = {
    "practitioner": ("eilidh@example.org", None),
    "manager": ("graham@example.org", None),
    "partner_admin": ("admin.dcc@example.org", "DCC"),
    "lead": ("lead@example.org", None),
    "admin": ("admin@example.org", None),
}


@cache
def _password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


async def empty_database() -> None:
    db = engine()
    if is_sqlite():
        for table in reversed(TABLES):
            await table.delete(force=True)
    else:
        names = ", ".join(f'"{t._meta.tablename}"' for t in TABLES)
        await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    # The competence framework is reference data every test expects, as a migrated database has it.
    await frameworks.load_builtin()


async def build_alliance(with_tokens: bool = True) -> Alliance:
    alliance = Alliance()
    await people.import_organisations(COMMAND_LINE, ORGANISATIONS_CSV)
    await people.import_practitioners(COMMAND_LINE, PRACTITIONERS_CSV)
    organisations, _ = await people.list_organisations(limit=100)
    alliance.organisation_ids = {o.code: o.id for o in organisations}
    everyone, _ = await people.list_practitioners(COMMAND_LINE, people.PractitionerFilter(employment="all"), limit=100)
    alliance.practitioner_ids = {p.email: p.id for p in everyone}
    assert alliance.practitioner_ids == RECORD_IDS, "emptying the database should restart the ids"
    for role, (email, organisation) in SIGN_INS.items():
        await accounts.create_user(email, email.split("@")[0].title(), role, organisation)
    # Argon2 is slow on purpose: hash the shared test password once per run, not five times per test.
    await User.update({User.password_hash: _password_hash()}).where(User.email.is_in([e for e, _ in SIGN_INS.values()]))
    for role, (email, _organisation) in SIGN_INS.items():
        if with_tokens:
            alliance.tokens[role] = await accounts.create_api_token(email, "tests")
    return alliance


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


class _Absent:
    """What ``Table.exists().where(...)`` gives back, answering "no" whatever is recorded."""

    def where(self, *_conditions: Any) -> _Absent:
        return self

    def __await__(self) -> Any:
        yield from ()
        return False


def pretend_absent(monkeypatch: pytest.MonkeyPatch, table: type[Table]) -> None:
    """Make ``table.exists()`` answer False: what a use case sees when a concurrent request inserts the same
    row between its check and its insert. Deterministic on both engines, unlike a real race."""
    monkeypatch.setattr(table, "exists", lambda: _Absent())


def fix_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Stop the registry's clock at ``moment``: ``clock.now()`` is it and ``clock.today()`` its local date
    (call again to move the clock on)."""
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: clock.local_date(moment))
