"""Trainee evaluation: once only, only by the class's trainees, only while the survey is open; aggregates
with anonymity toward institutions (issue #6)."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from lingjun.classes.models import Faculty, TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.core.testing import pdf_text
from lingjun.evaluations.models import Evaluation, EvaluationPolicy, SessionRating

from .conftest import add_session, answer

pytestmark = pytest.mark.django_db


def test_trainee_evaluates_once_and_the_second_answer_is_refused(klass, enrol, api_as):
    reg, user = enrol(klass)
    client = api_as(user)
    r = client.post(f"classes/{klass.pk}/evaluation", answer(comments="案例很实用"))
    assert r.status_code == 201, r.content
    again = client.post(f"classes/{klass.pk}/evaluation", answer(course_design=1))
    assert again.status_code == 409
    assert again.json()["code"] == "already_evaluated"
    ev = Evaluation.objects.get(registration=reg)
    assert ev.course_design == 5  # the first answer stands
    assert Evaluation.objects.count() == 1
    entry = AuditEntry.objects.get(action="evaluation.submit")
    assert "5" not in str(entry.after.get("course_design", ""))  # the audit never records the scores
    assert "course_design" not in (entry.after or {})


def test_the_database_refuses_a_second_evaluation_even_past_the_service(klass, enrol):
    from django.db import IntegrityError, transaction

    reg, _ = enrol(klass)
    Evaluation.objects.create(
        registration=reg, training_class=klass, course_design=3, faculty=3, organisation=3, effect=3
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            registration=reg, training_class=klass, course_design=4, faculty=4, organisation=4, effect=4
        )


def test_only_trainees_of_the_class_may_evaluate(klass, enrol, api_as, programme, institution):
    other = TrainingClass.objects.create(
        programme=programme,
        number=2,
        track="specialized",
        institution=institution,
        city="宁波",
        start_date=klass.start_date,
        end_date=klass.end_date,
        capacity=30,
    )
    _, outsider = enrol(other)
    r = api_as(outsider).post(f"classes/{klass.pk}/evaluation", answer())
    assert r.status_code == 403
    assert r.json()["code"] == "not_in_class"
    for role in ("region", "centre", "institution", "assessor", "bureau"):
        assert api_as(role).post(f"classes/{klass.pk}/evaluation", answer()).status_code == 403, role
    # a withdrawn trainee of the class is not a trainee of it any more
    _, withdrawn = enrol(klass, status="withdrawn")
    assert api_as(withdrawn).post(f"classes/{klass.pk}/evaluation", answer()).status_code == 403
    assert Evaluation.objects.count() == 0


def test_evaluation_opens_with_the_class_and_closes_after_the_set_days(klass, enrol, api_as):
    _, user = enrol(klass)
    client = api_as(user)
    today = timezone.localdate()
    TrainingClass.objects.filter(pk=klass.pk).update(
        start_date=today + datetime.timedelta(days=1), end_date=today + datetime.timedelta(days=4)
    )
    r = client.post(f"classes/{klass.pk}/evaluation", answer())
    assert r.status_code == 409 and r.json()["code"] == "evaluation_not_open"
    # ended 20 days ago; the default survey stays open 14 days
    TrainingClass.objects.filter(pk=klass.pk).update(
        start_date=today - datetime.timedelta(days=23), end_date=today - datetime.timedelta(days=20)
    )
    r = client.post(f"classes/{klass.pk}/evaluation", answer())
    assert r.status_code == 409 and r.json()["code"] == "evaluation_closed"
    assert "截止" in r.json()["detail"]
    EvaluationPolicy.objects.create(programme=klass.programme, close_days=30)
    assert client.post(f"classes/{klass.pk}/evaluation", answer()).status_code == 201


def test_the_last_day_of_the_survey_is_still_open(klass, enrol, api_as):
    _, user = enrol(klass)
    today = timezone.localdate()
    TrainingClass.objects.filter(pk=klass.pk).update(
        start_date=today - datetime.timedelta(days=17), end_date=today - datetime.timedelta(days=14)
    )
    assert api_as(user).post(f"classes/{klass.pk}/evaluation", answer()).status_code == 201


@pytest.mark.parametrize(
    "body,field,code",
    [
        (answer(course_design=6), "course_design", "out_of_range"),
        (answer(faculty=0), "faculty", "out_of_range"),
        ({"course_design": 5, "faculty": 4, "organisation": 4}, "effect", "required"),
        (answer(organisation=None), "organisation", "required"),
    ],
)
def test_scores_out_of_range_or_missing_are_refused_naming_the_field(klass, enrol, api_as, body, field, code):
    _, user = enrol(klass)
    r = api_as(user).post(f"classes/{klass.pk}/evaluation", body)
    assert r.status_code == 422
    errors = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert errors.get(field) == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])
    assert Evaluation.objects.count() == 0


def test_session_ratings_must_belong_to_the_class(klass, enrol, api_as, programme, institution):
    _, user = enrol(klass)
    mine = add_session(klass)
    other = TrainingClass.objects.create(
        programme=programme,
        number=3,
        track="specialized",
        institution=institution,
        city="温州",
        start_date=klass.start_date,
        end_date=klass.end_date,
        capacity=5,
    )
    theirs = add_session(other)
    client = api_as(user)
    r = client.post(f"classes/{klass.pk}/evaluation", answer(sessions=[{"session": theirs.pk, "score": 5}]))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "session_not_in_class"
    r = client.post(f"classes/{klass.pk}/evaluation", answer(sessions=[{"session": mine.pk, "score": 9}]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sessions[0].score"
    assert Evaluation.objects.count() == 0 and SessionRating.objects.count() == 0
    r = client.post(f"classes/{klass.pk}/evaluation", answer(sessions=[{"session": mine.pk, "score": 4}]))
    assert r.status_code == 201
    assert SessionRating.objects.get().score == 4


def _answers(klass, enrol, api_as, rows):
    for scores in rows:
        _, user = enrol(klass)
        body = dict(zip(("course_design", "faculty", "organisation", "effect"), scores[:4], strict=True))
        body["comments"] = scores[4] if len(scores) > 4 else ""
        assert api_as(user).post(f"classes/{klass.pk}/evaluation", body).status_code == 201


def test_summary_arithmetic_on_hand_made_answers(klass, enrol, api_as):
    _answers(klass, enrol, api_as, [(5, 4, 3, 5, "很好"), (4, 4, 5, 3), (3, 5, 4, 4, "希望增加案例")])
    enrol(klass)  # a fourth trainee who has not answered
    s = api_as("centre").get(f"classes/{klass.pk}/evaluation/summary").json()
    assert s["responses"] == 3 and s["expected"] == 4
    assert s["course_design"] == 4.0
    assert s["faculty"] == pytest.approx(4.33)
    assert s["organisation"] == 4.0
    assert s["effect"] == 4.0
    assert s["overall"] == pytest.approx((4 + 4.33 + 4 + 4) / 4, abs=0.01)
    assert s["distribution"]["course_design"] == [0, 0, 1, 1, 1]
    assert s["distribution"]["faculty"] == [0, 0, 0, 2, 1]
    assert s["comments"] == sorted(["很好", "希望增加案例"])


def test_institution_sees_figures_only_with_enough_answers_and_never_names(klass, enrol, api_as, make_user):
    staff = api_as(make_user("institution", institution=klass.institution))
    _answers(klass, enrol, api_as, [(5, 5, 5, 5, "讲得好"), (1, 1, 1, 1, "太差了")])
    s = staff.get(f"classes/{klass.pk}/evaluation/summary").json()
    assert s["responses"] == 2 and s["suppressed"] is True
    assert s["course_design"] is None and s["distribution"] is None and s["comments"] == []
    # the centre sees the same class in full
    assert api_as("centre").get(f"classes/{klass.pk}/evaluation/summary").json()["course_design"] == 3.0
    _answers(klass, enrol, api_as, [(3, 3, 3, 3)])
    s = staff.get(f"classes/{klass.pk}/evaluation/summary").json()
    assert s["suppressed"] is False and s["course_design"] == 3.0
    names = [r.trainee.name for r in klass.registrations.all()]
    body = str(s)
    assert not any(name in body for name in names)
    assert "registration" not in body
    # another institution cannot see the class at all
    assert api_as("institution").get(f"classes/{klass.pk}/evaluation/summary").status_code == 404
    assert api_as("region").get(f"classes/{klass.pk}/evaluation/summary").status_code == 403
    assert api_as("trainee").get(f"classes/{klass.pk}/evaluation/summary").status_code == 403


def test_threshold_is_a_programme_setting(klass, enrol, api_as, make_user):
    EvaluationPolicy.objects.create(programme=klass.programme, min_answers=1)
    _answers(klass, enrol, api_as, [(2, 3, 4, 5)])
    staff = api_as(make_user("institution", institution=klass.institution))
    s = staff.get(f"classes/{klass.pk}/evaluation/summary").json()
    assert s["suppressed"] is False and s["effect"] == 5.0


def test_reminders_give_counts_to_institutions_and_names_to_the_centre(klass, enrol, api_as, make_user):
    reg1, u1 = enrol(klass)
    reg2, _ = enrol(klass)
    assert api_as(u1).post(f"classes/{klass.pk}/evaluation", answer()).status_code == 201
    staff = api_as(make_user("institution", institution=klass.institution))
    p = staff.get(f"classes/{klass.pk}/evaluation/pending").json()
    assert p["pending"] == 1 and "trainees" not in p
    p = api_as("centre").get(f"classes/{klass.pk}/evaluation/pending").json()
    assert p["pending"] == 1 and [t["name"] for t in p["trainees"]] == [reg2.trainee.name]


def test_report_aggregates_by_faculty_topic_and_format_counting_people_not_ratings(
    klass, enrol, api_as, make_user
):
    teacher = Faculty.objects.create(name="王教授", affiliation="浙江大学", affiliation_kind="university")
    s1 = add_session(klass, 0, "数字化转型", teacher, "digital", "lecture")
    s2 = add_session(klass, 1, "现场教学", teacher, "digital", "field_teaching")
    s3 = add_session(klass, 2, "财务管理", None, "digital", "lecture")
    # one trainee rates three sessions: three ratings, but one person behind them
    _, user = enrol(klass)
    r = api_as(user).post(
        f"classes/{klass.pk}/evaluation",
        answer(
            sessions=[
                {"session": s1.pk, "score": 5},
                {"session": s2.pk, "score": 3},
                {"session": s3.pk, "score": 4},
            ]
        ),
    )
    assert r.status_code == 201
    full = api_as("centre").get(f"programmes/{klass.programme_id}/evaluation/report").json()
    wang = next(r for r in full["by_faculty"] if r["name"] == "王教授")
    assert wang["responses"] == 1 and wang["ratings"] == 2 and wang["average"] == 4.0
    formats = {r["format"]: r["average"] for r in full["by_format"]}
    assert formats == {"lecture": 4.5, "field_teaching": 3.0}
    assert full["by_topic"][0]["average"] == 4.0 and full["by_topic"][0]["ratings"] == 3
    assert type(full["by_topic"][0]["ratings"]) is int and type(wang["responses"]) is int  # counts, not 3.0
    assert full["by_institution"][0]["responses"] == 1
    staff = api_as(make_user("institution", institution=klass.institution))
    own = staff.get(f"programmes/{klass.programme_id}/evaluation/report").json()
    assert all(row["average"] is None for row in own["by_faculty"])  # 1 person < 3: hidden
    assert own["by_institution"][0]["course_design"] is None
    # an institution's report holds its own classes only
    assert (
        api_as("institution").get(f"programmes/{klass.programme_id}/evaluation/report").json()["by_class"]
        == []
    )


def test_report_downloads_as_xlsx_and_pdf(klass, enrol, api_as, tmp_path):
    _answers(klass, enrol, api_as, [(5, 4, 3, 5), (4, 4, 4, 4), (3, 3, 3, 3)])
    centre = api_as("centre")
    r = centre.get(f"programmes/{klass.programme_id}/evaluation/report.xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["按机构", "按班级", "按师资", "按专题", "按形式"]
    values = [c for row in wb["按机构"].iter_rows(values_only=True) for c in row]
    assert klass.institution.name in values and 4.0 in values
    r = centre.get(f"programmes/{klass.programme_id}/evaluation/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path, keep_as="evaluation-report")
    if text is not None:
        assert "培训评价报告" in text and klass.institution.name in text
    assert api_as("region").get(f"programmes/{klass.programme_id}/evaluation/report.xlsx").status_code == 403


def test_programme_dashboard_shows_satisfaction_from_the_answers(klass, enrol, api_as):
    stats = api_as("centre").get(f"programmes/{klass.programme_id}/stats").json()
    assert stats["satisfaction"] is None
    _answers(klass, enrol, api_as, [(5, 4, 3, 5), (3, 4, 5, 3)])
    s = api_as("bureau").get(f"programmes/{klass.programme_id}/stats").json()["satisfaction"]
    assert s["responses"] == 2
    assert (s["course_design"], s["faculty"], s["organisation"], s["effect"]) == (4.0, 4.0, 4.0, 4.0)
    assert s["overall"] == 4.0
