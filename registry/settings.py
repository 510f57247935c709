"""One frozen settings object, read from the environment (prefix ``REGISTRY_``) or a ``.env`` file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ("PROJECT_ROOT", "Settings", "get_settings")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Deployment settings; the names are part of the public interface (INTERFACE.md)."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite:///var/registry.sqlite3"
    """``sqlite:///relative/or/absolute/path`` or ``postgresql://user:pass@host:5432/db``."""
    mail_url: str = "file://var/outbox"
    """Where mail goes: a folder of .eml files or an SMTP server."""
    mail_from: str = "learning-registry@example.org"
    """Sender of every message and the iCalendar ORGANIZER."""
    base_url: str = "http://127.0.0.1:8000"
    """Absolute address of the service, for links in mail and calendar entries."""
    secret_key: str = ""
    """Signs sessions and feed tokens; generated once into ``var/secret_key`` when unset."""
    old_secret_keys: str = ""
    """Earlier values of the secret key, comma-separated, while secrets stored under them are re-encrypted
    (``registry secrets rotate``, docs/security.md)."""
    scheduler: str = "on"
    """``off`` for app instances that must not run scheduled jobs."""
    timezone: str = "Europe/London"
    """How times are shown and how a local time of day is meant."""
    var_dir: Path = PROJECT_ROOT / "var"
    """Folder for the default database, the outbox and the generated secret key."""
    log_format: str = "text"
    """``json`` for one JSON object a line (time, level, logger, request_id, message), for a log collector."""
    mail_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    """How long one message may take to hand to the SMTP server before it is retried later."""
    retention_years: int = Field(default=6, ge=1, le=100)
    """Years after a practitioner's leaving day until the retention job erases their record (registry.privacy)."""
    audit_retention_years: int = Field(default=6, ge=1, le=100)
    """Years an audit log entry is kept before the retention job deletes it."""
    sqlite_engine: str = "pooled"
    """``pooled`` keeps SQLite connections open (db_sqlite.py); ``piccolo`` is Piccolo's own engine, which opens
    a connection per query: kept for comparison by ``scripts/bench``."""

    @field_validator("scheduler")
    @classmethod
    def _on_or_off(cls, value: str) -> str:
        if value not in {"on", "off"}:
            raise ValueError("must be 'on' or 'off'")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in {"text", "json"}:
            raise ValueError("must be 'text' or 'json'")
        return value

    @field_validator("sqlite_engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in {"pooled", "piccolo"}:
            raise ValueError("must be 'pooled' or 'piccolo'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def scheduler_enabled(self) -> bool:
        return self.scheduler == "on"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.database_url.startswith("sqlite:///"):
            return None
        path = Path(self.database_url.removeprefix("sqlite:///"))
        return path if path.is_absolute() else PROJECT_ROOT / path

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated on first use and kept in ``var/secret_key``."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
