"""/api/v1/programmes: create, read, edit and the draft → open → closed → archived flow (SPEC §3.1)."""

import pytest

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import ROLES, assert_error
from lingjun.programmes.models import Programme, Quota


def payload(**over):
    data = {
        "year": 2031,
        "title": "2031年中小企业经营管理领军人才培训",
        "notice_number": "工信厅企业函〔2031〕1号",
        "target_trainees": 800,
        "min_manufacturing_share": 0.3,
        "registration_deadline": "2031-08-31",
        "planned_classes": 10,
        "days_per_class": 4,
        "tracks": ["specialized", "integration"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not ...}


def snapshot(programme_id):
    return Programme.objects.filter(pk=programme_id).values().get()


# --- create -------------------------------------------------------------------------------------------


def test_bureau_creates_a_programme_in_draft(api_as):
    bureau = api_as("bureau")
    r = bureau.post("programmes", payload())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"] and body["status"] == "draft"
    assert body["year"] == 2031 and body["target_trainees"] == 800 and body["min_manufacturing_share"] == 0.3
    assert body["registration_deadline"] == "2031-08-31" and body["tracks"] == ["specialized", "integration"]
    p = Programme.objects.get(pk=body["id"])
    assert p.status == "draft" and p.notice_number == "工信厅企业函〔2031〕1号"
    assert Quota.objects.filter(programme=p).count() == 37  # one quota row per region, all 0
    entry = AuditEntry.objects.get(action="programme.create", object_id=str(p.pk))
    assert entry.actor == bureau.user and entry.after["year"] == 2031 and entry.to_state == "draft"


def test_optional_fields_may_be_left_out(api_as):
    r = api_as("bureau").post(
        "programmes", payload(notice_number=..., min_manufacturing_share=..., tracks=..., days_per_class=...)
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["days_per_class"] == 4 and body["min_manufacturing_share"] is None and body["tracks"] == []


def test_explicit_status_is_kept(api_as):
    r = api_as("bureau").post("programmes", payload(status="open"))
    assert r.status_code == 201 and r.json()["status"] == "open"


@pytest.mark.parametrize("role", ["centre", "region", "institution", "assessor", "trainee"])
def test_only_the_bureau_creates_programmes(api_as, role):
    assert_error(api_as(role).post("programmes", payload()), 403, "forbidden")
    assert not Programme.objects.filter(year=2031).exists()


def test_anonymous_cannot_create(db, anon):
    assert_error(anon.post("programmes", payload()), 401, "not_authenticated")


def test_same_year_twice_is_409_and_no_second_row(api_as):
    bureau = api_as("bureau")
    first = bureau.post("programmes", payload()).json()
    r = bureau.post("programmes", payload(title="另一个计划"))
    assert_error(r, 409, "programme_year_exists", {"year": "programme_year_exists"})
    assert Programme.objects.filter(year=2031).count() == 1
    assert Programme.objects.get(year=2031).title == first["title"]


def test_type_errors_are_422_per_field(api_as):
    r = api_as("bureau").post(
        "programmes", payload(year="二〇三一", registration_deadline="2031-02-30", planned_classes=2.5)
    )
    assert_error(
        r,
        422,
        "invalid_integer",
        {
            "year": "invalid_integer",
            "registration_deadline": "invalid_date",
            "planned_classes": "invalid_integer",
        },
    )
    assert Programme.objects.count() == 0


def test_rule_errors_are_422_per_field(api_as):
    r = api_as("bureau").post(
        "programmes",
        payload(
            year=1999,
            title="   ",
            target_trainees=0,
            planned_classes=0,
            days_per_class=31,
            min_manufacturing_share=1.5,
            tracks=["cooking"],
            status="published",
        ),
    )
    body = assert_error(
        r,
        422,
        "out_of_range",
        {
            "year": "out_of_range",
            "title": "required",
            "target_trainees": "out_of_range",
            "planned_classes": "out_of_range",
            "days_per_class": "out_of_range",
            "min_manufacturing_share": "invalid_share",
            "tracks": "invalid_choice",
            "status": "invalid_choice",
        },
    )
    assert len(body["errors"]) == 8
    assert Programme.objects.count() == 0


def test_missing_required_fields_are_named(api_as):
    r = api_as("bureau").post("programmes", {"title": "只有名称"})
    body = assert_error(r, 422, "required")
    assert {e["field"] for e in body["errors"]} >= {
        "year",
        "target_trainees",
        "registration_deadline",
        "planned_classes",
    }
    assert all(e["code"] == "required" for e in body["errors"])


@pytest.mark.parametrize("field", ["year", "target_trainees", "planned_classes", "days_per_class"])
def test_a_boolean_is_not_an_integer(api_as, field):
    r = api_as("bureau").post("programmes", payload(**{field: True}))
    assert_error(r, 422, "invalid_integer", {field: "invalid_integer"})
    assert Programme.objects.count() == 0


def test_a_boolean_is_not_a_share(api_as):
    r = api_as("bureau").post("programmes", payload(min_manufacturing_share=True))
    assert_error(r, 422, "invalid_number", {"min_manufacturing_share": "invalid_number"})
    assert Programme.objects.count() == 0


def test_a_boolean_is_refused_in_a_patch_too(api_as, programme):
    before = snapshot(programme.pk)
    r = api_as("bureau").patch(f"programmes/{programme.pk}", {"target_trainees": False})
    assert_error(r, 422, "invalid_integer", {"target_trainees": "invalid_integer"})
    assert snapshot(programme.pk) == before


@pytest.mark.parametrize("raw", ['{"year": 2031, "title": ', "not json", "{'year': 2031}"])
def test_malformed_json_is_400(api_as, raw):
    r = api_as("bureau").post("programmes", raw=raw)
    assert_error(r, 400, "malformed_json")
    assert Programme.objects.count() == 0


def test_a_json_array_is_not_a_programme(api_as):
    r = api_as("bureau").post("programmes", raw="[1, 2]")
    assert r.status_code in (400, 422)
    assert_error(r, r.status_code, r.json()["code"])
    assert Programme.objects.count() == 0


# --- read ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_any_user_lists_and_reads_programmes(api_as, programme, role):
    client = api_as(role)
    r = client.get("programmes")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["id"] == programme.pk
    r = client.get(f"programmes/{programme.pk}")
    assert r.status_code == 200
    assert r.json()["year"] == 2030 and r.json()["status"] == "open" and r.json()["title"] == programme.title


def test_list_filters_by_status_and_pages(api_as, programme):
    bureau = api_as("bureau")
    for year in (2031, 2032):
        assert bureau.post("programmes", payload(year=year)).status_code == 201
    body = bureau.get("programmes").json()
    assert body["count"] == 3 and [p["year"] for p in body["items"]] == [2032, 2031, 2030]
    body = bureau.get("programmes", {"status": "draft"}).json()
    assert body["count"] == 2 and {p["status"] for p in body["items"]} == {"draft"}
    body = bureau.get("programmes", {"limit": 1, "offset": 1}).json()
    assert body["count"] == 3 and [p["year"] for p in body["items"]] == [2031]


def test_unknown_programme_is_404(api_as, programme):
    assert_error(api_as("centre").get(f"programmes/{programme.pk + 999}"), 404, "not_found")


def test_programmes_need_a_signed_in_user(db, anon, programme):
    assert_error(anon.get("programmes"), 401, "not_authenticated")
    assert_error(anon.get(f"programmes/{programme.pk}"), 401, "not_authenticated")


# --- edit ---------------------------------------------------------------------------------------------


def test_bureau_edits_and_the_change_is_audited_field_by_field(api_as, programme):
    bureau = api_as("bureau")
    r = bureau.patch(
        f"programmes/{programme.pk}", {"title": "新名称", "target_trainees": 900, "reason": "通知调整"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "新名称" and r.json()["target_trainees"] == 900
    assert bureau.get(f"programmes/{programme.pk}").json()["title"] == "新名称"
    entry = AuditEntry.objects.get(action="programme.update", object_id=str(programme.pk))
    assert entry.actor == bureau.user and entry.reason == "通知调整"
    assert entry.before == {"title": programme.title, "target_trainees": 800}
    assert entry.after == {"title": "新名称", "target_trainees": 900}


@pytest.mark.parametrize("role", ["centre", "region", "institution", "assessor", "trainee"])
def test_only_the_bureau_edits(api_as, programme, role):
    before = snapshot(programme.pk)
    assert_error(api_as(role).patch(f"programmes/{programme.pk}", {"title": "改"}), 403, "forbidden")
    assert snapshot(programme.pk) == before


def test_patch_unknown_programme_is_404(api_as, programme):
    assert_error(api_as("bureau").patch(f"programmes/{programme.pk + 999}", {"title": "x"}), 404, "not_found")


def test_patch_with_bad_values_changes_nothing(api_as, programme):
    before = snapshot(programme.pk)
    r = api_as("bureau").patch(f"programmes/{programme.pk}", {"title": "好名称", "target_trainees": -5})
    assert_error(r, 422, "out_of_range", {"target_trainees": "out_of_range"})
    assert snapshot(programme.pk) == before


def test_patch_to_a_year_already_taken_is_409(api_as, programme):
    bureau = api_as("bureau")
    other = bureau.post("programmes", payload()).json()
    before = snapshot(other["id"])
    r = bureau.patch(f"programmes/{other['id']}", {"year": 2030})
    assert_error(r, 409, "programme_year_exists")
    assert snapshot(other["id"]) == before


def test_clearing_the_manufacturing_share(api_as, programme):
    bureau = api_as("bureau")
    p = bureau.post("programmes", payload()).json()
    r = bureau.patch(f"programmes/{p['id']}", {"min_manufacturing_share": None})
    assert r.status_code == 200 and r.json()["min_manufacturing_share"] is None


# --- status flow --------------------------------------------------------------------------------------


def test_the_full_status_flow(api_as):
    bureau = api_as("bureau")
    pid = bureau.post("programmes", payload()).json()["id"]
    for status in ("open", "closed", "archived"):
        r = bureau.patch(f"programmes/{pid}", {"status": status})
        assert r.status_code == 200, (status, r.content)
        assert r.json()["status"] == status
    steps = AuditEntry.objects.filter(action="programme.update", object_id=str(pid)).order_by("id")
    assert [(e.from_state, e.to_state) for e in steps] == [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "archived"),
    ]


def test_a_closed_programme_may_reopen(api_as, programme):
    bureau = api_as("bureau")
    assert bureau.patch(f"programmes/{programme.pk}", {"status": "closed"}).status_code == 200
    r = bureau.patch(f"programmes/{programme.pk}", {"status": "open"})
    assert r.status_code == 200 and r.json()["status"] == "open"


def _set_status(programme, status):
    Programme.objects.filter(pk=programme.pk).update(status=status)


@pytest.mark.parametrize(
    "current, target",
    [
        ("draft", "archived"),
        ("draft", "closed"),
        ("open", "draft"),
        ("open", "archived"),
        ("closed", "draft"),
        ("archived", "open"),
        ("archived", "closed"),
        ("archived", "draft"),
    ],
)
def test_illegal_transitions_are_409(api_as, programme, current, target):
    _set_status(programme, current)
    before = snapshot(programme.pk)
    r = api_as("bureau").patch(f"programmes/{programme.pk}", {"status": target, "title": "顺带改名"})
    assert_error(r, 409, "invalid_transition")
    assert snapshot(programme.pk) == before
    assert not AuditEntry.objects.filter(action="programme.update").exists()


def test_an_archived_programme_cannot_be_edited(api_as, programme):
    _set_status(programme, "archived")
    before = snapshot(programme.pk)
    r = api_as("bureau").patch(f"programmes/{programme.pk}", {"title": "改名"})
    body = assert_error(r, 409, "programme_archived")
    assert "归档" in body["detail"]
    assert snapshot(programme.pk) == before


def test_status_is_validated_before_the_flow(api_as, programme):
    r = api_as("bureau").patch(f"programmes/{programme.pk}", {"status": "cancelled"})
    assert_error(r, 422, "invalid_choice", {"status": "invalid_choice"})
