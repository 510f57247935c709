"""Materials of an event: links and files (up to 10 MB each, kept in the database so that every instance of
the registry serves them) that its host adds, shown to the host and to those who attended — nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from registry import clock
from registry.accounts.rules import Viewer
from registry.db import write_tx
from registry.errors import Invalid, NotFound
from registry.events.access import event_row, may_manage_event
from registry.events.tables import Booking, EventMaterial

__all__ = ("MAX_BYTES", "Material", "add_file", "add_link", "download", "materials", "may_see", "remove")

MAX_BYTES = 10 * 1024 * 1024
TITLE_LENGTH = 200
SAFE_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
})  # fmt: skip
"""Media types a file is served as; anything else goes as application/octet-stream (always as a download)."""


@dataclass(frozen=True, slots=True)
class Material:
    id: int
    title: str
    url: str | None
    filename: str | None
    size: int
    added_at: datetime

    @property
    def size_text(self) -> str:
        """``2.3 MB``, ``45 KB``."""
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


async def _hosted(viewer: Viewer, event_id: int) -> None:
    event = await event_row(event_id)
    if not may_manage_event(viewer, event["host_organisation"]):
        raise NotFound("No such event")


async def may_see(viewer: Viewer, event_id: int) -> bool:
    """The host, and whoever attended (their own booking marked attended)."""
    event = await event_row(event_id)
    if may_manage_event(viewer, event["host_organisation"]):
        return True
    if viewer.practitioner_id is None:
        return False
    return bool(
        await Booking.raw(
            "SELECT 1 AS attended FROM booking WHERE event = {} AND practitioner = {} AND status = 'attended' LIMIT 1",
            event_id,
            viewer.practitioner_id,
        )
    )


def _title(title: str, fallback: str = "") -> str:
    title = " ".join(title.split()) or fallback
    if not title:
        raise Invalid({"title": "Give the material a title"})
    if len(title) > TITLE_LENGTH:
        raise Invalid({"title": f"Give a title of {TITLE_LENGTH} characters or fewer"})
    return title


async def add_link(viewer: Viewer, event_id: int, title: str, url: str) -> int:
    """A link (slides online, a recording) for those who attended."""
    await _hosted(viewer, event_id)
    url = url.strip()
    parts = urlsplit(url)
    problems = {}
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        problems["url"] = "Enter a web address that starts with https:// or http://"
    try:
        title = _title(title)
    except Invalid as exc:
        problems.update(exc.problems)
    if problems:
        raise Invalid(problems)
    return await _insert(viewer, event_id, title=title, url=url)


async def add_file(
    viewer: Viewer, event_id: int, title: str, filename: str, media_type: str, content: bytes
) -> int:  # fmt: skip
    """A file of up to 10 MB, kept in the database."""
    await _hosted(viewer, event_id)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name or not content:
        raise Invalid({"file": "Choose a file to upload"})
    if len(content) > MAX_BYTES:
        raise Invalid({"file": "The file must be smaller than 10 MB"})
    kind = media_type if media_type in SAFE_TYPES else "application/octet-stream"
    return await _insert(viewer, event_id, title=_title(title, name), filename=name, media_type=kind, content=content)


async def _insert(viewer: Viewer, event_id: int, **values: Any) -> int:
    content = values.get("content")
    async with write_tx():
        rows = await EventMaterial.insert(
            EventMaterial(
                event=event_id, added_by_email=viewer.email, added_at=clock.now(),
                size=len(content) if isinstance(content, bytes) else 0, **values,
            )
        ).returning(EventMaterial.id)  # fmt: skip
    return int(rows[0]["id"])


async def materials(viewer: Viewer, event_id: int) -> list[Material]:
    """The event's materials, oldest first, for the host and those who attended; nobody else gets any."""
    if not await may_see(viewer, event_id):
        return []
    rows = await EventMaterial.raw(
        "SELECT id, title, url, filename, size, added_at FROM event_material WHERE event = {} ORDER BY id", event_id
    )  # written as SQL: read by every event page (registry.db.columns_of says why)
    return [Material(r["id"], r["title"], r["url"], r["filename"], r["size"], r["added_at"]) for r in rows]


async def download(viewer: Viewer, event_id: int, material_id: int) -> tuple[str, str, bytes]:
    """A file's name, media type and content, for the host and those who attended; otherwise not found."""
    if not await may_see(viewer, event_id):
        raise NotFound("No such file")
    row = (
        await EventMaterial.select(EventMaterial.filename, EventMaterial.media_type, EventMaterial.content)
        .where(
            (EventMaterial.id == material_id) & (EventMaterial.event == event_id) & EventMaterial.content.is_not_null()
        )
        .first()
    )
    if row is None:
        raise NotFound("No such file")
    return str(row["filename"]), str(row["media_type"]), bytes(row["content"])


async def material(viewer: Viewer, event_id: int, material_id: int) -> Material:
    """One material of an event the viewer hosts (for the confirmation before removing it)."""
    await _hosted(viewer, event_id)
    for m in await materials(viewer, event_id):
        if m.id == material_id:
            return m
    raise NotFound("No such material")


async def remove(viewer: Viewer, event_id: int, material_id: int) -> None:
    """The host removes a material."""
    await _hosted(viewer, event_id)
    async with write_tx():
        gone = (
            await EventMaterial.delete()
            .where((EventMaterial.id == material_id) & (EventMaterial.event == event_id))
            .returning(EventMaterial.id)
        )
    if not gone:
        raise NotFound("No such material")
