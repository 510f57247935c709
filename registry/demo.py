"""The demo alliance: Tayside and Fife partners, about 150 fictional practitioners, one sign-in per role.

Generated from a fixed seed and loaded through the same import services as an HR file, so the demo is
always valid data and loading it twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from registry import clock
from registry.accounts import service as accounts
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.events.demo import load_events
from registry.learning.demo import load_learning
from registry.learning_time.demo import load_learning_time
from registry.metrics.demo import load_metrics_demo
from registry.people import service as people
from registry.people.rules import ORGANISATION_COLUMNS, PRACTITIONER_COLUMNS
from registry.people.tables import Organisation

__all__ = ("DEMO_PASSWORD", "DEMO_SIGN_INS", "has_data", "load", "organisations_csv", "practitioners_csv")

DEMO_PASSWORD = "learning-together-2026"  # noqa: S105 - printed by ./scripts/run for the demo sign-ins


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    role: str
    email: str
    name: str
    organisation: str | None = None


DEMO_SIGN_INS = (
    DemoSignIn("practitioner", "eilidh.morrison@example.org", "Eilidh Morrison"),
    DemoSignIn("manager", "graham.baxter@example.org", "Graham Baxter"),
    DemoSignIn("partner_admin", "fiona.reid@example.org", "Fiona Reid", "DCC"),
    DemoSignIn("lead", "morag.kerr@example.org", "Morag Kerr"),
    DemoSignIn("admin", "registry.admin@example.org", "Registry Admin"),
)

# code, name, kind, local authority, share of the practitioners
ORGANISATIONS = (
    ("DCC", "Dundee City Council", "local_authority", "Dundee City", 30),
    ("ANGUS", "Angus Council", "local_authority", "Angus", 14),
    ("FIFE", "Fife Council", "local_authority", "Fife", 18),
    ("PKC", "Perth and Kinross Council", "local_authority", "Perth and Kinross", 12),
    ("NHST", "NHS Tayside", "health", "Dundee City", 6),
    ("DACOL", "Dundee and Angus College", "college", "Dundee City", 5),
    ("FIFECOL", "Fife College", "college", "Fife", 4),
    ("DVVA", "Dundee Volunteer and Voluntary Action", "third_sector", "Dundee City", 4),
    ("LOCHEE-CLT", "Lochee Community Learning Trust", "third_sector", "Dundee City", 3),
    ("TAYYOUTH", "Tay Youth Work Collective", "third_sector", "Angus", 3),
    ("FIFEALN", "Fife Adult Learning Network", "third_sector", "Fife", 3),
    ("PERTHESOL", "Perthshire ESOL Partnership", "third_sector", "Perth and Kinross", 3),
)

LOCALITIES = {
    "Dundee City": (
        "Strathmartine", "West End", "Maryfield", "North East", "Lochee", "Coldside", "East End", "The Ferry",
    ),
    "Angus": ("Arbroath", "Forfar", "Montrose", "Carnoustie", "Brechin", "Kirriemuir"),
    "Fife": ("Kirkcaldy", "Dunfermline", "Glenrothes", "Levenmouth", "Cowdenbeath", "North East Fife"),
    "Perth and Kinross": ("Perth City", "Highland Perthshire", "Strathearn", "Kinross-shire", "Strathmore"),
}  # fmt: skip

PRACTICE_AREAS = {
    "community development": ("Community Development Worker", "Community Capacity Builder"),
    "youth work": ("Youth Worker", "Senior Youth Worker", "Detached Youth Worker"),
    "family learning": ("Family Learning Worker", "Early Intervention Worker"),
    "adult literacies": ("Adult Literacies Tutor", "Adult Learning Worker"),
    "ESOL": ("ESOL Tutor", "ESOL Coordinator"),
    "volunteer development": ("Volunteer Coordinator", "Volunteer Development Worker"),
    "learning support and guidance": ("Learning Support Worker", "Guidance Worker"),
    "learning for vulnerable groups": ("Health Improvement Practitioner", "Inclusion Worker"),
}

GIVEN = [
    "Aileen",
    "Alasdair",
    "Amira",
    "Ben",
    "Callum",
    "Catriona",
    "Chloe",
    "Craig",
    "Darren",
    "Deborah",
    "Eilidh",
    "Euan",
    "Fatima",
    "Fraser",
    "Gemma",
    "Gordon",
    "Hamish",
    "Heather",
    "Iain",
    "Isla",
    "Jamie",
    "Jenna",
    "Karen",
    "Kirsty",
    "Lewis",
    "Lorna",
    "Mairi",
    "Malcolm",
    "Morven",
    "Murray",
    "Nadia",
    "Neil",
    "Niamh",
    "Owen",
    "Priya",
    "Rhona",
    "Ross",
    "Ruaridh",
    "Sandra",
    "Shona",
    "Stuart",
    "Tariq",
    "Una",
    "Wendy",
    "Yusuf",
    "Zofia",
]
FAMILY = [
    "Anderson",
    "Bell",
    "Brown",
    "Cameron",
    "Campbell",
    "Clark",
    "Davidson",
    "Douglas",
    "Duncan",
    "Ferguson",
    "Fleming",
    "Fraser",
    "Gibson",
    "Graham",
    "Grant",
    "Hamilton",
    "Henderson",
    "Hunter",
    "Johnston",
    "Kerr",
    "Kowalski",
    "Lindsay",
    "MacDonald",
    "MacKenzie",
    "Mackay",
    "Malik",
    "Martin",
    "McIntosh",
    "Milne",
    "Mitchell",
    "Murray",
    "Nicol",
    "Ogilvie",
    "Paterson",
    "Patel",
    "Robertson",
    "Ross",
    "Scott",
    "Simpson",
    "Smith",
    "Stewart",
    "Thomson",
    "Walker",
    "Watson",
    "Wilson",
    "Young",
]

TARGET_PRACTITIONERS = 150
CONTRACTS = (("full_time", 52), ("part_time", 20), ("sessional", 14), ("volunteer", 14))
SETTINGS = (("community", 60), ("school", 22), ("online", 6), ("health", 6), ("college", 6))
CLDSC = (("none", 38), ("registered", 34), ("associate", 16), ("applied", 6), ("lapsed", 6))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def organisations_csv() -> str:
    return _csv(
        ORGANISATION_COLUMNS,
        [{"code": c, "name": n, "kind": k, "local_authority": la} for c, n, k, la, _ in ORGANISATIONS],
    )


def _hours(rng: random.Random, contract: str) -> str:
    hours = {
        "full_time": rng.choice((35.0, 36.0, 37.0)),
        "part_time": rng.choice((14.0, 17.5, 18.5, 21.0, 22.5, 25.0)),
        "sessional": rng.choice((4.0, 6.0, 7.5, 9.0, 12.0)),
        "volunteer": rng.choice((2.0, 3.0, 4.0, 6.0)),
    }[contract]
    return f"{hours:g}"


def _person(
    rng: random.Random, used: set[str], given: str | None = None, family: str | None = None
) -> tuple[str, str, str]:
    while True:
        g, f = given or rng.choice(GIVEN), family or rng.choice(FAMILY)
        email = f"{g}.{f}".lower().replace(" ", "") + "@example.org"
        if email not in used:
            used.add(email)
            return g, f, email
        given = family = None


def practitioners_csv(today: date | None = None) -> str:
    """About 150 fictional practitioners; the demo sign-ins' own records come first."""
    today = today or clock.today()
    rng = random.Random(2018)  # the strategy's first year: the same alliance every time
    used = {s.email for s in DEMO_SIGN_INS}
    rows: list[dict[str, str]] = []

    def row(
        org: tuple[str, str, str, str, int],
        contract: str,
        given: str,
        family: str,
        email: str,
        manager: str,
        title: str | None = None,
        setting: str | None = None,
    ) -> dict[str, str]:
        area = rng.choice(list(PRACTICE_AREAS))
        second = rng.choice(list(PRACTICE_AREAS)) if rng.random() < 0.3 else area
        status = _pick(rng, CLDSC)
        started = today - timedelta(days=rng.randint(60, 365 * 15))
        since = max(started, today - timedelta(days=rng.randint(30, 365 * 3 - 10)))
        if status == "lapsed":
            since = today - timedelta(days=rng.randint(30, 400))
        chosen_setting = setting or (
            "health" if org[2] == "health" else "college" if org[2] == "college" else _pick(rng, SETTINGS)
        )
        return {
            "email": email, "given_name": given, "family_name": family, "organisation": org[0],
            "job_title": title or rng.choice(PRACTICE_AREAS[area]), "contract": contract,
            "weekly_hours": _hours(rng, contract), "setting": chosen_setting,
            "locality": rng.choice(LOCALITIES[org[3]]),
            "practice_areas": ";".join(dict.fromkeys((area, second))),
            "cld_qualified": "yes" if rng.random() < (0.75 if contract == "full_time" else 0.4) else "no",
            "manager_email": manager, "started_on": started.isoformat(), "left_on": "",
            "cldsc_status": status, "cldsc_category_since": since.isoformat() if status != "none" else "",
            "cldsc_number": f"CLDSC{rng.randint(10000, 99999)}" if status in {"registered", "associate"} else "",
            "cldsc_renewal_due": "",
        }  # fmt: skip

    dundee = ORGANISATIONS[0]
    manager = DEMO_SIGN_INS[1]
    rows.append(row(dundee, "full_time", "Graham", "Baxter", manager.email, "", "CLD Team Leader", "community"))
    rows.append(row(dundee, "full_time", "Fiona", "Reid", DEMO_SIGN_INS[2].email, "", "CLD Business Support Officer"))
    rows.append(
        row(dundee, "part_time", "Eilidh", "Morrison", DEMO_SIGN_INS[0].email, manager.email, "Youth Worker", "school")
    )
    total_share = sum(o[4] for o in ORGANISATIONS)
    for org in ORGANISATIONS:
        count = round(TARGET_PRACTITIONERS * org[4] / total_share) - sum(1 for r in rows if r["organisation"] == org[0])
        managers = [manager.email] if org is dundee else []
        for index in range(max(count, 0)):
            given, family, email = _person(rng, used)
            if index < max(1, count // 8) and len(managers) < 3:
                rows.append(row(org, "full_time", given, family, email, "", "Senior CLD Worker"))
                managers.append(email)
                continue
            contract = _pick(rng, CONTRACTS)
            rows.append(row(org, contract, given, family, email, rng.choice(managers) if managers else ""))
    for leaver in rng.sample(rows[3:], 6):
        leaver["left_on"] = (today - timedelta(days=rng.randint(20, 500))).isoformat()
        if leaver["left_on"] < leaver["started_on"]:
            leaver["left_on"] = leaver["started_on"]
    return _csv(PRACTITIONER_COLUMNS, rows)


async def has_data() -> bool:
    return bool(await Organisation.exists())


async def load() -> str:
    """Load (or refresh) the demo alliance and its sign-ins; says what it did."""
    organisations = await people.import_organisations(COMMAND_LINE, organisations_csv())
    practitioners = await people.import_practitioners(COMMAND_LINE, practitioners_csv())
    created_users = 0
    for sign_in in DEMO_SIGN_INS:
        if not await User.exists().where(User.email == sign_in.email):
            await accounts.create_user(sign_in.email, sign_in.name, sign_in.role, sign_in.organisation, DEMO_PASSWORD)
            created_users += 1
    learning = await load_learning(DEMO_SIGN_INS[0].email, DEMO_SIGN_INS[1].email)
    events = await load_events()
    time = await load_learning_time(DEMO_SIGN_INS[0].email)
    metrics = await load_metrics_demo()
    return (
        f"demo alliance: organisations {organisations}; practitioners {practitioners}; "
        f"{created_users} sign-in(s) created; {learning}; {events}; {time}; {metrics}"
    )
