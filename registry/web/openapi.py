"""OpenAPI pieces shared by the API controllers: the error answers every route can give."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec

__all__ = ("ERROR_RESPONSES", "ErrorBody")


@dataclass
class ErrorBody:
    """Every 4xx answer: the status and a ``detail`` saying what is wrong."""

    status_code: int
    detail: str


ERROR_RESPONSES: dict[int, ResponseSpec] = {
    400: ResponseSpec(data_container=ErrorBody, description="Bad input; detail names the fields"),
    401: ResponseSpec(data_container=ErrorBody, description="No valid bearer token"),
    403: ResponseSpec(data_container=ErrorBody, description="Your role does not allow this"),
    404: ResponseSpec(data_container=ErrorBody, description="Does not exist, or is not yours to see"),
    409: ResponseSpec(data_container=ErrorBody, description="Clashes with what is recorded"),
}
