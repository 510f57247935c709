"""The participation export as an HTTP response — one function, so that ``GET /api/v1/exports/participation``
and the ``/exports`` page send the very same file: CSV streamed a line at a time, or XLSX written to a
temporary file (XlsxWriter's constant-memory mode) that is deleted once sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Stream

from registry.exports import participation
from registry.learning.rules import Period
from registry.metrics.sql import Scope

__all__ = ("XLSX", "participation_filename", "participation_response", "remove_file")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def remove_file(path: str) -> None:
    """Delete the workbook once it is sent."""
    await anyio.Path(path).unlink(missing_ok=True)


def participation_filename(period: Period, file_format: str) -> str:
    """``participation-2025-26.csv``, ``participation-2025-04-01-to-2025-06-30.xlsx``."""
    return f"participation-{period.label.replace('..', '-to-')}.{file_format}"


async def participation_response(period: Period, scope: Scope, k: int, file_format: str) -> Stream | File:
    """The file of an export already checked and recorded (participation.export_participation)."""
    name = participation_filename(period, file_format)
    if file_format == "xlsx":
        path = participation.temporary_xlsx()
        await participation.write_xlsx(period, scope, k, path)
        return File(path, filename=name, media_type=XLSX, background=BackgroundTask(remove_file, path))

    async def body() -> AsyncIterator[str]:
        async for line in participation.csv_lines(period, scope, k):
            yield line

    return Stream(
        body(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
