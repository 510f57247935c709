"""Hand-written pydantic models of protected learning time: policies, adjustments, time requests, the team."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from annotated_types import Interval
from pydantic import AllowInfNan, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from registry.learning.schemas import Competences, Hours, Kind, LongText, Title, _codes
from registry.people.schemas import IsoDate
from registry.validation import FINANCIAL_YEAR_PATTERN, SchemaPattern

__all__ = (
    "AdjustmentIn",
    "AdjustmentOut",
    "PolicyIn",
    "PolicyOut",
    "TeamMemberOut",
    "TimeRequestDecisionIn",
    "TimeRequestIn",
    "TimeRequestLogIn",
    "TimeRequestOut",
)

YearHours = Annotated[float, Interval(ge=0, le=2000), AllowInfNan(False)]
WeeklyHours = Annotated[float, Interval(gt=0, le=60), AllowInfNan(False)]
AdjustmentHours = Annotated[float, Interval(ge=-500, le=500), AllowInfNan(False)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PolicyIn(_Strict):
    """An organisation's protected learning time from a date."""

    hours_per_year: YearHours = Field(description="Protected learning hours a year for a full-time post")
    full_time_weekly_hours: WeeklyHours = Field(description="The full-time weekly hours those hours are pro rata to")
    applies_from: IsoDate


class PolicyOut(BaseModel):
    id: int
    organisation: str
    hours_per_year: float
    full_time_weekly_hours: float
    applies_from: date
    set_by_email: str
    set_at: datetime


class AdjustmentIn(_Strict):
    """Extra (or, negative, fewer) protected hours for one financial year, and why."""

    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$"), SchemaPattern(FINANCIAL_YEAR_PATTERN)] = Field(
        description="The financial year, e.g. 2026-27"
    )
    hours: AdjustmentHours
    reason: Reason


class AdjustmentOut(BaseModel):
    id: int
    period: str
    hours: float
    reason: str
    recorded_by_email: str
    recorded_at: datetime


class TimeRequestIn(_Strict):
    """Protected time asked for learning outside the alliance's events."""

    title: Title
    kind: Kind
    starts_on: IsoDate
    ends_on: IsoDate | None = Field(default=None, description="The last day (default: the first day)")
    hours: Hours
    competences: Competences = Field(description="Competence codes, e.g. ['C1', 'C4']")
    purpose: LongText = Field(default="", description="What it is for: what you hope to learn")

    _split = field_validator("competences", mode="before")(_codes)


class TimeRequestDecisionIn(_Strict):
    decision: Literal["approve", "decline"]
    note: Note = ""


class TimeRequestLogIn(_Strict):
    """The learning an approved request was for, logged once done (it counts as protected time)."""

    completed_on: IsoDate | None = Field(default=None, description="Default: the request's last day")
    hours: Hours | None = Field(default=None, description="Default: the hours approved")
    reflection: LongText = ""


class TimeRequestOut(BaseModel):
    id: int
    practitioner_id: int
    practitioner_name: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    hours: float
    competences: list[str]
    purpose: str
    status: str
    manager_email: str | None
    requested_at: datetime
    decided_by_email: str | None
    decided_at: datetime | None
    decision_note: str
    learning_record_id: int | None


class TeamMemberOut(BaseModel):
    """One row of the manager's team view: the ledger and the flags."""

    practitioner_id: int
    name: str
    organisation: str
    contract: str
    weekly_hours: float
    setting: str | None
    left_on: date | None
    entitlement_hours: float
    used_hours: float
    booked_hours: float
    remaining_hours: float
    verified_hours: float
    behind: bool
    renewal_due: date | None = Field(description="When the CLDSC registration lapses, if within 90 days")
    registration_status: str
