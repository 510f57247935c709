"""Professional learning: competence frameworks, PL goals, the learning log with verification, learning needs."""

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

from registry.people.tables import Practitioner

__all__ = ("Competence", "Framework", "LearningNeed", "LearningRecord", "LearningRecordCompetence", "PlGoal")


class Framework(Table, tablename="framework"):
    """A competence framework, loaded as data (the CLDSC one by a migration); one is the default."""

    id: Serial
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    description = Text(default="")
    is_default = Boolean(default=False)
    created_at = Timestamptz()


class Competence(Table, tablename="competence"):
    """A competence (or a value) of a framework, with the short code people tag learning with."""

    id: Serial
    framework = ForeignKey(references=Framework, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=20)
    title = Varchar(length=300)
    kind = Varchar(length=20, default="competence")
    position = Integer(default=0)


class PlGoal(Table, tablename="pl_goal"):
    """A professional learning goal a practitioner sets for their registration cycle."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=300)
    description = Text(default="")
    created_at = Timestamptz()
    achieved_on = Date(null=True, default=None)


class LearningRecord(Table, tablename="learning_record"):
    """One piece of professional learning, with its reflection and its verification."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=300)
    kind = Varchar(length=40)
    completed_on = Date(index=True)
    hours = DoublePrecision()
    goal = ForeignKey(references=PlGoal, null=True, on_delete=OnDelete.set_null)
    reflection = Text(default="")
    protected_time = Boolean(default=False)
    evidence_url = Varchar(length=1000, null=True, default=None)
    source = Varchar(length=10, default="self")
    verification_state = Varchar(length=20, default="none")
    verifier_email = Varchar(length=254, null=True, default=None, index=True)
    verification_requested_at = Timestamptz(null=True, default=None)
    review_note = Text(default="")
    return_comment = Text(default="")
    verified_at = Timestamptz(null=True, default=None)
    verified_by_email = Varchar(length=254, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class LearningRecordCompetence(Table, tablename="learning_record_competence"):
    """Which competences a learning record is linked to (one or more)."""

    id: Serial
    record = ForeignKey(references=LearningRecord, null=False, on_delete=OnDelete.cascade, index=True)
    competence = ForeignKey(references=Competence, null=False, on_delete=OnDelete.restrict, index=True)


class LearningNeed(Table, tablename="learning_need"):
    """A learning need recorded against a competence, for the alliance's shared-needs picture."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    competence = ForeignKey(references=Competence, null=False, on_delete=OnDelete.restrict, index=True)
    description = Text(default="")
    recorded_by_email = Varchar(length=254)
    recorded_on = Date(index=True)
    recorded_at = Timestamptz()
