"""POST/GET /programmes/{id}/classes, GET/PATCH /classes/{id} (SPEC §3.3, API.md classes rows, issue #4)."""

from __future__ import annotations

import datetime

import pytest

from lingjun.classes.models import TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error
from lingjun.institutions.models import Institution, InstitutionYearStatus

pytestmark = pytest.mark.django_db


def body(inst, **over) -> dict:
    data = {
        "number": 1,
        "track": "specialized",
        "institution": inst.pk,
        "city": "杭州",
        "venue": "西湖国宾馆",
        "start_date": "2030-10-12",
        "capacity": 60,
        "head_teacher": "周老师",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def suspend(institution, programme, reason="第三方考核排名末位"):
    return InstitutionYearStatus.objects.create(
        institution=institution, programme=programme, status="suspended", reason=reason
    )


# --- create ---------------------------------------------------------------------------------------------


def test_centre_creates_a_class_and_end_date_defaults_to_the_programme_length(api_as, programme, institution):
    r = api_as("centre").post(f"programmes/{programme.pk}/classes", body(institution))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["programme"] == programme.pk and out["number"] == 1 and out["track"] == "specialized"
    assert out["institution"] == institution.pk and out["institution_name"] == institution.name
    assert out["start_date"] == "2030-10-12"
    assert out["end_date"] == str(
        datetime.date(2030, 10, 12) + datetime.timedelta(days=programme.days_per_class - 1)
    )
    assert out["end_date"] == "2030-10-15"  # 4 days by default (SPEC §3.3)
    assert out["capacity"] == 60 and out["enrolled"] == 0 and out["status"] == "planned"
    tc = TrainingClass.objects.get(pk=out["id"])
    assert tc.city == "杭州" and tc.head_teacher == "周老师"
    entry = AuditEntry.objects.get(action="class.create", object_id=str(tc.pk))
    assert entry.actor_role == "centre"


def test_end_date_follows_days_per_class(api_as, programme, institution):
    programme.days_per_class = 6
    programme.save()
    r = api_as("centre").post(
        f"programmes/{programme.pk}/classes", body(institution, start_date="2030-12-30")
    )
    assert r.status_code == 201, r.content
    assert r.json()["end_date"] == "2031-01-04"


def test_explicit_end_date_is_kept(api_as, programme, institution):
    r = api_as("centre").post(f"programmes/{programme.pk}/classes", body(institution, end_date="2030-10-13"))
    assert r.status_code == 201, r.content
    assert r.json()["end_date"] == "2030-10-13"


@pytest.mark.parametrize("role", ["bureau", "region", "institution", "assessor", "trainee"])
def test_only_the_centre_creates_classes(api_as, programme, institution, role):
    r = api_as(role).post(f"programmes/{programme.pk}/classes", body(institution))
    assert_error(r, 403, "forbidden")
    assert not TrainingClass.objects.exists()


def test_institution_staff_cannot_create_even_for_their_own_institution(
    api_as, make_user, programme, institution
):
    staff = make_user("institution", institution=institution)
    assert_error(
        api_as(staff).post(f"programmes/{programme.pk}/classes", body(institution)), 403, "forbidden"
    )


def test_anonymous_is_401(anon, programme, institution):
    r = anon.post(f"programmes/{programme.pk}/classes", body(institution))
    assert r.status_code == 401


def test_duplicate_number_is_409(api_as, programme, institution):
    centre = api_as("centre")
    assert centre.post(f"programmes/{programme.pk}/classes", body(institution)).status_code == 201
    r = centre.post(f"programmes/{programme.pk}/classes", body(institution, city="成都"))
    assert_error(r, 409, "class_number_exists", {"number": "class_number_exists"})
    assert TrainingClass.objects.count() == 1


def test_same_number_in_another_programme_is_fine(api_as, programme, other_programme, institution):
    centre = api_as("centre")
    assert centre.post(f"programmes/{programme.pk}/classes", body(institution)).status_code == 201
    r = centre.post(f"programmes/{other_programme.pk}/classes", body(institution, start_date="2031-10-12"))
    assert r.status_code == 201, r.content


def test_suspended_institution_cannot_be_given_a_class(api_as, programme, other_programme, institution):
    suspend(institution, programme)
    centre = api_as("centre")
    r = centre.post(f"programmes/{programme.pk}/classes", body(institution))
    assert_error(r, 409, "institution_suspended", {"institution": "institution_suspended"})
    assert not TrainingClass.objects.exists()
    # The same institution is active in another programme year: classes there are fine.
    InstitutionYearStatus.objects.create(institution=institution, programme=other_programme, status="active")
    r = centre.post(f"programmes/{other_programme.pk}/classes", body(institution, start_date="2031-10-12"))
    assert r.status_code == 201, r.content


def test_suspension_of_another_institution_does_not_matter(api_as, programme, institution):
    other = Institution.objects.create(name="被暂停学院", kind="university")
    suspend(other, programme)
    r = api_as("centre").post(f"programmes/{programme.pk}/classes", body(institution))
    assert r.status_code == 201, r.content


def test_active_status_row_is_not_a_suspension(api_as, programme, institution):
    InstitutionYearStatus.objects.create(institution=institution, programme=programme, status="active")
    assert api_as("centre").post(f"programmes/{programme.pk}/classes", body(institution)).status_code == 201


@pytest.mark.parametrize(
    "over, field, code",
    [
        ({"track": "cooking"}, "track", "invalid_choice"),
        ({"capacity": 0}, "capacity", "invalid_integer"),
        ({"capacity": -5}, "capacity", "invalid_integer"),
        ({"number": 0}, "number", "invalid_integer"),
        ({"city": "  "}, "city", "required"),
        ({"institution": 999_999}, "institution", "unknown_institution"),
        ({"end_date": "2030-10-01"}, "end_date", "end_before_start"),
        ({"start_date": "2030-02-30"}, "start_date", "invalid_date"),
        ({"capacity": "many"}, "capacity", "invalid_integer"),
        ({"head_teacher_phone": "12345"}, "head_teacher_phone", None),
    ],
)
def test_invalid_fields_are_422(api_as, programme, institution, over, field, code):
    r = api_as("centre").post(f"programmes/{programme.pk}/classes", body(institution, **over))
    assert r.status_code == 422, r.content
    out = r.json()
    fields = {e["field"]: e["code"] for e in out["errors"]}
    assert field in fields, out
    if code:
        assert fields[field] == code, out
    assert not TrainingClass.objects.exists()


def test_missing_required_fields_are_422(api_as, programme):
    r = api_as("centre").post(f"programmes/{programme.pk}/classes", {"number": 1})
    out = assert_error(r, 422, "required")
    assert {"track", "institution", "city", "start_date", "capacity"} <= {e["field"] for e in out["errors"]}


def test_unknown_programme_is_404(api_as, institution):
    assert_error(api_as("centre").post("programmes/999999/classes", body(institution)), 404, "not_found")


# --- list and detail ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "centre", "region", "assessor", "trainee"])
def test_any_user_lists_the_classes(api_as, programme, make_class, role):
    other_inst = Institution.objects.create(name="另一学院", kind="university")
    make_class(1)
    make_class(2, inst=other_inst)
    r = api_as(role).get(f"programmes/{programme.pk}/classes")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["count"] == 2
    assert [c["number"] for c in out["items"]] == [1, 2]


def test_anonymous_cannot_list(anon, programme, klass):
    assert anon.get(f"programmes/{programme.pk}/classes").status_code == 401


def test_list_is_per_programme(api_as, programme, other_programme, make_class):
    make_class(1)
    make_class(1, prog=other_programme, start=datetime.date(2031, 10, 12))
    out = api_as("centre").get(f"programmes/{programme.pk}/classes").json()
    assert out["count"] == 1 and out["items"][0]["programme"] == programme.pk


def test_institution_staff_see_only_their_own_classes(api_as, make_user, programme, institution, make_class):
    other_inst = Institution.objects.create(name="另一学院", kind="university")
    own = make_class(1)
    theirs = make_class(2, inst=other_inst)
    staff = api_as(make_user("institution", institution=institution))
    out = staff.get(f"programmes/{programme.pk}/classes").json()
    assert out["count"] == 1 and [c["id"] for c in out["items"]] == [own.pk]
    assert staff.get(f"classes/{own.pk}").status_code == 200
    assert_error(staff.get(f"classes/{theirs.pk}"), 404, "not_found")
    # Institution staff of the other institution: the mirror image.
    other_staff = api_as(make_user("institution", institution=other_inst))
    assert_error(other_staff.get(f"classes/{own.pk}"), 404, "not_found")


def test_class_detail(api_as, klass):
    r = api_as("region").get(f"classes/{klass.pk}")
    assert r.status_code == 200
    assert r.json()["id"] == klass.pk and r.json()["city"] == "杭州"
    assert_error(api_as("centre").get("classes/999999"), 404, "not_found")


# --- update ---------------------------------------------------------------------------------------------


def test_centre_patches_a_class_and_it_is_audited(api_as, klass):
    r = api_as("centre").patch(f"classes/{klass.pk}", {"capacity": 45, "venue": "新场地", "status": "open"})
    assert r.status_code == 200, r.content
    assert r.json()["capacity"] == 45 and r.json()["venue"] == "新场地" and r.json()["status"] == "open"
    entry = AuditEntry.objects.get(action="class.update", object_id=str(klass.pk))
    assert entry.before["capacity"] == 30 and entry.after["capacity"] == 45


@pytest.mark.parametrize("role", ["bureau", "region", "institution"])
def test_only_the_centre_patches(api_as, klass, role):
    assert_error(api_as(role).patch(f"classes/{klass.pk}", {"capacity": 45}), 403, "forbidden")


def test_capacity_below_enrolled_is_409(api_as, klass):
    TrainingClass.objects.filter(pk=klass.pk).update(enrolled=20)
    centre = api_as("centre")
    r = centre.patch(f"classes/{klass.pk}", {"capacity": 19})
    assert_error(r, 409, "capacity_below_enrolled", {"capacity": "capacity_below_enrolled"})
    klass.refresh_from_db()
    assert klass.capacity == 30
    assert centre.patch(f"classes/{klass.pk}", {"capacity": 20}).status_code == 200


def test_patch_number_to_an_existing_one_is_409(api_as, make_class):
    make_class(1)
    second = make_class(2)
    r = api_as("centre").patch(f"classes/{second.pk}", {"number": 1})
    assert r.status_code == 409 and r.json()["code"] == "class_number_exists"


def test_patch_to_a_suspended_institution_is_409(api_as, programme, klass):
    other = Institution.objects.create(name="被暂停学院", kind="university")
    suspend(other, programme)
    r = api_as("centre").patch(f"classes/{klass.pk}", {"institution": other.pk})
    assert r.status_code == 409 and r.json()["code"] == "institution_suspended"


def test_patch_end_before_start_is_422(api_as, klass):
    r = api_as("centre").patch(f"classes/{klass.pk}", {"end_date": "2030-10-01"})
    assert_error(r, 422, "end_before_start")


def test_dates_cannot_move_away_from_sessions_already_timetabled(api_as, klass):
    from lingjun.classes.models import TimetableSession

    last_day = klass.end_date
    TimetableSession.objects.create(
        training_class=klass,
        date=last_day,
        start=datetime.time(9),
        end=datetime.time(11),
        title="闭幕式",
        topic_id="digital",
        format="lecture",
    )
    centre = api_as("centre")
    r = centre.patch(f"classes/{klass.pk}", {"end_date": str(last_day - datetime.timedelta(days=1))})
    body = assert_error(r, 409, "sessions_outside_dates", {"end_date": "sessions_outside_dates"})
    assert f"{last_day:%Y年%m月%d日}" in body["detail"]
    klass.refresh_from_db()
    assert klass.end_date == last_day
    # Extending the class around its sessions is fine.
    assert (
        centre.patch(
            f"classes/{klass.pk}", {"end_date": str(last_day + datetime.timedelta(days=1))}
        ).status_code
        == 200
    )


def test_a_class_with_trainees_cannot_be_cancelled(api_as, klass):
    TrainingClass.objects.filter(pk=klass.pk).update(enrolled=3)
    r = api_as("centre").patch(f"classes/{klass.pk}", {"status": "cancelled"})
    assert_error(r, 409, "class_has_trainees", {"status": "class_has_trainees"})
    klass.refresh_from_db()
    assert klass.status == "planned"
