"""Large imports do not stall the service or exhaust it (issue 10, point 11): parsing and checking run off the
event loop, look-ups are batched so any number of rows imports or is refused, oversized files are refused
before they are read, and a refusal lists the first problems and counts the rest."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from registry import csv_import as rules
from registry.cli_viewer import COMMAND_LINE
from registry.db import LOOKUP_BATCH
from registry.errors import Invalid
from registry.learning import service as learning
from registry.learning.tables import LearningRecord
from registry.people import service as people
from registry.people.tables import Practitioner
from tests.integration.test_cli import _cli
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]
LEARNING_HEADER = "email,completed_on,title,kind,hours,competences,protected_time,reflection\n"


async def test_a_learning_file_of_more_rows_than_sql_variables_is_refused_not_crashed(alliance: Alliance) -> None:
    """40,000 distinct unknown addresses: one IN (...) of them passes SQLite's and asyncpg's limit of 32,767."""
    rows = "".join(f"nobody{n}@example.org,2026-01-10,Course,course,1,C1,no,\n" for n in range(40_000))
    with pytest.raises(Invalid) as refused:
        await learning.import_learning(COMMAND_LINE, LEARNING_HEADER + rows)
    assert refused.value.detail == "40000 problem(s); nothing was imported"
    assert len(refused.value.lines) == rules.MAX_REPORTED_PROBLEMS + 1
    assert refused.value.lines[0] == "line 2: email: no practitioner with email nobody0@example.org"
    assert refused.value.lines[-1] == f"... and {40_000 - rules.MAX_REPORTED_PROBLEMS} more problem(s)"
    assert await LearningRecord.count() == 0


async def test_a_learning_file_spanning_several_look_up_batches_imports(alliance: Alliance) -> None:
    people_csv = "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n" + "".join(
        f"p{n}@example.org,P,{n},DCC,full_time,35,2020-01-01\n" for n in range(LOOKUP_BATCH + 20)
    )
    result = await people.import_practitioners(COMMAND_LINE, people_csv)
    assert result.created == LOOKUP_BATCH + 20
    again = await people.import_practitioners(COMMAND_LINE, people_csv)
    assert (again.created, again.updated) == (0, LOOKUP_BATCH + 20)  # found in every batch, not duplicated
    rows = "".join(f"p{n}@example.org,2026-01-10,Course,course,1,C1,no,\n" for n in range(LOOKUP_BATCH + 20))
    imported = await learning.import_learning(COMMAND_LINE, LEARNING_HEADER + rows)
    assert imported.created == LOOKUP_BATCH + 20
    assert await Practitioner.count() == LOOKUP_BATCH + 20 + 6


async def test_checking_a_file_runs_off_the_event_loop(alliance: Alliance, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = rules.read_csv

    def recording(text: str, required: object) -> object:
        seen.append(threading.current_thread().name)
        return original(text, required)  # type: ignore[arg-type]

    monkeypatch.setattr("registry.people.service.read_csv", recording)
    monkeypatch.setattr("registry.learning.service.read_csv", recording)
    await people.import_organisations(COMMAND_LINE, "code,name,kind\nX,X Trust,third_sector\n")
    await people.import_practitioners(
        COMMAND_LINE, "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"
        "x@example.org,X,Y,X,full_time,35,2020-01-01\n"
    )  # fmt: skip
    await learning.import_learning(COMMAND_LINE, LEARNING_HEADER + "x@example.org,2026-01-10,C,course,1,C1,no,\n")
    assert len(seen) == 3
    assert threading.main_thread().name not in seen


async def test_the_command_line_refuses_an_oversized_file_before_reading_it(
    alliance: Alliance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as handle:  # sparse: 25 MB on paper, nothing on disk
        handle.truncate(25 * 1024 * 1024)
    assert await _cli("import", "learning", str(big)) == 2
    assert "25 MB is more than an import takes (20 MB); split the file" in capsys.readouterr().err
