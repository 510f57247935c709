"""Demo professional learning: a believable year of logged learning, goals, needs and verifications.

Loaded through the same services as real use (the learning CSV import, goals, needs, verification), from
a fixed seed, and only when no learning is recorded yet.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from registry import clock
from registry.accounts.rules import Role, Viewer
from registry.cli_viewer import COMMAND_LINE
from registry.learning import service, verification
from registry.learning.rules import KINDS
from registry.learning.schemas import GoalIn, LearningNeedIn
from registry.learning.tables import LearningRecord
from registry.people.tables import Practitioner

__all__ = ("load_learning",)

TITLES = {
    "course": ("Trauma-informed practice (level 2)", "Mental Health First Aid", "Child protection refresher"),
    "conference": ("Youth Work Scotland annual conference", "CLD Standards Council gathering"),
    "online_learning": ("Digital youth work basics", "ESOL pedagogy online module"),
    "professional_reading": ("Reading: Learning for Democracy", "Reading: CLD Plan guidance"),
    "peer_support": ("Peer mentoring with a senior worker", "Coaching conversations"),
    "shadowing": ("Shadowing an adult literacies group", "Shadowing a community council meeting"),
    "community_of_practice": ("Detached youth work network", "Family learning practice group"),
    "practitioner_enquiry": ("Enquiry: who is not coming to our groups?",),
    "working_group": ("Locality participatory budgeting group",),
}
REFLECTIONS = (
    "I changed how I open sessions: the group now agrees its own ground rules.",
    "This gave me language to explain our approach to school staff.",
    "I will try shorter, more frequent sessions for parents who work shifts.",
    "Made me rethink how we record outcomes with learners.",
)
NEEDS = (
    ("C4", "Participatory budgeting with young people"),
    ("C7", "Evaluating outcomes without burdening learners"),
    ("C5", "Funding applications and budgets"),
    ("C6", "Joint planning with school staff"),
    ("C3", "Digital skills for adult learners"),
)


def _learning_csv(rows: list[dict[str, object]], today: date) -> str:
    rng = random.Random(2019)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "completed_on", "title", "kind", "hours", "competences", "protected_time", "reflection"])
    for practitioner in rows:
        if rng.random() < 0.25:
            continue  # some people record nothing: the metrics should show it
        for _ in range(rng.randint(1, 6)):
            kind = rng.choice([k for k in KINDS if k in TITLES])
            completed = today - timedelta(days=rng.randint(5, 700))
            if completed < practitioner["started_on"]:  # type: ignore[operator]
                continue
            competences = rng.sample([f"C{i}" for i in range(1, 8)], rng.randint(1, 3))
            writer.writerow(
                [
                    practitioner["email"], completed.isoformat(), rng.choice(TITLES[kind]), kind,
                    rng.choice((1, 1.5, 2, 3, 3.5, 6, 7)), ";".join(sorted(competences)),
                    "yes" if rng.random() < 0.5 else "no", rng.choice(REFLECTIONS) if rng.random() < 0.7 else "",
                ]
            )  # fmt: skip
    return out.getvalue()


async def load_learning(practitioner_email: str, manager_email: str) -> str:
    """Load the demo learning unless some is recorded; the named practitioner gets a goal and a verified record."""
    if await LearningRecord.exists():
        return "learning already recorded; none added"
    today = clock.today()
    people = await Practitioner.select(Practitioner.id, Practitioner.email, Practitioner.started_on).where(
        Practitioner.left_on.is_null()
    )
    result = await service.import_learning(COMMAND_LINE, _learning_csv(people, today))
    rng = random.Random(2020)
    for practitioner in rng.sample(people, min(25, len(people))):
        code, text = rng.choice(NEEDS)
        await service.record_need(COMMAND_LINE, practitioner["id"], LearningNeedIn(competence=code, description=text))
    own = next((p for p in people if p["email"] == practitioner_email), None)
    if own is not None:
        eilidh = Viewer(0, practitioner_email, "Demo practitioner", Role.PRACTITIONER, practitioner_id=own["id"])
        await service.add_goal(eilidh, own["id"], GoalIn(title="Build young people's voice into school partnerships"))
        records, _ = await service.list_records(eilidh, own["id"], limit=1)
        if records:
            await verification.request_verification(eilidh, own["id"], records[0].id, manager_email)
            manager = Viewer(0, manager_email, "Demo manager", Role.MANAGER)
            await verification.verify(manager, records[0].id, "Discussed in supervision: clear impact on group work.")
    return f"learning records {result}; 25 learning needs"
