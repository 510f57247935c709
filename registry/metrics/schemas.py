"""Hand-written pydantic models of the metrics: plans and what is added to them, and the report whose field
names INTERFACE.md fixes (``GET /api/v1/metrics``, ``registry metrics``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeAlias

from annotated_types import Interval
from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from registry.metrics.rules import Judgement
from registry.validation import PERIOD_PATTERN, SchemaPattern

__all__ = (
    "ActionIn",
    "ActionOut",
    "IndicatorIn",
    "IndicatorOut",
    "IndicatorReportOut",
    "MetricKey",
    "MetricsReportOut",
    "PeriodOut",
    "PlanIn",
    "PlanOut",
    "PlanSummaryOut",
    "TargetIn",
    "TargetOut",
    "TrendPoint",
)

MetricKey = Literal[
    "shared_learning_needs", "collaborative_learning_partners", "school_qualified_involvement",
    "learning_opportunities", "participation", "cldsc_registration_rate", "competence_linked_learning",
    "cldsc_awareness", "verified_learning_share", "protected_time", "part_time_access_ratio",
]  # fmt: skip
"""One of the metric keys of METRICS.md (registry.metrics.catalogue.METRICS; a test keeps the two alike)."""
Direction = Literal["up", "down"]
PeriodText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=22), SchemaPattern(PERIOD_PATTERN)
]
Heading = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Number: TypeAlias = int | float
"""Counts stay whole numbers in the JSON; shares, ratios and hours are decimals."""
TargetValue = Annotated[float, Interval(ge=-1_000_000, le=1_000_000), AllowInfNan(False)]


def _code(pattern: str, example: str) -> Callable[[object], object]:
    """A code as people type it (any case, spaces around), checked with a message that shows one."""
    shape = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip().upper()
        if not shape.fullmatch(value):
            raise ValueError(f"must be capitals, digits and hyphens, like {example}")
        return value

    return check


PlanCode = Annotated[
    str,
    BeforeValidator(_code(r"[A-Z0-9][A-Z0-9-]{0,29}", "CLD-2024-27")),
    SchemaPattern(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$"),
]
ActionCode = Annotated[str, BeforeValidator(_code(r"[A-Z0-9]{1,10}", "A")), SchemaPattern(r"^[A-Za-z0-9]{1,10}$")]
IndicatorCode = Annotated[
    str, BeforeValidator(_code(r"[A-Z0-9][A-Z0-9.-]{0,15}", "A1")), SchemaPattern(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$")
]
"""At most 16 characters: a Pentana PI code is (METRICS.md)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanIn(_Strict):
    """A new plan (a lead or admin)."""

    code: PlanCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    baseline_period: PeriodText | None = Field(
        default=None, description="The plan's own baseline period (2017-18); empty: each period's previous one"
    )


class ActionIn(_Strict):
    code: ActionCode
    title: Heading


class IndicatorIn(_Strict):
    action: ActionCode = Field(description="The code of the plan's action it belongs to")
    code: IndicatorCode
    title: Heading
    metric: MetricKey
    direction: Direction = "up"


class TargetIn(_Strict):
    indicator: IndicatorCode
    period: PeriodText
    value: TargetValue = Field(description="In the metric's own unit: a fraction for shares (0.4 for 40%)")


class PeriodOut(BaseModel):
    start: date
    end: date
    label: str


class TargetOut(BaseModel):
    period: PeriodOut
    value: float
    set_by: str
    set_at: datetime


class IndicatorOut(BaseModel):
    id: int
    code: str
    title: str
    metric: str
    metric_name: str
    direction: str
    targets: list[TargetOut]
    """Every target set, latest first: a target set again for a period is the one that counts."""


class ActionOut(BaseModel):
    code: str
    title: str
    indicators: list[IndicatorOut]


class PlanSummaryOut(BaseModel):
    id: int
    code: str
    name: str
    status: str
    indicators: int


class PlanOut(BaseModel):
    id: int
    code: str
    name: str
    description: str
    status: str
    baseline: PeriodOut | None
    created_by: str
    created_at: datetime
    archived_at: datetime | None
    actions: list[ActionOut]


class IndicatorReportOut(BaseModel):
    id: int
    code: str
    action: str
    action_title: str
    indicator: str
    metric: str
    value: Number | None
    numerator: Number | None
    denominator: Number | None
    baseline_value: Number | None
    change: Number | None
    direction: str
    status: Judgement | None = Field(description="The change judged against the wanted direction")
    target: Number | None
    breakdown: dict[str, Any]


class MetricsReportOut(BaseModel):
    """METRICS.md for a plan and period: shares are fractions and unrounded (pages show percentages)."""

    plan: str
    plan_name: str
    period: PeriodOut
    baseline: PeriodOut
    organisation: str | None
    local_authority: str | None
    indicators: list[IndicatorReportOut]


class TrendPoint(BaseModel):
    """One period of a trend: what was reported for it (its snapshot), else what is worked out now."""

    period: PeriodOut
    value: Number | None
    numerator: Number | None = None
    denominator: Number | None = None
    reported_at: datetime | None = None
    """When the snapshot shown was taken; None when no snapshot exists and the value is worked out now."""
    now: Number | None = None
    """The value worked out now."""
    now_numerator: Number | None = None
    now_denominator: Number | None = None
    correction: Number | None = None
    """How far the value worked out now has moved from the snapshot (now − reported); None when they agree."""
