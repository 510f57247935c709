"""create_app(): plugins, routes and lifespan — assembly only, no logic."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.pydantic import PydanticInitPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from registry import db
from registry.accounts.invitation_pages import InvitationApi, InvitationPages, PasswordPages
from registry.accounts.pages import AccountPages
from registry.accounts.sso_pages import SsoAdminPages, SsoPages
from registry.accounts.token_pages import ApiTokenPages
from registry.accounts.user_pages import UserPages
from registry.audit.web import AuditApi, AuditPages
from registry.events.api import BookingApi, EventApi
from registry.events.evaluation_api import EvaluationApi
from registry.events.evaluation_pages import EvaluationPages
from registry.events.host_pages import EventHostPages
from registry.events.pages import BookingPages, EventPages
from registry.events.roster_pages import CertificatePage, EventRosterPages, MaterialPages
from registry.exports.api import ExportsApi, document_export_formats
from registry.exports.pages import ExportPages
from registry.exports.report_pages import ReportPage
from registry.home.pages import HomePage
from registry.jobs import scheduler_lifespan
from registry.learning.api import CompetenceApi, LearningApi, VerificationApi
from registry.learning.framework_pages import FrameworkPages
from registry.learning.pack_pages import RenewalPackPages
from registry.learning.pages import LearningPages, VerificationPages
from registry.learning_time.api import LearningTimeApi
from registry.learning_time.pages import LearningTimePages
from registry.logs import RequestIdMiddleware, install_request_ids, log_formatters
from registry.metrics.api import MetricPlanApi, MetricsApi
from registry.metrics.pages import MetricsPages
from registry.metrics.plan_pages import PlanPages
from registry.notify.pages import CalendarFeeds, CalendarPages, OutboxPages
from registry.people.api import OrganisationApi, PractitionerApi
from registry.people.email_change_pages import EmailChangePages
from registry.people.pages import ImportPages, OrganisationPages, PractitionerPages
from registry.privacy.api import PrivacyApi
from registry.privacy.pages import PrivacyPages
from registry.registration.api import RegistrationApi, RegistrationClaimApi
from registry.registration.pages import RegistrationClaimPages, RegistrationPages
from registry.settings import PROJECT_ROOT, get_settings
from registry.web.auth import AuthMiddleware
from registry.web.bodies import JsonDepthLimitedRequest
from registry.web.deps import DEPENDENCIES
from registry.web.errors import exception_handlers
from registry.web.health import HealthChecks
from registry.web.openapi import ModelSchemaPlugin
from registry.web.security import security_headers
from registry.web.templating import SERVICE_NAME, make_template_engine

__all__ = ("create_app",)

log = logging.getLogger(__name__)
GOVUK_DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"


@asynccontextmanager
async def database_lifespan(_: Litestar) -> AsyncIterator[None]:
    """The PostgreSQL pool, or SQLite's kept-open connections, for as long as the app runs (closed on its loop)."""
    await db.open_pool()
    try:
        yield
    finally:
        await db.close_pool()


@asynccontextmanager
async def sqlite_lifespan(_: Litestar) -> AsyncIterator[None]:
    """Without a pool on PostgreSQL, still close SQLite's connections of this loop at shutdown."""
    try:
        yield
    finally:
        if db.is_sqlite():
            await db.close_pool()


def create_app(*, database_pool: bool = True) -> Litestar:
    """The web app. ``database_pool=False`` leaves PostgreSQL connections unpooled: for test clients whose
    lifespan runs on another event loop than the test code sharing the engine. (SQLite's connections are
    kept per event loop either way.)"""
    settings = get_settings()
    install_request_ids()
    if not (GOVUK_DIST / "govuk-frontend.min.css").exists():
        log.warning("GOV.UK Frontend assets are missing: run `npm ci` (./scripts/run does it)")
    return Litestar(
        route_handlers=[
            HealthChecks,
            AccountPages,
            SsoPages,
            SsoAdminPages,
            PasswordPages,
            InvitationPages,
            InvitationApi,
            ApiTokenPages,
            PractitionerPages,
            OrganisationPages,
            ImportPages,
            EmailChangePages,
            OrganisationApi,
            PractitionerApi,
            RegistrationPages,
            RegistrationClaimPages,
            RegistrationApi,
            RegistrationClaimApi,
            LearningPages,
            LearningTimePages,
            VerificationPages,
            RenewalPackPages,
            FrameworkPages,
            CalendarFeeds,
            CalendarPages,
            OutboxPages,
            EventPages,
            EventHostPages,
            BookingPages,
            EventApi,
            BookingApi,
            EvaluationApi,
            EvaluationPages,
            CompetenceApi,
            LearningApi,
            LearningTimeApi,
            VerificationApi,
            MetricsApi,
            ExportsApi,
            AuditApi,
            AuditPages,
            PrivacyApi,
            PrivacyPages,
            ExportPages,
            MetricPlanApi,
            MetricsPages,
            ReportPage,
            UserPages,
            HomePage,
            EventRosterPages,
            CertificatePage,
            MaterialPages,
            PlanPages,
            create_static_files_router(path="/static/govuk", directories=[GOVUK_DIST], include_in_schema=False),
            # Only images: without the GDS Transport font files the CSS falls back to Arial, as a non-GOV.UK
            # service must.
            create_static_files_router(
                path="/assets/images",
                directories=[GOVUK_DIST / "assets" / "images"],
                include_in_schema=False,
                name="govuk-images",
            ),
            create_static_files_router(
                path="/static/app",
                directories=[PROJECT_ROOT / "registry" / "static"],
                include_in_schema=False,
                name="app-static",
            ),
        ],
        middleware=[DefineMiddleware(RequestIdMiddleware), DefineMiddleware(AuthMiddleware)],
        dependencies=DEPENDENCIES,
        before_send=[security_headers(https=settings.secure_cookies)],
        request_class=JsonDepthLimitedRequest,
        # API bodies are validated strictly (true is not a number, "3" is not an id); forms and CSV files
        # validate the same models laxly in their handlers, as their values are all text (registry.validation).
        plugins=[PydanticInitPlugin(validate_strict=True), ModelSchemaPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.resolved_secret_key(),
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            exclude=["^/api/"],  # the API takes bearer tokens only, never the session cookie
        ),
        template_config=TemplateConfig(instance=make_template_engine()),
        openapi_config=OpenAPIConfig(
            title=f"{SERVICE_NAME} API",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", description="registry tokens create")
                }
            ),
            security=[{"bearer": []}],
            # The document only: the documentation UIs load scripts from CDNs, which the CSP (rightly) refuses
            # on the origin that serves personal data. Any OpenAPI viewer can read /schema/openapi.json.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        exception_handlers=exception_handlers,
        lifespan=[database_lifespan if database_pool else sqlite_lifespan, scheduler_lifespan],
        on_startup=[document_export_formats],
        logging_config=LoggingConfig(
            formatters=log_formatters(settings.log_format),
            root={"level": "INFO", "handlers": ["queue_listener"]},
            # APScheduler reports every run at INFO; our jobs log what they did themselves.
            loggers={"apscheduler": {"level": "WARNING", "handlers": ["queue_listener"], "propagate": False}},
        ),
    )
