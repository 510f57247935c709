"""Organisations of the alliance and the practitioners they employ or host as volunteers."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ("EmailChange", "HoursChange", "ImportReport", "LineManagerChange", "Organisation", "Practitioner")


class Organisation(Table, tablename="organisation"):
    """A partner of the alliance: a council, NHS board, college or third-sector organisation."""

    id: Serial

    code = Varchar(length=30, unique=True, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=20)
    local_authority = Varchar(length=100, null=True, default=None)
    created_at = Timestamptz()


class Practitioner(Table, tablename="practitioner"):
    """A CLD practitioner as HR knows them; leavers keep their row (``left_on``) for the metrics."""

    id: Serial

    email = Varchar(length=254, unique=True, index=True)
    given_name = Varchar(length=100)
    family_name = Varchar(length=100)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    job_title = Varchar(length=200, null=True, default=None)
    contract = Varchar(length=20)
    weekly_hours = DoublePrecision()
    setting = Varchar(length=50, null=True, default=None)
    locality = Varchar(length=100, null=True, default=None)
    practice_areas = Text(default="")
    cld_qualified = Boolean(null=True, default=None)
    manager_email = Varchar(length=254, null=True, default=None, index=True)
    started_on = Date()
    left_on = Date(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    erased_at = Timestamptz(null=True, default=None)
    """When its identity and free text were erased (registry.privacy); its counts stay."""


class LineManagerChange(Table, tablename="line_manager_change"):
    """Who has been a practitioner's line manager, from which day: a manager reads the reflections logged
    from the day they became the manager (earlier ones only when asked to verify them)."""

    id: Serial

    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    manager_email = Varchar(length=254, null=True, default=None)
    """None: the practitioner has no line manager from that day."""
    from_on = Date()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class HoursChange(Table, tablename="hours_change"):
    """A practitioner's contract and weekly hours from a day: protected learning time is pro rata to the hours
    worked on each day of the year, so a change mid-year counts from its day (the record keeps the latest)."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    contract = Varchar(length=20)
    weekly_hours = DoublePrecision()
    from_on = Date()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class EmailChange(Table, tablename="email_change"):
    """A change of email asked for on a record that has a sign-in or learning: it takes effect only once the
    person confirms it (signed in, or from the link sent to the OLD address) or an admin who did not ask does."""

    id: Serial

    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    old_email = Varchar(length=254)
    new_email = Varchar(length=254)
    state = Varchar(length=20, default="pending")
    """``pending``, ``confirmed``, ``declined`` or ``superseded``."""
    token_hash = Varchar(length=64, unique=True, index=True)
    """SHA-256 of the confirmation link sent to the old address."""
    requested_by_email = Varchar(length=254)
    requested_at = Timestamptz()
    decided_by_email = Varchar(length=254, null=True, default=None)
    decided_how = Varchar(length=20, null=True, default=None)
    """``self`` (signed in), ``old_address`` (the link), ``admin``, or ``requester`` (withdrawn)."""
    decided_at = Timestamptz(null=True, default=None)
    note = Text(default="")


class ImportReport(Table, tablename="import_report"):
    """Every problem of an import that was refused, as CSV, for its uploader to download for a day: kept in the
    database so that any instance serves the link (registry.people.import_reports)."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user_id = Integer()
    created_at = Timestamptz(index=True)
    content = Text()
