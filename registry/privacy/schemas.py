"""What erasure takes and answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ("EraseIn", "ErasedOut")


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=500, description="Why (for the audit log): a request, retention…")


class ErasedOut(BaseModel):
    practitioner_id: int
    email: str = Field(description="The address that now stands for the person (under .invalid, nobody's)")
    audit_entries_rewritten: int = Field(description="Audit log entries whose mention of the person was replaced")
