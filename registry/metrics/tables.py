"""Strategy plans as data: a plan's actions, its indicators (each pointing at a metric of METRICS.md) and
the targets set for them per period.

Nothing here is ever rewritten: actions and indicators are only added (while the plan is active), a new
target for a period is a new row beside the old one, and an archived plan is read-only — so a number
reported against a plan can always be told again from what the plan held (registry.metrics.plans).
"""

from __future__ import annotations

from piccolo.columns import Date, DoublePrecision, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("MetricAction", "MetricIndicator", "MetricPlan", "MetricSnapshot", "MetricTarget")


class MetricPlan(Table, tablename="metric_plan"):
    """A strategy or plan the partnership reports against (CLD Strategy 2018–21, CLD Plan 2024–27)."""

    id: Serial
    code = Varchar(length=30, unique=True)
    name = Varchar(length=300)
    description = Text(default="")
    baseline_start = Date(null=True, default=None)
    """The plan's own baseline period, if it sets one; otherwise each period is compared with the one before."""
    baseline_end = Date(null=True, default=None)
    status = Varchar(length=20, default="active")
    """``active`` or ``archived`` (read-only, still reported on)."""
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()
    archived_by_email = Varchar(length=254, null=True, default=None)
    archived_at = Timestamptz(null=True, default=None)


class MetricAction(Table, tablename="metric_action"):
    """An action of a plan ("A. Agree collaborative learning priorities across the CLD partners")."""

    id: Serial
    plan = ForeignKey(references=MetricPlan, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=10)
    title = Varchar(length=500)
    position = Integer(default=0)
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()


class MetricIndicator(Table, tablename="metric_indicator"):
    """How the plan will know an action works ("A1 Partners work together to identify shared learning
    needs"), answered by one metric of METRICS.md, with the direction it wants the metric to go."""

    id: Serial
    plan = ForeignKey(references=MetricPlan, null=False, on_delete=OnDelete.restrict, index=True)
    action = ForeignKey(references=MetricAction, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=16)
    """At most 16 characters: a Pentana PI code is (METRICS.md)."""
    title = Varchar(length=500)
    metric = Varchar(length=60)
    """A metric key of METRICS.md (registry.metrics.catalogue.METRICS)."""
    direction = Varchar(length=10, default="up")
    position = Integer(default=0)
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()


class MetricTarget(Table, tablename="metric_target"):
    """A target for an indicator in one period. Setting it again adds a row: the latest counts, the earlier
    ones stay with who set them and when."""

    id: Serial
    indicator = ForeignKey(references=MetricIndicator, null=False, on_delete=OnDelete.restrict, index=True)
    period_start = Date()
    period_end = Date()
    value = DoublePrecision()
    set_by_email = Varchar(length=254)
    set_at = Timestamptz()


class MetricSnapshot(Table, tablename="metric_snapshot"):
    """An indicator's value for one period and scope as the scheduler (or ``registry metrics snapshot``) worked
    it out at one moment: what was reported then. One per (indicator, scope, period) — a unique index — so a
    re-run replaces it and two instances running at once leave one; the dashboard's trend reads these and
    shows a later correction beside them (registry.metrics.snapshots)."""

    id: Serial
    indicator = ForeignKey(references=MetricIndicator, null=False, on_delete=OnDelete.restrict, index=True)
    scope = Varchar(length=140, default="")
    """``""`` for the whole alliance, ``organisation:CODE`` for one organisation (registry.metrics.rules.scope_key)."""
    period_start = Date()
    period_end = Date()
    kind = Varchar(length=20)
    """``nightly`` (the current period, to date), ``quarter_end`` (a quarter or the year to date, at its end),
    or ``manual`` (``registry metrics snapshot``)."""
    value = DoublePrecision(null=True, default=None)
    numerator = DoublePrecision(null=True, default=None)
    denominator = DoublePrecision(null=True, default=None)
    breakdown = Text(default="{}")
    """The breakdown METRICS.md names, as JSON."""
    computed_at = Timestamptz()
    version = Varchar(length=40)
    """The registry's version that worked it out."""
