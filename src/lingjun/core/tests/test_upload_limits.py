"""Upload and request-size limits: a region officer uploading an oversized or booby-trapped file gets a
Chinese sentence and a machine code, never a server error, and nothing is imported."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lingjun.core.tests.api_helpers import CJK, assert_error
from lingjun.registrations.importer import MAX_UNCOMPRESSED_BYTES
from lingjun.registrations.models import ImportBatch, Registration
from lingjun.registrations.tests.conftest import set_quota
from lingjun.registrations.tests.test_import import row_for, upload, workbook

BOMB_MEMBER = "xl/media/image1.bin"


def _bomb(inflated: int = MAX_UNCOMPRESSED_BYTES + 8 * 1024 * 1024) -> bytes:
    """A real 附件4 workbook plus one member of zeros that inflates past the limit (about 1000:1)."""
    buffer = io.BytesIO(workbook([row_for()]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open(BOMB_MEMBER, "w", force_zip64=False) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def _lie_about_sizes(data: bytes, member: str, declared: int = 1000) -> bytes:
    """Rewrite the member's declared uncompressed size (local header and central directory) to `declared`, as a
    hand-made bomb does: any check that trusts the declared sizes now lets it through."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04")
    while local != -1:
        n_len = struct.unpack("<H", out[local + 26 : local + 28])[0]
        if out[local + 30 : local + 30 + n_len] == name:
            out[local + 22 : local + 26] = struct.pack("<I", declared)
            break
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        n_len = struct.unpack("<H", out[central + 28 : central + 30])[0]
        if out[central + 46 : central + 46 + n_len] == name:
            out[central + 24 : central + 28] = struct.pack("<I", declared)
            break
        central = out.find(b"PK\x01\x02", central + 4)
    with zipfile.ZipFile(io.BytesIO(bytes(out))) as zf:
        assert zf.getinfo(member).file_size == declared
    return bytes(out)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb()


@pytest.fixture
def region_api(api_as, programme):
    set_quota(programme, "110000", 10)
    return api_as("region", region="110000")


def test_the_bomb_is_small_on_the_wire(bomb):
    assert len(bomb) < 1024 * 1024  # passes the 10 MB upload limit: only the inflated size gives it away


def test_a_zip_bomb_workbook_is_refused_with_a_chinese_message(region_api, programme, bomb):
    started = time.perf_counter()
    body = assert_error(
        upload(region_api, programme, bomb), 422, "file_too_large", {"file": "file_too_large"}
    )
    assert "解压后过大" in body["detail"]
    assert time.perf_counter() - started < 10
    assert Registration.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_a_bomb_that_lies_about_its_size_is_refused_too(region_api, programme, bomb):
    liar = _lie_about_sizes(bomb, BOMB_MEMBER)
    body = assert_error(
        upload(region_api, programme, liar), 422, "file_too_large", {"file": "file_too_large"}
    )
    assert "解压后过大" in body["detail"]
    assert Registration.objects.count() == 0


def test_an_ordinary_workbook_still_imports(region_api, programme):
    r = upload(region_api, programme, workbook([row_for()]))
    assert r.status_code == 200, r.content.decode()[:500]
    assert r.json()["created"] == 1


def test_a_file_over_10_mb_is_refused(region_api, programme):
    body = assert_error(
        upload(region_api, programme, b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024)), 422, "file_too_large"
    )
    assert "10 MB" in body["detail"]


def test_the_import_page_shows_the_bomb_refusal_in_chinese(page_client, programme, bomb):
    set_quota(programme, "110000", 10)
    client = page_client("region", region="110000")
    response = client.post(
        f"/programmes/{programme.pk}/registrations/import/",
        {"file": SimpleUploadedFile("附件4.xlsx", bomb), "mode": "partial"},
    )
    assert response.status_code in (200, 422)
    assert "解压后过大" in response.content.decode()
    assert Registration.objects.count() == 0


def test_an_oversized_json_body_is_413_in_the_error_model(api_as):
    bureau = api_as("bureau")
    r = bureau.post("programmes", raw=json.dumps({"title": "长" * (3 * 1024 * 1024)}))
    body = assert_error(r, 413, "request_too_large")
    assert "5 MB" in body["detail"]


def test_a_malformed_multipart_body_is_400_not_a_server_error(region_api, programme):
    r = region_api.client.post(
        f"/api/v1/programmes/{programme.pk}/registrations/import",
        data=b"x" * (1024 * 1024),
        content_type="multipart/form-data; boundary=zzz",
        headers=region_api._headers(),
    )
    body = assert_error(r, 400, "malformed_request")
    assert CJK.search(body["detail"])
