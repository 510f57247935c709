"""The metrics the registry computes, keyed as METRICS.md names them, with what each counts in its words.

The help texts are what the dashboard shows beside each number and what a lead quotes in a report: they
follow METRICS.md's definitions word for word where it gives words, and say how a filter narrows each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ("ACTIVE_POPULATION", "METRICS", "MetricDefinition", "MetricKind")

MetricKind = Literal["count", "share", "ratio"]
"""``count``: a whole number; ``share``: a fraction of 1 (shown as a percentage); ``ratio``: 1.0 is parity."""

ACTIVE_POPULATION = (
    "The active population A(P) is the practitioners who started on or before the period's last day and have "
    "not left, or left after it."
)
_EVENT_IN_P = "An event is in the period when it is not cancelled and its first session starts on a date within it."


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    key: str
    name: str
    kind: MetricKind
    help: str
    filters: str
    """How an organisation or local authority filter narrows it."""


METRICS: dict[str, MetricDefinition] = {
    m.key: m
    for m in (
        MetricDefinition(
            "shared_learning_needs", "Shared learning needs", "count",
            "The number of competences for which learning needs recorded in the period come from 2 or more "
            "organisations.",
            "With a filter: those of the competences for which the chosen organisations recorded a need "
            "(the 2 or more organisations are counted across the alliance).",
        ),
        MetricDefinition(
            "collaborative_learning_partners", "Partners in collaborative learning", "count",
            "Distinct organisations with at least one attendance at an event in the period that had attendees "
            f"from 2 or more organisations. {_EVENT_IN_P} An attendance is a booking marked attended.",
            "With a filter: the chosen organisations among them (an event's attendees from 2 or more "
            "organisations are counted across the alliance).",
        ),
        MetricDefinition(
            "school_qualified_involvement", "CLD-qualified staff in schools taking part", "share",
            "The share of A(P) with setting school and CLD qualified who have an attendance at an event in the "
            f"period or learning in the period. {ACTIVE_POPULATION}",
            "With a filter: the chosen organisations' practitioners only.",
        ),
        MetricDefinition(
            "learning_opportunities", "Learning opportunities", "count",
            f"The number of events in the period. {_EVENT_IN_P}",
            "With a filter: events hosted by the chosen organisations.",
        ),
        MetricDefinition(
            "participation", "Participation", "count",
            "Attendances at events in the period (bookings marked attended). Beside it: unique participants, the "
            "participation rate (members of A(P) with an attendance out of A(P)) and the hours of learning in the "
            f"period. {_EVENT_IN_P}",
            "With a filter: attendances, participants and learning of the chosen organisations' practitioners.",
        ),
        MetricDefinition(
            "cldsc_registration_rate", "CLDSC registration", "share",
            "The share of A(P) whose CLD Standards Council registration status on the period's last day is "
            "registered or associate (an associate who has applied for full membership is still an associate; a "
            f"registration past its renewal date has lapsed). {ACTIVE_POPULATION}",
            "With a filter: the chosen organisations' practitioners only.",
        ),
        MetricDefinition(
            "competence_linked_learning", "Learning linked to competences", "share",
            "The share of A(P) with learning in the period tagged with at least one competence. Hours per "
            "competence: a record counts its full hours toward each competence it names. Learning in the period "
            f"is a learning record completed within it; attending an event makes one. {ACTIVE_POPULATION}",
            "With a filter: the chosen organisations' practitioners and their learning only.",
        ),
        MetricDefinition(
            "cldsc_awareness", "CLDSC awareness", "count",
            "Attendances at events in the period tagged with the topic cldsc. Beside it: new applications, the "
            "members of A(P) whose first registration row (any status) takes effect in the period.",
            "With a filter: attendances and applications of the chosen organisations' practitioners.",
        ),
        MetricDefinition(
            "verified_learning_share", "Verified learning", "share",
            "The share of learning in the period by members of A(P) that a verifier has reviewed (attendance alone "
            "is not verification). Beside it: the share of A(P) with a line manager on the period's last day or a "
            "named verifier on their learning in the period.",
            "With a filter: the chosen organisations' practitioners only.",
        ),
        MetricDefinition(
            "protected_time", "Protected learning time", "share",
            "The share of the hours of learning in the period by members of A(P) taken in protected time (all "
            "learning from attending events, and self-recorded learning flagged so). Beside it: the share of A(P) "
            "whose learning hours in the period are at least their required PL hours (weekly hours × days of the "
            "period employed / 365, to one decimal).",
            "With a filter: the chosen organisations' practitioners only.",
        ),
        MetricDefinition(
            "part_time_access_ratio", "Part-time access to learning", "ratio",
            "The share of part-time members of A(P) (part-time or sessional contracts) with an attendance at an "
            "event in the period, divided by the same share for full-time members; 1.0 is parity. Empty when a "
            "group has no members, or no full-time member attended. Volunteers are their own group.",
            "With a filter: the chosen organisations' practitioners only.",
        ),
    )
}  # fmt: skip
