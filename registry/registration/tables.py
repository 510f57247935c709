"""CLD Standards Council registration history: rows are appended, never overwritten; a claim waits for
confirmation, and the decision (who, when, why) is written on the row once."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.people.tables import Practitioner

__all__ = ("CldscRegistration",)


class CldscRegistration(Table, tablename="cldsc_registration"):
    """One change of a practitioner's CLDSC registration, effective from a date."""

    id: Serial

    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=20)
    category = Varchar(length=30, null=True, default=None)
    route = Varchar(length=40, null=True, default=None)
    membership_number = Varchar(length=50, null=True, default=None)
    effective_from = Date()
    renewal_due = Date(null=True, default=None)
    note = Text(default="")
    recorded_by_email = Varchar(length=254, null=True, default=None)
    recorded_at = Timestamptz()
    state = Varchar(length=20, default="confirmed")
    """confirmed (counts), pending (a claim awaiting confirmation) or rejected (never counts)."""
    decided_by_email = Varchar(length=254, null=True, default=None)
    """Who confirmed or rejected it; for a change that counted at once, whoever recorded it."""
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    """Why a claim was rejected, as the practitioner is told."""
