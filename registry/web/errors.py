"""One place that turns errors into answers: JSON with a ``detail`` on the API, GOV.UK pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.scope.state import ScopeState

from registry.accounts.rules import ADMIN_ROLES
from registry.errors import DomainError, Invalid
from registry.validation import plain

__all__ = ("exception_handlers",)

log = logging.getLogger(__name__)

_TITLES = {
    400: "There is a problem with what was sent",
    401: "You need to sign in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "That clashes with what is already recorded",
    413: "The file is too large",
    429: "Too many attempts",
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/schema")


def _page(request: Request[Any, Any, Any], status: int, detail: str) -> Response[Any]:
    return Template(
        template_name="error.html",
        context={"status": status, "title": _TITLES.get(status, "Sorry, there is a problem"), "detail": detail},
        status_code=status,
    )


def _validation_detail(exc: ValidationException) -> tuple[str, dict[str, str]]:
    fields: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            fields.setdefault(key, plain(str(item.get("message", "is not valid"))))
    if not fields:
        return str(exc.detail), {}
    return "; ".join(f"{k}: {v}" for k, v in fields.items()), fields


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_api(request):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if isinstance(exc, Invalid):
            body["problems"] = exc.lines
        return Response(body, status_code=exc.status_code)
    return _page(request, exc.status_code, exc.detail)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = str(exc.detail)
    if isinstance(exc, ValidationException):
        detail, fields = _validation_detail(exc)
        if _is_api(request):
            return Response({"status_code": status, "detail": detail, "fields": fields}, status_code=status)
    if _is_api(request):
        return Response({"status_code": status, "detail": detail}, status_code=status, headers=exc.headers)
    if isinstance(exc, NotAuthorizedException) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/sign-in?next={quote(target, safe='')}")
    if status == 413 or detail == "Request Entity Too Large":
        return _too_large(request)
    if detail == "CSRF token verification failed":
        detail = "The form had expired. Go back, reload the page and try again."
    return _page(request, status, detail)


_TOO_LARGE = "The selected file must be smaller than 5 MB: split it into smaller files"


def _too_large(request: Request[Any, Any, Any]) -> Response[Any]:
    """A body over the server's limit, refused while it was read: the import page again with what to do, or a
    page that says so (never a bare error)."""
    from registry.web.pages import render  # the pages' helpers import this module's neighbours

    state = ScopeState.from_scope(request.scope)
    # Refused before the CSRF check ran: the page's forms take the cookie's token again.
    if not isinstance(state.csrf_token, str) or not state.csrf_token:
        state.csrf_token = request.cookies.get("csrftoken", "")
    if request.url.path == "/import":
        viewer = request.scope.get("user")
        return render(
            request, "people/import.html", status_code=413, errors={"file": _TOO_LARGE}, kind="practitioners",
            can_import_organisations=viewer is not None and viewer.role in ADMIN_ROLES, form={},
        )  # fmt: skip
    return _page(request, 413, "The file is too large to upload: go back and choose a smaller one (10 MB at most).")


def _number_out_of_range(exc: Exception) -> bool:
    """An id or number too large for the database (SQLite raises OverflowError; asyncpg a DataError)."""
    return isinstance(exc, OverflowError) or (
        type(exc).__name__ == "DataError" and "out of" in str(exc) and "range" in str(exc)
    )


def _database_unavailable(exc: Exception) -> bool:
    """The database went away (restarted, failed over, or the network to it dropped): the request can be tried
    again in a moment, and the pool reconnects by itself."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    names = {kind.__name__ for kind in type(exc).__mro__}
    return bool(names & {"PostgresConnectionError", "ConnectionDoesNotExistError", "OperatorInterventionError",
                         "InterfaceError", "InternalClientError"})  # fmt: skip


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        detail = (
            "The registry's database is not answering just now. Check whether your change was saved, then try again"
            " in a moment."
        )
        response = (
            Response({"status_code": 503, "detail": detail}, status_code=503)
            if _is_api(request)
            else _page(request, 503, detail)
        )
        response.headers["Retry-After"] = "5"
        return response
    if _number_out_of_range(exc):
        detail = "A number in the request is too large"
        if _is_api(request):
            return Response({"status_code": 400, "detail": detail}, status_code=400)
        return _page(request, 400, detail)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    detail = "Something went wrong on our side. Try again later."
    if _is_api(request):
        return Response({"status_code": 500, "detail": detail}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
    return _page(request, 500, detail)


exception_handlers: dict[type[Exception] | int, Any] = {
    DomainError: domain_error,
    HTTPException: http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: server_error,
}
