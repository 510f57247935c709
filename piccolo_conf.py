"""For Piccolo's own command line (``piccolo migrations ...``): the registry's engine and apps."""

from registry.piccolo_conf import APP_REGISTRY, DB

__all__ = ("APP_REGISTRY", "DB")
