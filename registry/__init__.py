"""CLD Workforce Registry: practitioners, their professional learning and shared learning events."""

from __future__ import annotations

import os

# Piccolo finds its engine by importing the module named here; the package's own configuration is the
# one place that knows how to read REGISTRY_DATABASE_URL, whatever the working directory.
os.environ.setdefault("PICCOLO_CONF", "registry.piccolo_conf")

__all__ = ()
