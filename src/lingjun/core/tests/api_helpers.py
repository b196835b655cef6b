"""Helpers shared by the API test modules (imported, not collected)."""

from __future__ import annotations

import io
import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLES = ("bureau", "centre", "region", "institution", "assessor", "trainee")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 costs ~0.3 s per hash; the API suite creates hundreds of users. Tests that are about the
    hasher itself set PASSWORD_HASHERS back explicitly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def assert_error(response, status: int, code: str, fields: dict | None = None) -> dict:
    """Assert API.md's error model: exactly {code, detail, errors}, a Chinese detail, well-formed field
    errors with Chinese messages; optionally that `fields` (field → code) are among the field errors."""
    assert response.status_code == status, (response.status_code, response.content.decode()[:500])
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and CJK.search(body["detail"]), body
    assert isinstance(body["errors"], list)
    for err in body["errors"]:
        assert set(err) == {"field", "code", "message"}, err
        assert CJK.search(err["message"]), err
    if fields:
        got = {e["field"]: e["code"] for e in body["errors"]}
        for field, field_code in fields.items():
            assert got.get(field) == field_code, (field, got)
    return body


def open_xlsx(response):
    import openpyxl

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_MIME
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]
