"""Hand-written pydantic models for learning records, goals, needs, verification and progress."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from annotated_types import Interval, MaxLen, MinLen
from pydantic import AllowInfNan, AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from registry.learning.rules import KINDS, MAX_HOURS, MIN_HOURS
from registry.people.schemas import IsoDate
from registry.validation import RecordId

__all__ = (
    "CompetenceOut",
    "CompetenceProgress",
    "GoalIn",
    "GoalOut",
    "LearningNeedIn",
    "LearningNeedOut",
    "LearningRecordIn",
    "LearningRecordOut",
    "LearningRecordPatch",
    "LearningTimeOut",
    "Progress",
    "QueueItem",
    "ReturnIn",
    "VerificationRequestIn",
    "VerifyIn",
)

Kind = Literal[
    "course", "conference", "event", "online_learning", "professional_reading", "peer_support", "shadowing",
    "community_of_practice", "practitioner_enquiry", "working_group", "secondment", "formal_study", "reflection",
    "other",
]  # fmt: skip
assert set(Kind.__args__) == set(KINDS)  # type: ignore[attr-defined]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
# annotated-types rather than Field(), so that the OpenAPI document keeps the limits of optional fields too.
Hours = Annotated[float, Interval(ge=MIN_HOURS, le=MAX_HOURS), AllowInfNan(False)]
CompetenceCode = Annotated[str, StringConstraints(min_length=1, max_length=20)]
MAX_COMPETENCES = 50
Competences = Annotated[list[CompetenceCode], MinLen(1), MaxLen(MAX_COMPETENCES)]


def _codes(value: object) -> object:
    # Only text is tidied: anything else is left for validation to refuse (a number is not a code).
    if isinstance(value, str):
        return [part.strip().upper() for part in value.replace(",", ";").split(";") if part.strip()]
    if isinstance(value, list):
        return [v.strip().upper() if isinstance(v, str) else v for v in value if not isinstance(v, str) or v.strip()]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompetenceOut(BaseModel):
    code: str
    title: str
    kind: str


class LearningRecordIn(_Strict):
    """A learning record as the practitioner writes it (or as the learning CSV has it)."""

    title: Title
    kind: Kind
    completed_on: IsoDate
    hours: Hours
    competences: Competences = Field(description="Competence codes, e.g. ['C1', 'C4']")
    goal_id: RecordId | None = None
    reflection: LongText = ""
    protected_time: bool = False
    evidence_url: AnyHttpUrl | None = None

    _split = field_validator("competences", mode="before")(_codes)

    @field_validator("evidence_url", mode="before")
    @classmethod
    def _blank_url(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class LearningRecordPatch(_Strict):
    """Changes to a learning record; omitted fields stay as they are."""

    NOT_NULL: ClassVar[tuple[str, ...]] = (
        "title", "kind", "completed_on", "hours", "competences", "reflection", "protected_time"
    )  # fmt: skip
    """Fields a change may leave out but not clear (``null`` is refused)."""

    title: Title | None = None
    kind: Kind | None = None
    completed_on: IsoDate | None = None
    hours: Hours | None = None
    competences: Competences | None = None
    goal_id: RecordId | None = None
    reflection: LongText | None = None
    protected_time: bool | None = None
    evidence_url: AnyHttpUrl | None = None

    _split = field_validator("competences", mode="before")(_codes)


class LearningRecordOut(BaseModel):
    id: int
    practitioner_id: int
    title: str
    kind: str
    completed_on: date
    hours: float
    competences: list[str]
    goal_id: int | None
    protected_time: bool
    evidence_url: str | None
    source: str
    reflection: str | None = Field(description="null when the caller may not read it")
    verification_state: str
    verifier_email: str | None
    review_note: str | None = Field(description="null when the caller may not read it")
    return_comment: str | None = Field(description="null when the caller may not read it")
    verified_at: datetime | None
    verified_by: str | None


class VerificationRequestIn(_Strict):
    verifier_email: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254)
    ]


class VerifyIn(_Strict):
    review_note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class ReturnIn(_Strict):
    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class GoalIn(_Strict):
    title: Title
    description: LongText = ""


class GoalOut(BaseModel):
    id: int
    practitioner_id: int
    title: str
    description: str
    created_at: datetime
    achieved_on: date | None


class LearningNeedIn(_Strict):
    competence: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=20)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class LearningNeedOut(BaseModel):
    id: int
    practitioner_id: int
    competence: str
    description: str
    recorded_by: str
    recorded_on: date


class QueueItem(BaseModel):
    """A record waiting for the verifier."""

    record_id: int
    practitioner_id: int
    practitioner_name: str
    title: str
    completed_on: date
    hours: float
    requested_at: datetime | None


class CompetenceProgress(BaseModel):
    code: str
    title: str
    hours: float


class Progress(BaseModel):
    """Hours against the CLDSC pro-rata requirement over one period."""

    label: str
    start: date
    end: date
    required_pl_hours: float
    learning_hours: float
    verified_hours: float
    protected_hours: float
    per_competence: list[CompetenceProgress]

    @property
    def share_done(self) -> float:
        return min(1.0, self.learning_hours / self.required_pl_hours) if self.required_pl_hours else 1.0


class LearningTimeOut(BaseModel):
    """INTERFACE.md: protected learning time and the CLDSC pro-rata requirement for a period."""

    period: str
    entitlement_hours: float
    used_hours: float
    booked_hours: float
    remaining_hours: float
    required_pl_hours: float
    learning_hours: float
