"""Base classes for request and response bodies, and the rules every piece of client input obeys.

Two rules hold for every field of every request body, nested models, lists and dict keys
included, because `RequestBody` applies them to its whole validation schema rather than
trusting each field to ask for them:

- Text is text PostgreSQL can store: no NUL (`\\u0000`, refused by `text` and `jsonb` alike)
  and no lone UTF-16 surrogate (a JSON `"\\ud800"` decodes to a Python string that has no
  UTF-8 form). Either is a 422, never a driver error.
- Types are strict where pydantic would otherwise guess: `"no"` is not a boolean, `true` and
  `2.0` are not integers, `"3"` is not a number. FastAPI validates a JSON body in pydantic's
  Python mode, where a model-wide `strict=True` would also refuse UUID, date and enum values
  written as JSON strings; so strictness is set on the int, bool and float validators alone,
  and everything JSON can only spell as a string is still read from one.

Code that reads text cells (a CSV import) validates with `strict=False`, which pydantic lets
override the strictness set here; the text rule holds regardless.
"""

import re
from collections.abc import Iterator
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError
from pydantic_core import core_schema as cs

# NUL, and the surrogate range: a surrogate in a Python string is always a lone one.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT_MESSAGE: Final = (
    "contains a character that cannot be stored (NUL or a lone UTF-16 surrogate)"
)
_STRICT_TYPES: Final = frozenset({"int", "bool", "float"})
# Schema keys whose values are not validation schemas (JSON Schema text, serializers, ...).
_NOT_VALIDATION: Final = frozenset({"metadata", "serialization", "ref", "default", "expected"})


def unstorable(text: str) -> bool:
    """Whether `text` holds a character PostgreSQL cannot store."""
    return _UNSTORABLE.search(text) is not None


def storable_text(value: str) -> str:
    if unstorable(value):
        raise PydanticCustomError("unstorable_text", UNSTORABLE_TEXT_MESSAGE)
    return value


def _nested_strings(value: Any) -> Iterator[str]:
    # Iterative: a value nested a thousand deep must not exhaust the stack.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def storable_value(value: Any) -> Any:
    """The text rule for free-form values (`Any`, JSON objects held as they are)."""
    if any(unstorable(text) for text in _nested_strings(value)):
        raise PydanticCustomError("unstorable_text", UNSTORABLE_TEXT_MESSAGE)
    return value


# For text outside request bodies (query parameters, form values): the same rule.
Text = Annotated[str, AfterValidator(storable_text)]


def _is_text_check(schema: dict[str, Any]) -> bool:
    function = schema.get("function")
    return isinstance(function, dict) and function.get("function") in (
        storable_text,
        storable_value,
    )


def _harden(node: Any) -> Any:
    """`node` (a core schema, or part of one) with the two rules applied everywhere."""
    if isinstance(node, list):
        return [_harden(item) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_text_check(node):
        return node  # a nested model's schema, hardened when that model was built
    kind = node.get("type")
    hardened = {
        key: value if key in _NOT_VALIDATION else _harden(value) for key, value in node.items()
    }
    if kind in _STRICT_TYPES:
        hardened["strict"] = True
    if kind == "str":
        return cs.no_info_after_validator_function(storable_text, hardened)
    if kind == "any":
        return cs.no_info_after_validator_function(storable_value, hardened)
    return hardened


class RequestBody(BaseModel):
    """Client input: unknown fields are an error, not silently dropped; text is storable and
    types are strict (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema: CoreSchema = _harden(handler(source))
        return schema


class ResponseBody(BaseModel):
    model_config = ConfigDict(from_attributes=True)
