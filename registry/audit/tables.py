"""The audit log's one table. Rows are only ever added: the database itself refuses to change or delete
one (triggers made by migration m0026), except through the retention purge (registry.audit.service.purge),
which lifts the guard inside its own transaction."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("AuditEntry",)


class AuditEntry(Table, tablename="audit_entry"):
    """One thing someone did: ``actor`` did ``action`` to ``subject`` at ``at``."""

    id: Serial
    at = Timestamptz(index=True)
    actor_user_id = Integer(null=True, default=None)
    """The sign-in that acted; empty for the command line and the scheduler."""
    actor_email = Varchar(length=254)
    actor_role = Varchar(length=20)
    action = Varchar(length=60, index=True)
    """What was done, as a dotted name: ``export``, ``sign_in.failed``, ``user.role_changed`` …"""
    subject = Varchar(length=200, default="")
    """What it was done to: ``participation``, ``practitioner:12`` …"""
    summary = Text(default="")
    """The same in words, for the log's readers."""
    details = Text(default="{}")
    """JSON: the filters of an export and its stated purpose, the old and new value of a change …"""
