"""OpenAPI pieces shared by the API controllers: the error answers every route can give, and model schemas that
say what validation enforces."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Reference, Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from pydantic import BaseModel

from registry.validation import SchemaPattern

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


def _schema_pattern(annotation: Any) -> str | None:
    """The SchemaPattern a field's type carries, looking through ``Annotated`` and ``X | None``."""
    if get_origin(annotation) is Annotated:
        found = next((m.pattern for m in annotation.__metadata__ if isinstance(m, SchemaPattern)), None)
        return found or _schema_pattern(get_args(annotation)[0])
    if get_origin(annotation) in {Union, type(int | None)}:
        return next((p for arg in get_args(annotation) if (p := _schema_pattern(arg))), None)
    return None


def _with_pattern(schema: Schema | Reference, pattern: str) -> None:
    """The pattern on the property's string schema (each string branch of a ``oneOf``)."""
    if not isinstance(schema, Schema):
        return
    if schema.type == OpenAPIType.STRING:
        schema.pattern = pattern
    for child in schema.one_of or ():
        _with_pattern(child, pattern)


def _without_null(schema: Schema | Reference) -> Schema | Reference:
    """The property's schema without its ``null`` choice: for a field a change may leave out but not clear."""
    if not isinstance(schema, Schema):
        return schema
    if schema.one_of:
        rest = [c for c in schema.one_of if not (isinstance(c, Schema) and c.type == OpenAPIType.NULL)]
        if len(rest) == 1:
            only = rest[0]
            if isinstance(only, Schema) and schema.description and not only.description:
                return replace(only, description=schema.description)
            return only
        return replace(schema, one_of=rest)
    if isinstance(schema.type, list | tuple) and OpenAPIType.NULL in schema.type:
        kinds = [t for t in schema.type if t != OpenAPIType.NULL]
        return replace(
            schema,
            type=kinds[0] if len(kinds) == 1 else kinds,
            enum=[v for v in schema.enum if v is not None] if schema.enum is not None else None,
        )
    return schema


def _say_what_code_checks(model: type[BaseModel], schema: Schema) -> None:
    """Patterns of the types whose check is code (SchemaPattern), and no ``null`` for the fields of a change
    that must not be cleared (the model's ``NOT_NULL``): the document then allows what the API accepts."""
    not_null = set(getattr(model, "NOT_NULL", ()))
    for name, field in model.model_fields.items():
        properties = schema.properties or {}
        if name not in properties:
            continue
        pattern = next((m.pattern for m in field.metadata if isinstance(m, SchemaPattern)), None)
        if pattern := pattern or _schema_pattern(field.annotation):
            _with_pattern(properties[name], pattern)
        if name in not_null:
            properties[name] = _without_null(properties[name])


class ModelSchemaPlugin(PydanticSchemaPlugin):
    """Litestar's pydantic schemas, plus ``additionalProperties: false`` for models that refuse extra fields, so a
    client generated from the document does not send fields the API answers 400 to; URLs as ``format: uri``;
    the patterns and non-null fields of the checks written in code (``_say_what_code_checks``)."""

    @classmethod
    def for_pydantic_model(cls, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().for_pydantic_model(field_definition=field_definition, schema_creator=schema_creator)
        model = field_definition.annotation
        if getattr(model, "model_config", {}).get("extra") == "forbid":
            schema.additional_properties = False
        if isinstance(model, type) and issubclass(model, BaseModel):
            _say_what_code_checks(model, schema)
        _standard_formats(schema)
        return schema
