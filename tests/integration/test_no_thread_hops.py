"""Nothing on a request's way runs in Litestar's thread pool (issue 17): a guard, a ``before_send`` hook or a
dependency written as a plain function is run there, one thread hop each on every request — four of them
halved the throughput of ``/health``."""

from __future__ import annotations

import inspect

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler


def _handlers(app: Litestar) -> list[HTTPRouteHandler]:
    return [h for route in app.routes for h in getattr(route, "route_handlers", []) if isinstance(h, HTTPRouteHandler)]


def test_every_guard_of_every_route_is_a_coroutine(app: Litestar) -> None:
    handlers = _handlers(app)
    assert len(handlers) > 100
    threaded = {
        f"{sorted(h.http_methods)} {h.paths}: {getattr(guard, '__name__', guard)}"
        for h in handlers
        for layer in h.ownership_layers
        for guard in layer.guards or []
        if not inspect.iscoroutinefunction(guard)
    }
    assert not threaded, threaded


def test_before_send_hooks_are_coroutines(app: Litestar) -> None:
    hooks = [getattr(hook, "func", hook) for hook in app.before_send]
    assert hooks
    assert all(inspect.iscoroutinefunction(hook) for hook in hooks), hooks


def test_no_dependency_is_run_in_a_thread(app: Litestar) -> None:
    threaded = {
        f"{h.paths}: {name}"
        for h in _handlers(app)
        for name, provider in h.resolve_dependencies().items()
        if provider.has_sync_callable and provider.sync_to_thread
    }
    assert not threaded, threaded
