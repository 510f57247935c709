"""Hand-written pydantic models of CLDSC registration history for the API and the record-a-change form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from registry.people.schemas import IsoDate
from registry.registration.rules import ACTIVE_STATUSES

__all__ = (
    "ChangeState",
    "RegistrationChangeIn",
    "RegistrationClaimOut",
    "RegistrationOut",
    "RegistrationRowOut",
    "RegistrationStatus",
    "RejectClaimIn",
    "Route",
)

RegistrationStatus = Literal["applied", "registered", "associate", "lapsed", "withdrawn"]
"""``rules.STATUSES`` as a type (a unit test keeps the two equal)."""
Route = Literal["recognised_qualification", "individual_recognition_process"]
"""``rules.ROUTES`` as a type."""
ChangeState = Literal["confirmed", "pending", "rejected"]
"""``rules.CHANGE_STATES`` as a type."""


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class RegistrationChangeIn(BaseModel):
    """A change of CLDSC registration, effective from a date; it is appended to the history."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: RegistrationStatus
    route: Route | None = Field(default=None, description="How a registered member qualified")
    membership_number: Annotated[str, StringConstraints(max_length=50)] | None = Field(
        default=None,
        description="CLDSC membership number; needed when registered or associate is claimed for confirmation",
    )
    effective_from: IsoDate = Field(description="The day the change takes effect, YYYY-MM-DD")
    renewal_due: IsoDate | None = Field(
        default=None,
        description="Registered and associate members only; when omitted, 3 years after effective_from",
    )
    note: Annotated[str, StringConstraints(max_length=500)] | None = None

    _blank = field_validator("route", "membership_number", "renewal_due", "note", mode="before")(_blank_to_none)

    @field_validator("renewal_due")
    @classmethod
    def _renewal_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        status = info.data.get("status")
        if status is not None and status not in ACTIVE_STATUSES:
            raise ValueError("only registered and associate members have a renewal date")
        effective_from = info.data.get("effective_from")
        if effective_from is not None and value <= effective_from:
            raise ValueError("must be after effective_from")
        return value


class RegistrationRowOut(BaseModel):
    """One recorded change, as it was appended."""

    id: int
    status: str
    category: str | None = Field(description="registered_member or associate_member")
    route: str | None
    membership_number: str | None
    effective_from: date
    renewal_due: date | None
    note: str
    recorded_by_email: str | None
    recorded_at: datetime
    state: ChangeState = Field(description="confirmed (counts), pending (awaiting confirmation) or rejected")
    decided_by_email: str | None = Field(description="Who confirmed or rejected it")
    decided_at: datetime | None
    decision_note: str = Field(description="Why a claim was rejected")


class RegistrationOut(BaseModel):
    """A practitioner's registration today and the whole history behind it."""

    practitioner_id: int
    status_today: str = Field(description="none, applied, registered, associate, lapsed or withdrawn")
    category: str | None = Field(description="Category of the current cycle")
    membership_number: str | None = Field(description="The latest membership number recorded by today")
    renewal_due: date | None = Field(description="Renewal date of the current registration cycle")
    days_to_renewal: int | None = Field(description="Days until renewal_due; negative when overdue")
    awaiting_confirmation: list[RegistrationRowOut] = Field(
        description="Claims recorded but not yet confirmed: they do not count until a confirmer confirms them"
    )
    history: list[RegistrationRowOut] = Field(description="Every recorded change, newest first")


class RegistrationClaimOut(BaseModel):
    """A claimed change waiting for a partner admin, lead or admin to confirm it against the CLDSC register."""

    id: int = Field(description="The registration change")
    practitioner_id: int
    given_name: str
    family_name: str
    organisation: str = Field(description="Organisation code")
    status: str
    category: str | None
    route: str | None
    membership_number: str | None
    effective_from: date
    renewal_due: date | None
    note: str
    recorded_by_email: str | None
    recorded_at: datetime


class RejectClaimIn(BaseModel):
    """Why the claim is not confirmed; the practitioner is told."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
