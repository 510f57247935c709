"""The HR importers under generated files: any file either imports every row or writes nothing and names
exactly its bad rows (``line N: column: problem``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Awaitable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.cli_viewer import COMMAND_LINE
from registry.csv_import import ImportRefused
from registry.learning import service as learning
from registry.people import service as people
from registry.people.rules import PRACTITIONER_COLUMNS
from registry.people.tables import Practitioner
from registry.piccolo_app import TABLES
from tests.conftest import BACKEND

EXAMPLES = 40 if BACKEND == "sqlite" else 8
"""Generated files per importer: fewer on PostgreSQL, where each costs ten times as much; SQLite covers the rest."""

# Free text as people type it: any letters, digits, punctuation, spaces and symbols; CSV quoting is the
# writer's business. (Control characters are left out: a spreadsheet cannot hold them in a cell either.)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)
NAME = st.from_regex(r"[A-Za-zÀ-ÿ'’ -]{0,20}[A-Za-zÀ-ÿ]", fullmatch=True)
BREAKS = {
    "email": "not an address",
    "organisation": "ZZZ",
    "contract": "permanent",
    "weekly_hours": "lots",
    "started_on": "2025-02-30",
    "given_name": "",
    "cld_qualified": "perhaps",
    "cldsc_status": "famous",
}
"""One way to make a row certainly wrong, per column."""


@st.composite
def practitioner_file(draw: st.DrawFn) -> tuple[str, set[int]]:
    """A practitioners file of up to 8 rows, some broken; the line numbers of those broken."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(PRACTITIONER_COLUMNS)
    bad: set[int] = set()
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        row = {
            "email": f"fuzz{n}@example.org", "given_name": draw(NAME), "family_name": draw(NAME),
            "organisation": draw(st.sampled_from(["DCC", "FIFE", "NHST", "dcc"])), "job_title": draw(TEXT).strip(),
            "contract": draw(st.sampled_from(["full_time", "part_time", "sessional", "volunteer"])),
            "weekly_hours": str(draw(st.integers(min_value=1, max_value=40))), "setting": "",
            "locality": draw(TEXT).strip(), "practice_areas": "", "cld_qualified": draw(st.sampled_from(["yes", "no", ""])),
            "manager_email": "", "started_on": "2024-01-01", "left_on": "", "cldsc_status": "",
            "cldsc_category_since": "", "cldsc_number": "", "cldsc_renewal_due": "",
        }  # fmt: skip
        if broken := draw(st.sampled_from([None, None, *BREAKS])):
            row[broken] = BREAKS[broken]
            bad.add(n + 2)  # after the header, counting from 1
        writer.writerow([row[c] for c in PRACTITIONER_COLUMNS])
    return out.getvalue(), bad


async def _everything() -> str:
    dump = []
    for table in TABLES:
        dump.extend(json.dumps(row, default=str, sort_keys=True) for row in await table.select())
    return "\n".join(dump)


def _lines_named(problems: list[str]) -> set[int]:
    return {int(m.group(1)) for p in problems if (m := re.match(r"line (\d+): ", p))}


async def _refusal(imported: Awaitable[object]) -> ImportRefused | None:
    try:
        await imported
    except ImportRefused as exc:
        return exc
    return None


async def _whole_or_nothing(imported: Awaitable[object], bad: set[int], before: str) -> bool:
    """Whether the file was imported; when refused, it named exactly the bad lines and wrote nothing."""
    refusal = await _refusal(imported)
    if refusal is None:
        assert not bad, f"bad lines {bad} were imported"
        return True
    assert bad, f"a good file was refused: {refusal.every_problem}"
    assert _lines_named(refusal.every_problem) == bad
    assert await _everything() == before
    return False


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=practitioner_file())
async def test_a_practitioners_file_imports_whole_or_writes_nothing_and_names_its_bad_rows(
    alliance: object, file: tuple[str, set[int]]
) -> None:
    text, bad = file
    await Practitioner.delete().where(Practitioner.email.like("fuzz%"))
    before = await _everything()
    if await _whole_or_nothing(people.import_practitioners(COMMAND_LINE, text), bad, before):
        rows = len(list(csv.reader(io.StringIO(text)))) - 1
        assert await Practitioner.count().where(Practitioner.email.like("fuzz%")) == rows


LEARNING_BREAKS = {
    "email": "nobody@example.org",
    "completed_on": "31/12/2025",
    "title": "",
    "kind": "webinar",
    "hours": "-2",
    "competences": "C99",
    "protected_time": "sometimes",
}


@st.composite
def learning_file(draw: st.DrawFn) -> tuple[str, set[int]]:
    out = io.StringIO()
    columns = ("email", "completed_on", "title", "kind", "hours", "competences", "protected_time", "reflection")
    writer = csv.writer(out)
    writer.writerow(columns)
    bad: set[int] = set()
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        row = {
            "email": draw(st.sampled_from(["eilidh@example.org", "graham@example.org", "ross@example.org"])),
            "completed_on": "2026-01-15", "title": draw(NAME), "kind": draw(st.sampled_from(["course", "event", "other"])),
            "hours": str(draw(st.integers(min_value=1, max_value=30))),
            "competences": ";".join(draw(st.lists(st.sampled_from(["C1", "C2", "C3", "C7"]), min_size=1, max_size=3))),
            "protected_time": draw(st.sampled_from(["yes", "no"])), "reflection": draw(TEXT),
        }  # fmt: skip
        if broken := draw(st.sampled_from([None, None, *LEARNING_BREAKS])):
            row[broken] = LEARNING_BREAKS[broken]
            bad.add(n + 2)
        writer.writerow([row[c] for c in columns])
    return out.getvalue(), bad


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=learning_file())
async def test_a_learning_file_imports_whole_or_writes_nothing_and_names_its_bad_rows(
    alliance: object, file: tuple[str, set[int]]
) -> None:
    from registry.learning.tables import LearningRecord

    text, bad = file
    await LearningRecord.delete(force=True)
    before = await _everything()
    if await _whole_or_nothing(learning.import_learning(COMMAND_LINE, text), bad, before):
        assert await LearningRecord.count() == len(list(csv.reader(io.StringIO(text)))) - 1
