"""Which query computes which metric key of METRICS.md."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from registry.learning.rules import Period
from registry.metrics import counts, shares
from registry.metrics.rules import MetricResult
from registry.metrics.sql import Scope

__all__ = ("COMPUTE", "MetricQuery")

MetricQuery = Callable[[Sequence[Period], Scope, bool], Awaitable[list[MetricResult]]]
"""``(periods, scope, detail)`` → one result per period, in order; ``detail`` adds the first's breakdown."""

COMPUTE: dict[str, MetricQuery] = {
    "shared_learning_needs": counts.shared_learning_needs,
    "collaborative_learning_partners": counts.collaborative_learning_partners,
    "school_qualified_involvement": shares.school_qualified_involvement,
    "learning_opportunities": counts.learning_opportunities,
    "participation": counts.participation,
    "cldsc_registration_rate": shares.cldsc_registration_rate,
    "competence_linked_learning": shares.competence_linked_learning,
    "cldsc_awareness": counts.cldsc_awareness,
    "verified_learning_share": shares.verified_learning_share,
    "protected_time": shares.protected_time,
    "part_time_access_ratio": shares.part_time_access_ratio,
}
