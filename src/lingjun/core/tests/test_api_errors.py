"""API.md's error model: every refusal is {code, detail, errors} with a Chinese detail and the right status."""

import pytest

from lingjun.accounts.models import LoginFailure
from lingjun.conftest import ApiClient
from lingjun.core.tests.api_helpers import CJK, assert_error


def _cases(programme, make_user, api_as):
    bureau = api_as("bureau")
    region = api_as("region", region="110000")
    locked = make_user("centre")
    LoginFailure.objects.bulk_create([LoginFailure(username=locked.username, client_ip="127.0.0.1")] * 5)
    p = programme.pk
    return [
        ("malformed json", bureau.post("programmes", raw="{oops"), 400, "malformed_json"),
        ("no token", ApiClient().get("programmes"), 401, "not_authenticated"),
        ("bad token", ApiClient("lj_bogus").get("programmes"), 401, "invalid_token"),
        (
            "bad password",
            ApiClient().post("auth/token", {"username": "x", "password": "y"}),
            401,
            "invalid_credentials",
        ),
        (
            "role",
            region.post(
                "programmes",
                {
                    "year": 2040,
                    "title": "t",
                    "target_trainees": 1,
                    "registration_deadline": "2040-08-31",
                    "planned_classes": 1,
                },
            ),
            403,
            "forbidden",
        ),
        ("missing", bureau.get(f"programmes/{p + 100}"), 404, "not_found"),
        ("out of scope", region.get(f"programmes/{p}/work-info/310000"), 404, "not_found"),
        ("rule", bureau.patch(f"programmes/{p}", {"status": "draft"}), 409, "invalid_transition"),
        ("field", bureau.put(f"programmes/{p}/quotas", {"quotas": {"110000": -1}}), 422, "invalid_quota"),
        ("schema", bureau.post("institutions", {"name": 5}), 422, "invalid_string"),
        (
            "throttled",
            ApiClient().post("auth/token", {"username": locked.username, "password": "z"}),
            429,
            "too_many_attempts",
        ),
    ]


def test_every_error_body_has_exactly_code_detail_errors_in_chinese(db, programme, make_user, api_as):
    for label, response, status, code in _cases(programme, make_user, api_as):
        body = assert_error(response, status, code)
        assert CJK.search(body["detail"]), label
        assert response["Content-Type"].startswith("application/json"), label


def test_field_errors_name_the_field_in_chinese(api_as):
    r = api_as("bureau").post("programmes", {"year": "x"})
    body = assert_error(r, 422, "invalid_integer")
    year = next(e for e in body["errors"] if e["field"] == "year")
    assert year["code"] == "invalid_integer" and "年度" in year["message"]
    missing = next(e for e in body["errors"] if e["field"] == "title")
    assert missing["code"] == "required" and "名称" in missing["message"]


def test_unknown_fields_are_ignored_not_fatal(api_as):
    r = api_as("bureau").post("institutions", {"name": "忽略多余字段大学", "kind": "other", "colour": "red"})
    assert r.status_code == 201


def test_chinese_is_not_escaped_in_json(api_as):
    r = api_as("bureau").get("programmes/999999")
    assert "不存在".encode() in r.content


@pytest.mark.parametrize("path", ["programmes/abc", "programmes/abc/quotas"])
def test_non_numeric_ids_are_refused_in_the_error_model(api_as, path):
    r = api_as("bureau").get(path)
    assert r.status_code in (404, 422)
    assert_error(r, r.status_code, r.json()["code"])


# --- answers produced before any handler runs (found by fuzzing: plain text / HTML before) ------------------


def test_a_method_the_route_does_not_have_is_405_in_the_error_model(api_as):
    r = api_as("centre").request("DELETE", "regions")
    body = assert_error(r, 405, "method_not_allowed")
    assert "GET" in r["Allow"] and body["errors"] == []


def test_an_unknown_api_address_is_404_in_the_error_model(api_as):
    assert_error(api_as("centre").get("no-such-thing"), 404, "not_found")


def test_pages_keep_their_html_error_pages(page_client):
    r = page_client("centre").get("/no-such-page/")
    assert r.status_code == 404 and "text/html" in r["Content-Type"]


# --- NUL characters (found by fuzzing on PostgreSQL: a 500 there, silently stored on SQLite) ----------------


def test_a_nul_character_in_a_json_body_is_refused_and_nothing_is_stored(api_as):
    from lingjun.institutions.models import Institution

    r = api_as("centre").post("institutions", {"name": "测试\u0000学院", "kind": "university"})
    assert_error(r, 422, "invalid_characters")
    assert not Institution.objects.filter(name__contains="测试").exists()


def test_a_nul_character_in_the_query_or_path_is_refused(api_as):
    centre = api_as("centre")
    assert_error(centre.get("programmes?status=%00x"), 422, "invalid_characters")
    assert_error(centre.get("certificates/LJ%00"), 422, "invalid_characters")


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api_as):
    r = api_as("centre").post("institutions", raw='{"name": "路径\\\\u0000学院", "kind": "university"}')
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "路径\\u0000学院"
