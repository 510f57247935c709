"""Workforce metrics: plans, their actions and indicators, and targets per period (issue 13); and the CLD
Strategy 2018–21's "Learning and Workforce Development" actions A–D with their eleven indicators, loaded as
data from ``registry/metrics/seeds/cld_strategy_2018_21.csv`` exactly as PRODUCT.md tabulates them.

The tables are frozen here as they are at this point (the app's own may grow). Codes are unique per plan
through plain ``CREATE UNIQUE INDEX`` (Piccolo's composite ``Unique`` fails on SQLite, notes/STACK.md §1.6).
The rows go in with raw SQL, the same on SQLite and PostgreSQL.
"""

import csv
from datetime import UTC, datetime
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, DoublePrecision, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics: plans, actions, indicators, targets; the CLD Strategy 2018-21"

SEED_FILE = Path(__file__).resolve().parent.parent / "registry" / "metrics" / "seeds" / "cld_strategy_2018_21.csv"


class MetricPlan(Table, tablename="metric_plan"):
    id: Serial
    code = Varchar(length=30, unique=True)
    name = Varchar(length=300)
    description = Text(default="")
    baseline_start = Date(null=True, default=None)
    baseline_end = Date(null=True, default=None)
    status = Varchar(length=20, default="active")
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()
    archived_by_email = Varchar(length=254, null=True, default=None)
    archived_at = Timestamptz(null=True, default=None)


class MetricAction(Table, tablename="metric_action"):
    id: Serial
    plan = ForeignKey(references=MetricPlan, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=10)
    title = Varchar(length=500)
    position = Integer(default=0)
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()


class MetricIndicator(Table, tablename="metric_indicator"):
    id: Serial
    plan = ForeignKey(references=MetricPlan, null=False, on_delete=OnDelete.restrict, index=True)
    action = ForeignKey(references=MetricAction, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=16)
    title = Varchar(length=500)
    metric = Varchar(length=60)
    direction = Varchar(length=10, default="up")
    position = Integer(default=0)
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()


class MetricTarget(Table, tablename="metric_target"):
    id: Serial
    indicator = ForeignKey(references=MetricIndicator, null=False, on_delete=OnDelete.restrict, index=True)
    period_start = Date()
    period_end = Date()
    value = DoublePrecision()
    set_by_email = Varchar(length=254)
    set_at = Timestamptz()


NEW_TABLES = (MetricPlan, MetricAction, MetricIndicator, MetricTarget)


async def _load_strategy() -> None:
    with SEED_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    now = datetime.now(UTC)
    first = rows[0]
    await MetricPlan.raw(
        "INSERT INTO metric_plan (code, name, description, status, created_by_email, created_at)"
        " VALUES ({}, {}, {}, {}, {}, {})",
        first["plan_code"], first["plan_name"], "Dundee Partnership CLD Strategy 2018–21 (report 34-2019)",
        "active", "migration", now,
    )  # fmt: skip
    plan_id = (await MetricPlan.raw("SELECT id FROM metric_plan WHERE code = {}", first["plan_code"]))[0]["id"]
    actions: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        if row["action_code"] not in actions:
            await MetricPlan.raw(
                "INSERT INTO metric_action (plan, code, title, position, created_by_email, created_at)"
                " VALUES ({}, {}, {}, {}, {}, {})",
                plan_id, row["action_code"], row["action_title"], len(actions) + 1, "migration", now,
            )  # fmt: skip
            found = await MetricPlan.raw(
                "SELECT id FROM metric_action WHERE plan = {} AND code = {}", plan_id, row["action_code"]
            )
            actions[row["action_code"]] = found[0]["id"]
        await MetricPlan.raw(
            "INSERT INTO metric_indicator (plan, action, code, title, metric, direction, position, created_by_email,"
            " created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            plan_id, actions[row["action_code"]], row["indicator_code"], row["indicator_title"], row["metric"],
            row["direction"], position, "migration", now,
        )  # fmt: skip


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in NEW_TABLES:
            await table.create_table(if_not_exists=True)
        await engine.run_ddl('CREATE UNIQUE INDEX metric_action_plan_code_uq ON "metric_action" ("plan", "code")')
        await engine.run_ddl('CREATE UNIQUE INDEX metric_indicator_plan_code_uq ON "metric_indicator" ("plan", "code")')
        await engine.run_ddl(
            'CREATE INDEX metric_target_indicator_period ON "metric_target" ("indicator", "period_start", "period_end")'
        )
        await _load_strategy()

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in reversed(NEW_TABLES):
            await engine.run_ddl(f"DROP TABLE {table._meta.tablename}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
