"""JSON request bodies that cannot exhaust the stack: nesting deeper than any body the API takes is a 400."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

__all__ = ("MAX_JSON_DEPTH", "JsonDepthLimitedRequest")

MAX_JSON_DEPTH = 32
"""Far deeper than any body the API takes (an event with its sessions is 3 levels)."""


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (counted without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JsonDepthLimitedRequest(Request[Any, Any, Any]):
    """A request whose JSON body is refused with 400 when nested too deeply, instead of a RecursionError (500)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep") from None
        if isinstance(value, (dict, list)) and _deeper_than(value, MAX_JSON_DEPTH):
            raise ClientException(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
        return value
