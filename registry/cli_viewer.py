"""The viewer that command-line use cases run as."""

from __future__ import annotations

from registry.accounts.rules import Role, Viewer

__all__ = ("COMMAND_LINE",)

# Commands are run by whoever has shell access to the deployment, which is an admin's power anyway.
COMMAND_LINE = Viewer(user_id=0, email="command-line", name="Command line", role=Role.ADMIN)
