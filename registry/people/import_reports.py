"""Reports of refused imports: the import page lists the first problems and links to all of them as CSV
(line, column, problem), kept in the database for a day so that whichever instance answers the link has it,
and only for the person who uploaded the file."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from registry import clock
from registry.accounts.rules import Viewer, hash_token, new_token
from registry.csv_export import spreadsheet_text
from registry.db import write_tx
from registry.errors import NotFound
from registry.people.tables import ImportReport

__all__ = ("KEPT", "SHOWN", "clean_up", "problems_csv", "read", "save")

SHOWN = 100
"""Problems listed on the page; the rest are counted, and all are in the CSV."""
KEPT = timedelta(days=1)
_LINE = re.compile(r"line (\d+): ([^:]+): (.*)", re.S)


def problems_csv(lines: list[str]) -> str:
    """``line,column,problem`` for each problem, text neutralised against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("line", "column", "problem"))
    for text in lines:
        found = _LINE.fullmatch(text)
        cells = found.groups() if found else ("", "", text)
        writer.writerow([spreadsheet_text(c) for c in cells])
    return out.getvalue()


async def save(viewer: Viewer, lines: list[str]) -> str:
    """Keep the report; the token of its download link."""
    token = new_token()
    async with write_tx():
        await ImportReport.insert(
            ImportReport(token_hash=hash_token(token), user_id=viewer.user_id, created_at=clock.now(),
                         content=problems_csv(lines))
        )  # fmt: skip
    return token


async def read(viewer: Viewer, token: str) -> str:
    """The report's CSV, for its uploader within a day; anyone else (or later): not found."""
    row = await ImportReport.select(ImportReport.content).where(
        (ImportReport.token_hash == hash_token(token)) & (ImportReport.user_id == viewer.user_id)
        & (ImportReport.created_at > clock.now() - KEPT)
    ).first()  # fmt: skip
    if row is None:
        raise NotFound("This list of problems is no longer kept: upload the file again")
    return str(row["content"])


async def clean_up() -> int:
    """Delete reports older than a day."""
    async with write_tx():
        gone = await ImportReport.delete().where(ImportReport.created_at <= clock.now() - KEPT).returning(
            ImportReport.id
        )
    return len(gone)
