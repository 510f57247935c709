"""The Piccolo app: every table of the registry and the top-level ``migrations/`` folder."""

from __future__ import annotations

from piccolo.conf.apps import AppConfig

from registry.accounts.tables import (
    ApiToken,
    PasswordResetRequest,
    SignInLink,
    SsoLogin,
    SsoProvider,
    Throttle,
    User,
    UserSession,
)
from registry.audit.tables import AuditEntry
from registry.events.tables import (
    Booking,
    BookingHistory,
    Evaluation,
    Event,
    EventCompetence,
    EventMaterial,
    EventSession,
)
from registry.learning.tables import (
    Competence,
    Framework,
    LearningNeed,
    LearningRecord,
    LearningRecordCompetence,
    PlGoal,
)
from registry.learning_time.tables import LearningTimeAdjustment, LearningTimePolicy, TimeRequest
from registry.metrics.tables import MetricAction, MetricIndicator, MetricPlan, MetricSnapshot, MetricTarget
from registry.notify.tables import (
    CalendarFeed,
    CalendarInvite,
    CalendarSessionInvite,
    NotificationPreference,
    OutboxMessage,
)
from registry.people.tables import (
    EmailChange,
    HoursChange,
    ImportReport,
    LineManagerChange,
    Organisation,
    Practitioner,
)
from registry.registration.tables import CldscRegistration
from registry.settings import PROJECT_ROOT

__all__ = ("APP_CONFIG", "TABLES")

# Dependency order: a table comes after the tables it references.
TABLES = [
    Organisation,
    Practitioner,
    CldscRegistration,
    User,
    UserSession,
    ApiToken,
    Framework,
    Competence,
    PlGoal,
    LearningRecord,
    LearningRecordCompetence,
    LearningNeed,
    Event,
    EventSession,
    EventCompetence,
    EventMaterial,
    Booking,
    BookingHistory,
    Evaluation,
    OutboxMessage,
    CalendarInvite,
    CalendarSessionInvite,
    CalendarFeed,
    NotificationPreference,
    SignInLink,
    SsoProvider,
    SsoLogin,
    LineManagerChange,
    EmailChange,
    Throttle,
    PasswordResetRequest,
    HoursChange,
    LearningTimePolicy,
    LearningTimeAdjustment,
    TimeRequest,
    MetricPlan,
    MetricAction,
    MetricIndicator,
    MetricTarget,
    MetricSnapshot,
    ImportReport,
    AuditEntry,
]

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=PROJECT_ROOT / "migrations",
    table_classes=list(TABLES),
)
