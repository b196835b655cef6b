"""POST/GET /api/v1/institutions (SPEC §3.3, issue #2)."""

import pytest

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import ROLES, assert_error
from lingjun.institutions.models import Institution


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_bureau_and_centre_add_institutions(api_as, role):
    client = api_as(role)
    r = client.post(
        "institutions", {"name": "清华大学", "kind": "university", "tracks": ["regional", "theme"]}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"] and body["name"] == "清华大学" and body["kind"] == "university"
    assert body["tracks"] == ["regional", "theme"]
    inst = Institution.objects.get(pk=body["id"])
    assert inst.name == "清华大学"
    entry = AuditEntry.objects.get(action="institution.create", object_id=str(inst.pk))
    assert entry.actor == client.user and entry.after == {
        "name": "清华大学",
        "kind": "university",
        "tracks": ["regional", "theme"],
    }


def test_tracks_are_optional_and_deduplicated_and_name_trimmed(api_as):
    r = api_as("centre").post("institutions", {"name": "  中国中小企业国际合作协会 ", "kind": "association"})
    assert (
        r.status_code == 201 and r.json()["tracks"] == [] and r.json()["name"] == "中国中小企业国际合作协会"
    )
    r = api_as("centre").post(
        "institutions", {"name": "浙江大学", "kind": "university", "tracks": ["regional", "regional"]}
    )
    assert r.json()["tracks"] == ["regional"]


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_other_roles_cannot_add_institutions(api_as, role):
    client = api_as(role)
    before = Institution.objects.count()
    assert_error(client.post("institutions", {"name": "野鸡大学", "kind": "other"}), 403, "forbidden")
    assert Institution.objects.count() == before
    assert not Institution.objects.filter(name="野鸡大学").exists()


def test_anonymous_cannot_add_or_list(db, anon):
    assert_error(anon.post("institutions", {"name": "某大学", "kind": "other"}), 401, "not_authenticated")
    assert_error(anon.get("institutions"), 401, "not_authenticated")
    assert not Institution.objects.exists()


def test_duplicate_name_is_409_institution_exists(api_as):
    centre = api_as("centre")
    first = centre.post("institutions", {"name": "北京大学", "kind": "university"}).json()
    r = centre.post("institutions", {"name": " 北京大学 ", "kind": "other"})
    assert_error(r, 409, "institution_exists", {"name": "institution_exists"})
    assert Institution.objects.filter(name="北京大学").count() == 1
    assert Institution.objects.get(pk=first["id"]).kind == "university"


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"name": "某大学", "kind": "college"}, "kind", "invalid_choice"),
        ({"name": "某大学", "kind": ""}, "kind", "invalid_choice"),
        ({"name": "   ", "kind": "other"}, "name", "required"),
        ({"name": "院" * 101, "kind": "other"}, "name", "too_long"),
        ({"name": "某大学", "kind": "other", "tracks": ["cooking"]}, "tracks", "invalid_choice"),
        ({"kind": "other"}, "name", "required"),
        ({"name": "某大学"}, "kind", "required"),
    ],
)
def test_bad_institutions_are_422(api_as, data, field, code):
    r = api_as("bureau").post("institutions", data)
    assert_error(r, 422, code, {field: code})
    assert not Institution.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_any_user_lists_institutions(api_as, role):
    for name, kind in [
        ("清华大学", "university"),
        ("人才交流中心培训部", "talent_centre"),
        ("某协会", "association"),
    ]:
        Institution.objects.create(name=name, kind=kind)
    client = api_as(role)  # an institution user brings its own institution: count what is there
    total = Institution.objects.count()
    r = client.get("institutions")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == total and len(body["items"]) == total
    assert {"id", "name", "kind", "tracks"} <= set(body["items"][0])
    assert "清华大学" in {x["name"] for x in body["items"]}


def test_list_filters_and_pages(api_as):
    for i in range(5):
        Institution.objects.create(name=f"大学{i}", kind="university")
    Institution.objects.create(name="某协会", kind="association")
    client = api_as("centre")
    body = client.get("institutions", {"kind": "association"}).json()
    assert body["count"] == 1 and body["items"][0]["name"] == "某协会"
    body = client.get("institutions", {"q": "大学"}).json()
    assert body["count"] == 5
    body = client.get("institutions", {"kind": "university", "limit": 2, "offset": 1}).json()
    assert body["count"] == 5 and [x["name"] for x in body["items"]] == ["大学1", "大学2"]
