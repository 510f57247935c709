"""Tables of protected learning time: policies from a date, individual adjustments and time requests."""

from __future__ import annotations

from piccolo.columns import Date, DoublePrecision, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.learning.tables import LearningRecord
from registry.people.tables import Organisation, Practitioner

__all__ = ("LearningTimeAdjustment", "LearningTimePolicy", "TimeRequest")


class LearningTimePolicy(Table, tablename="learning_time_policy"):
    """An organisation's protected learning hours a year for a full-time post, and the full-time weekly hours
    they are pro rata to, from a date. Rows are only added: a change applies from its date, so earlier years
    keep the policy they had."""

    id: Serial
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)
    hours_per_year = DoublePrecision()
    full_time_weekly_hours = DoublePrecision()
    applies_from = Date()
    set_by_email = Varchar(length=254)
    set_at = Timestamptz()


class LearningTimeAdjustment(Table, tablename="learning_time_adjustment"):
    """Extra (or fewer) protected hours for one person in one financial year, with the reason: a newly
    qualified worker's extra time, a phased return."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    year_start = Date()
    """1 April of the financial year it is for."""
    hours = DoublePrecision()
    reason = Text()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class TimeRequest(Table, tablename="time_request"):
    """A practitioner's request for protected time for learning outside the alliance's events, decided by their
    line manager. Approved, it counts as booked until its learning record is logged, then as used."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    starts_on = Date()
    ends_on = Date()
    hours = DoublePrecision()
    title = Varchar(length=300)
    kind = Varchar(length=30)
    competences = Varchar(length=200, default="")
    """Competence codes separated by ``;`` (they become the learning record's when it is logged)."""
    purpose = Text(default="")
    status = Varchar(length=20, default="requested", index=True)
    """requested → approved | declined | withdrawn; approved → logged (its learning record) | withdrawn."""
    manager_email = Varchar(length=254, null=True, default=None)
    """The line manager asked (the practitioner's when the request was made)."""
    requested_at = Timestamptz()
    decided_by_email = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    learning_record = ForeignKey(references=LearningRecord, null=True, on_delete=OnDelete.set_null, default=None)
