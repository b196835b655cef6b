from ninja import Schema


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


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def page(qs, limit: int, offset: int):
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    return {"items": list(qs[offset: offset + limit]), "count": qs.count()}
