"""OpenAPI pieces shared by the API controllers: the error answers every route can give, and model schemas that
say what validation enforces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Reference, Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

__all__ = ("ERROR_RESPONSES", "ErrorBody", "ModelSchemaPlugin")


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


def _standard_formats(schema: Schema | Reference) -> None:
    """Litestar writes URLs as ``format: url``, which JSON Schema does not know; ``uri`` is the standard name."""
    if not isinstance(schema, Schema):
        return
    if schema.format == OpenAPIFormat.URL:
        schema.format = OpenAPIFormat.URI
    _number_not_integer_or_number(schema)
    for child in (*(schema.properties or {}).values(), *(schema.one_of or ()), *(schema.any_of or ())):
        _standard_formats(child)
    if schema.items is not None:
        _standard_formats(schema.items)


def _number_not_integer_or_number(schema: Schema) -> None:
    """``int | float`` comes out as ``oneOf: [integer, number]``, which no whole number satisfies (it matches
    both); the type is simply ``number`` (with ``null`` when optional)."""
    kinds = [c.type for c in schema.one_of or () if isinstance(c, Schema)]
    if len(kinds) == len(schema.one_of or ()) and {OpenAPIType.INTEGER, OpenAPIType.NUMBER} <= set(kinds):
        rest = [c for c in schema.one_of or () if isinstance(c, Schema) and c.type not in {OpenAPIType.INTEGER}]
        schema.one_of = rest if len(rest) > 1 else None
        if len(rest) == 1:
            schema.type = OpenAPIType.NUMBER


class ModelSchemaPlugin(PydanticSchemaPlugin):
    """Litestar's pydantic schemas, plus ``additionalProperties: false`` for models that refuse extra fields, so a
    client generated from the document does not send fields the API answers 400 to; URLs as ``format: uri``."""

    @classmethod
    def for_pydantic_model(cls, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().for_pydantic_model(field_definition=field_definition, schema_creator=schema_creator)
        if getattr(field_definition.annotation, "model_config", {}).get("extra") == "forbid":
            schema.additional_properties = False
        _standard_formats(schema)
        return schema
