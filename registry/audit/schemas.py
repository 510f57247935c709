"""What the audit log's readers get."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

__all__ = ("AuditEntryOut",)


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_email: str
    actor_role: str
    action: str
    subject: str
    summary: str
    details: dict[str, Any]
