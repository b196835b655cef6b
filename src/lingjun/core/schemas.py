from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _refuse_booleans(error_type: str):
    # JSON true/false would otherwise be read as 1/0 (bool is an int in Python): `"target_trainees": true`
    # must be refused as "not a number", not stored as one trainee.
    def check(value):
        if isinstance(value, bool):
            raise PydanticCustomError(error_type, "Input should be a valid number")
        return value

    return BeforeValidator(check)


Int = Annotated[int, _refuse_booleans("int_type")]
"""An integer field of a request body: numbers and numeric strings, never true/false."""
Number = Annotated[float, _refuse_booleans("float_type")]


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[FieldErrorOut] = []


class WarningOut(Schema):
    code: str
    message: str


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def page(qs, limit: int, offset: int):
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}
