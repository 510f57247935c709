"""Organisations of the alliance and the practitioners they employ or host as volunteers."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ("Organisation", "Practitioner")


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
