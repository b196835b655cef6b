"""Timetable sessions: POST/GET /classes/{id}/sessions, PATCH/DELETE /sessions/{id} (SPEC §3.3: sessions of one
class never overlap; a faculty member is never in two places)."""

from __future__ import annotations

import pytest

from lingjun.classes.models import TimetableSession
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error
from lingjun.institutions.models import Institution

pytestmark = pytest.mark.django_db


def session(**over) -> dict:
    data = {
        "date": "2030-10-12",
        "start": "09:00",
        "end": "10:00",
        "title": "数字化转型与企业管理",
        "topic": "digital",
        "format": "lecture",
        "place": "第一报告厅",
    }
    data.update(over)
    return data


@pytest.fixture
def staff(api_as, make_user, institution):
    """Institution staff of the institution that teaches `klass`."""
    return api_as(make_user("institution", institution=institution))


# --- who may add ----------------------------------------------------------------------------------------


def test_centre_adds_a_session(api_as, klass, faculty):
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(faculty=faculty.pk))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["training_class"] == klass.pk and out["date"] == "2030-10-12"
    assert out["start"] == "09:00" and out["end"] == "10:00"
    assert out["topic"] == "digital" and out["format"] == "lecture" and out["place"] == "第一报告厅"
    assert out["faculty"] == faculty.pk and out["faculty_name"] == "王教授" and out["required"] is True
    entry = AuditEntry.objects.get(action="session.create", object_id=str(out["id"]))
    assert entry.actor_role == "centre" and entry.after["class"] == klass.pk


def test_the_class_institution_adds_a_session(staff, klass):
    r = staff.post(f"classes/{klass.pk}/sessions", session())
    assert r.status_code == 201, r.content
    assert AuditEntry.objects.filter(action="session.create", actor_role="institution").count() == 1


def test_another_institution_gets_404(api_as, make_user, klass):
    stranger = api_as(
        make_user("institution", institution=Institution.objects.create(name="别的学院", kind="other"))
    )
    assert_error(stranger.post(f"classes/{klass.pk}/sessions", session()), 404, "not_found")
    assert_error(stranger.get(f"classes/{klass.pk}/sessions"), 404, "not_found")
    assert not TimetableSession.objects.exists()


@pytest.mark.parametrize("role", ["region", "bureau", "assessor", "trainee"])
def test_roles_that_never_edit_timetables_get_403(api_as, klass, role):
    assert_error(api_as(role).post(f"classes/{klass.pk}/sessions", session()), 403, "forbidden")


def test_unknown_class_is_404(api_as):
    assert_error(api_as("centre").post("classes/999999/sessions", session()), 404, "not_found")


# --- listing --------------------------------------------------------------------------------------------


def test_sessions_are_listed_in_order(api_as, staff, klass, make_session):
    make_session(klass, "14:00", "16:00", title="下午")
    make_session(klass, "09:00", "11:00", title="上午")
    make_session(klass, "09:00", "11:00", date=klass.end_date, title="最后一天")
    for client in (api_as("centre"), staff, api_as("region"), api_as("bureau")):
        out = client.get(f"classes/{klass.pk}/sessions").json()
        assert out["count"] == 3, client.user.role
        assert [s["title"] for s in out["items"]] == ["上午", "下午", "最后一天"]


# --- overlap ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end",
    [
        ("09:30", "10:30"),
        ("08:00", "09:01"),
        ("09:59", "11:00"),
        ("08:00", "12:00"),
        ("09:15", "09:45"),
        ("09:00", "10:00"),
    ],
)
def test_overlap_in_the_same_class_is_409(api_as, klass, make_session, start, end):
    make_session(klass, "09:00", "10:00")
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(start=start, end=end))
    assert_error(r, 409, "session_overlap")
    assert TimetableSession.objects.count() == 1


def test_touching_boundaries_do_not_overlap(api_as, klass):
    centre = api_as("centre")
    assert centre.post(f"classes/{klass.pk}/sessions", session(start="09:00", end="10:00")).status_code == 201
    assert centre.post(f"classes/{klass.pk}/sessions", session(start="10:00", end="11:00")).status_code == 201
    assert centre.post(f"classes/{klass.pk}/sessions", session(start="08:00", end="09:00")).status_code == 201
    assert TimetableSession.objects.filter(training_class=klass).count() == 3


def test_same_time_on_another_day_or_in_another_class_is_fine(api_as, klass, make_class, make_session):
    make_session(klass, "09:00", "10:00")
    centre = api_as("centre")
    assert centre.post(f"classes/{klass.pk}/sessions", session(date="2030-10-13")).status_code == 201
    other = make_class(2)
    assert centre.post(f"classes/{other.pk}/sessions", session()).status_code == 201


# --- faculty ------------------------------------------------------------------------------------------------


def test_same_faculty_in_two_classes_at_overlapping_times_is_409(
    api_as, klass, make_class, make_session, faculty
):
    other_inst = Institution.objects.create(name="另一学院", kind="university")
    other = make_class(2, inst=other_inst)
    make_session(other, "09:30", "11:30", faculty=faculty, title="第2期的课")
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(faculty=faculty.pk))
    assert_error(r, 409, "faculty_conflict", {"faculty": "faculty_conflict"})
    assert not TimetableSession.objects.filter(training_class=klass).exists()


def test_faculty_conflict_is_found_across_institutions_by_institution_staff(
    staff, klass, make_class, make_session, faculty
):
    """The staff cannot see the other institution's class, but the faculty member is still never in two places."""
    other = make_class(2, inst=Institution.objects.create(name="另一学院", kind="university"))
    make_session(other, "09:00", "10:00", faculty=faculty)
    assert_error(
        staff.post(f"classes/{klass.pk}/sessions", session(faculty=faculty.pk)), 409, "faculty_conflict"
    )


def test_faculty_back_to_back_or_on_another_day_is_fine(api_as, klass, make_class, make_session, faculty):
    other = make_class(2)
    make_session(other, "10:00", "11:00", faculty=faculty)
    centre = api_as("centre")
    assert centre.post(f"classes/{klass.pk}/sessions", session(faculty=faculty.pk)).status_code == 201
    assert (
        centre.post(
            f"classes/{klass.pk}/sessions",
            session(date="2030-10-13", start="10:00", end="11:00", faculty=faculty.pk),
        ).status_code
        == 201
    )


# --- field validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2030-10-11", "2030-10-16", "2031-10-12"])
def test_date_outside_the_class_dates_is_422(api_as, klass, date):
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(date=date))
    assert_error(r, 422, "outside_class_dates", {"date": "outside_class_dates"})


def test_first_and_last_day_are_inside(api_as, klass):
    centre = api_as("centre")
    assert centre.post(f"classes/{klass.pk}/sessions", session(date="2030-10-12")).status_code == 201
    assert centre.post(f"classes/{klass.pk}/sessions", session(date="2030-10-15")).status_code == 201


@pytest.mark.parametrize("start, end", [("10:00", "09:00"), ("10:00", "10:00")])
def test_end_not_after_start_is_422(api_as, klass, start, end):
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(start=start, end=end))
    assert_error(r, 422, "end_before_start", {"end": "end_before_start"})


@pytest.mark.parametrize(
    "over, field, code",
    [
        ({"topic": "astrology"}, "topic", "unknown_topic"),
        ({"format": "webinar"}, "format", "invalid_choice"),
        ({"title": "   "}, "title", "required"),
        ({"faculty": 999_999}, "faculty", "unknown_faculty"),
        ({"start": "25:00"}, "start", "invalid_time"),
        ({"date": "2030-13-01"}, "date", "invalid_date"),
    ],
)
def test_invalid_fields_are_422(api_as, klass, over, field, code):
    r = api_as("centre").post(f"classes/{klass.pk}/sessions", session(**over))
    assert r.status_code == 422, r.content
    assert {e["field"]: e["code"] for e in r.json()["errors"]}.get(field) == code, r.json()
    assert not TimetableSession.objects.exists()


# --- edit and delete ------------------------------------------------------------------------------------


def test_patch_a_session(api_as, staff, klass, make_session, faculty):
    s = make_session(klass, "09:00", "10:00")
    r = staff.patch(
        f"sessions/{s.pk}", {"start": "14:00", "end": "15:30", "title": "改期", "faculty": faculty.pk}
    )
    assert r.status_code == 200, r.content
    s.refresh_from_db()
    assert (s.start.isoformat(timespec="minutes"), s.end.isoformat(timespec="minutes")) == ("14:00", "15:30")
    assert s.title == "改期" and s.faculty_id == faculty.pk and s.topic_id == "digital"
    entry = AuditEntry.objects.get(action="session.update", object_id=str(s.pk))
    assert entry.after["start"] == "14:00:00"


def test_patch_a_session_onto_itself_is_no_overlap(api_as, klass, make_session):
    s = make_session(klass, "09:00", "10:00")
    assert api_as("centre").patch(f"sessions/{s.pk}", {"end": "10:30"}).status_code == 200


def test_patch_into_an_overlap_is_409(api_as, klass, make_session):
    make_session(klass, "09:00", "10:00")
    s = make_session(klass, "10:00", "11:00")
    assert_error(api_as("centre").patch(f"sessions/{s.pk}", {"start": "09:30"}), 409, "session_overlap")
    s.refresh_from_db()
    assert s.start.isoformat(timespec="minutes") == "10:00"


def test_patch_into_a_faculty_conflict_is_409(api_as, klass, make_class, make_session, faculty):
    make_session(make_class(2), "09:00", "10:00", faculty=faculty)
    s = make_session(klass, "09:00", "10:00")
    assert_error(api_as("centre").patch(f"sessions/{s.pk}", {"faculty": faculty.pk}), 409, "faculty_conflict")


def test_patch_outside_the_class_dates_is_422(api_as, klass, make_session):
    s = make_session(klass)
    assert_error(
        api_as("centre").patch(f"sessions/{s.pk}", {"date": "2030-11-01"}), 422, "outside_class_dates"
    )


def test_delete_a_session(api_as, klass, make_session):
    s = make_session(klass)
    r = api_as("centre").delete(f"sessions/{s.pk}")
    assert r.status_code == 204
    assert not TimetableSession.objects.exists()
    entry = AuditEntry.objects.get(action="session.delete", object_id=str(s.pk))
    assert entry.before["title"] == "数字化转型"


def test_edit_and_delete_are_scoped(api_as, make_user, klass, make_session):
    s = make_session(klass)
    stranger = api_as(make_user("institution"))
    assert_error(stranger.patch(f"sessions/{s.pk}", {"title": "x"}), 404, "not_found")
    assert_error(stranger.delete(f"sessions/{s.pk}"), 404, "not_found")
    assert_error(api_as("region").patch(f"sessions/{s.pk}", {"title": "x"}), 403, "forbidden")
    assert_error(api_as("region").delete(f"sessions/{s.pk}"), 403, "forbidden")
    assert TimetableSession.objects.get(pk=s.pk).title == "数字化转型"


def test_related_managers_keep_the_model_scope(make_user, institution, klass, make_session):
    """`klass.sessions` is built by Django from TimetableSession's scoped manager: it must apply the same
    scope (regions and trainees read every timetable; institution staff only their own)."""
    from lingjun.core.scoping import user_scope

    make_session(klass, "09:00", "10:00")
    make_session(klass, "10:00", "11:00")
    for role in ("region", "trainee", "assessor", "bureau"):
        with user_scope(make_user(role)):
            assert klass.sessions.count() == 2, role
    with user_scope(make_user("institution", institution=institution)):
        assert klass.sessions.count() == 2
    with user_scope(make_user("institution")):
        assert klass.sessions.count() == 0


# --- found by fuzzing (core/tests/test_fuzz_api.py) ---------------------------------------------------------


@pytest.mark.parametrize("field, value", [("start", "09:00+08:00"), ("end", "10:00Z")])
def test_a_time_with_a_zone_is_422_not_a_server_error(api_as, klass, field, value):
    centre = api_as("centre")
    assert_error(
        centre.post(f"classes/{klass.pk}/sessions", session(**{field: value})),
        422,
        "invalid_time",
        {field: "invalid_time"},
    )
    existing = centre.post(f"classes/{klass.pk}/sessions", session()).json()
    assert_error(centre.patch(f"sessions/{existing['id']}", {field: value}), 422, "invalid_time")
    assert TimetableSession.objects.get(pk=existing["id"]).start.isoformat() == "09:00:00"
