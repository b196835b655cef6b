"""Third-party assessment, the composite ranking with its tie-breaks, and suspension reaching the next year."""

import datetime
from decimal import Decimal

import pytest

from lingjun.classes.models import TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.evaluations import services
from lingjun.evaluations.models import Assessment, Evaluation, EvaluationPolicy, RankingDecision
from lingjun.institutions.models import Institution, InstitutionYearStatus
from lingjun.programmes.models import Programme
from lingjun.registrations.models import Registration

pytestmark = pytest.mark.django_db


def _institution(name):
    return Institution.objects.create(name=name, kind="university", tracks=["specialized"])


def _class(programme, institution, number, status="finished"):
    return TrainingClass.objects.create(
        programme=programme,
        number=number,
        track="specialized",
        institution=institution,
        city="北京",
        start_date=datetime.date(2030, 9, 1),
        end_date=datetime.date(2030, 9, 4),
        capacity=50,
        status=status,
    )


def _evaluate(klass, enrol, scores, outcome="completed"):
    reg, _ = enrol(klass, status=outcome)
    Evaluation.objects.create(
        registration=reg,
        training_class=klass,
        **dict(zip(("course_design", "faculty", "organisation", "effect"), scores, strict=True)),
    )
    return reg


def _next_programme(year=2031):
    return Programme.objects.create(
        year=year,
        title=f"{year}年领军人才培训",
        target_trainees=800,
        registration_deadline=datetime.date(year, 8, 31),
        planned_classes=10,
    )


# --- assessment ---------------------------------------------------------------------------------------------


def test_assessor_enters_a_score_and_notes_and_may_correct_it(programme, api_as):
    inst = _institution("甲大学")
    assessor = api_as("assessor")
    r = assessor.put(f"programmes/{programme.pk}/assessments/{inst.pk}", {"score": 88.5, "notes": "组织规范"})
    assert r.status_code == 200 and r.json()["score"] == 88.5
    r = assessor.put(
        f"programmes/{programme.pk}/assessments/{inst.pk}", {"score": "90", "notes": "复核后调整"}
    )
    assert r.status_code == 200
    a = Assessment.objects.get()
    assert a.score == Decimal("90") and a.notes == "复核后调整"
    entries = AuditEntry.objects.filter(action="assessment.set").order_by("id")
    assert [e.after["score"] for e in entries] == ["88.5", "90"]
    assert entries[1].before["score"] == "88.50"


@pytest.mark.parametrize(
    "score,code",
    [
        (101, "out_of_range"),
        (-1, "out_of_range"),
        (None, "required"),
        ("八十", "invalid"),
        (80.123, "too_precise"),
    ],
)
def test_assessment_scores_outside_0_to_100_are_refused(programme, api_as, score, code):
    inst = _institution("乙大学")
    r = api_as("assessor").put(f"programmes/{programme.pk}/assessments/{inst.pk}", {"score": score})
    assert r.status_code == 422
    assert r.json()["errors"][0] == {
        "field": "score",
        "code": code,
        "message": r.json()["errors"][0]["message"],
    }
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["bureau", "centre", "region", "institution", "trainee"])
def test_only_assessors_enter_assessments(programme, api_as, role):
    inst = _institution("丙大学")
    r = api_as(role).put(f"programmes/{programme.pk}/assessments/{inst.pk}", {"score": 80})
    assert r.status_code == 403
    assert not Assessment.objects.exists()


def test_assessment_of_an_unknown_institution_is_404(programme, api_as):
    assert (
        api_as("assessor").put(f"programmes/{programme.pk}/assessments/999999", {"score": 80}).status_code
        == 404
    )


# --- ranking arithmetic and tie-breaks ----------------------------------------------------------------------


def test_composite_is_the_published_weighted_sum_of_the_three_components(programme, enrol, api_as):
    a, b = _institution("A学院"), _institution("B学院")
    ka, kb = _class(programme, a, 1), _class(programme, b, 2)
    _evaluate(ka, enrol, (5, 5, 5, 5))  # trainee 100
    _evaluate(ka, enrol, (4, 4, 4, 4), "not_completed")  # trainee 80 → mean 90; completion 1/2
    _evaluate(kb, enrol, (3, 3, 3, 3))  # trainee 60; completion 1/1
    Assessment.objects.create(programme=programme, institution=a, score=80)
    Assessment.objects.create(programme=programme, institution=b, score=95)
    rows = api_as("bureau").get(f"programmes/{programme.pk}/ranking").json()
    by = {r["institution_name"]: r for r in rows}
    # default weights 0.4 trainee, 0.4 assessment, 0.2 completion
    assert by["A学院"]["trainee_score"] == 90.0
    assert by["A学院"]["completion_rate"] == 0.5
    assert by["A学院"]["composite"] == pytest.approx(0.4 * 90 + 0.4 * 80 + 0.2 * 50)  # 78
    assert by["B学院"]["composite"] == pytest.approx(0.4 * 60 + 0.4 * 95 + 0.2 * 100)  # 82
    assert [r["institution_name"] for r in rows] == ["B学院", "A学院"]
    assert [r["rank"] for r in rows] == [1, 2]
    # change the weights: the order follows
    EvaluationPolicy.objects.create(
        programme=programme,
        weight_trainee=Decimal("0.8"),
        weight_assessment=Decimal("0.1"),
        weight_completion=Decimal("0.1"),
    )
    rows = api_as("centre").get(f"programmes/{programme.pk}/ranking").json()
    assert [r["institution_name"] for r in rows] == ["A学院", "B学院"]


def test_a_missing_component_counts_as_zero_and_is_named(programme, api_as):
    inst = _institution("只有评估的机构")
    Assessment.objects.create(programme=programme, institution=inst, score=70)
    [row] = api_as("bureau").get(f"programmes/{programme.pk}/ranking").json()
    assert row["composite"] == pytest.approx(0.4 * 70)
    assert row["trainee_score"] is None and row["completion_rate"] is None
    assert row["missing"] == ["学员评价", "结业率"]


def test_ties_are_broken_by_assessment_then_ratings_then_completion_then_name(programme, enrol):
    EvaluationPolicy.objects.create(
        programme=programme,
        weight_trainee=Decimal("0.5"),
        weight_assessment=Decimal("0.5"),
        weight_completion=Decimal("0"),
        suspend_bottom=0,
    )
    # equal composites of 80: (trainee, assessment) = (70, 90), (90, 70), (80, 80), (80, 80) with names 丁 < 乙
    specs = [("甲", (3.5, 90)), ("丙", (4.5, 70)), ("乙", (4, 80)), ("丁", (4, 80))]
    for number, (name, (mean, score)) in enumerate(specs, start=1):
        inst = _institution(name)
        klass = _class(programme, inst, number)
        lo, hi = int(mean), int(mean) + (mean % 1 > 0)
        _evaluate(klass, enrol, (lo, hi, lo, hi) if lo != hi else (lo,) * 4)
        Assessment.objects.create(programme=programme, institution=inst, score=score)
    rows = services.compute_ranking(programme)["rows"]
    assert [r["composite"] for r in rows] == [Decimal("80.00")] * 4
    # assessment first (甲 90), then 乙/丁 (80; equal ratings and completion: by name), then 丙 (70)
    assert [r["name"] for r in rows] == ["甲", "丁", "乙", "丙"]


def test_equal_assessment_falls_back_to_ratings_then_completion(programme, enrol):
    EvaluationPolicy.objects.create(
        programme=programme,
        weight_trainee=Decimal("0"),
        weight_assessment=Decimal("1"),
        weight_completion=Decimal("0"),
    )
    a, b, c = _institution("子"), _institution("丑"), _institution("寅")
    ka, kb, kc = _class(programme, a, 1), _class(programme, b, 2), _class(programme, c, 3)
    _evaluate(ka, enrol, (3, 3, 3, 3))
    _evaluate(kb, enrol, (4, 4, 4, 4), "not_completed")
    _evaluate(kc, enrol, (4, 4, 4, 4))
    for inst in (a, b, c):
        Assessment.objects.create(programme=programme, institution=inst, score=85)
    rows = services.compute_ranking(programme)["rows"]
    assert [r["name"] for r in rows] == [
        "寅",
        "丑",
        "子",
    ]  # ratings: 寅 = 丑 > 子; completion: 寅 100% > 丑 0%


def test_the_bottom_two_are_proposed_and_the_number_is_a_setting(programme, enrol, api_as):
    insts = [_institution(n) for n in ("一", "二", "三", "四")]
    for i, inst in enumerate(insts):
        Assessment.objects.create(programme=programme, institution=inst, score=90 - 10 * i)
    rows = api_as("bureau").get(f"programmes/{programme.pk}/ranking").json()
    assert [r["proposed_suspension"] for r in rows] == [False, False, True, True]
    EvaluationPolicy.objects.create(programme=programme, suspend_bottom=1)
    rows = api_as("bureau").get(f"programmes/{programme.pk}/ranking").json()
    assert [r["institution_name"] for r in rows if r["proposed_suspension"]] == ["四"]


def test_nobody_is_proposed_when_no_more_institutions_than_the_bottom_number(programme, api_as):
    for n, s in (("一", 50), ("二", 40)):
        Assessment.objects.create(programme=programme, institution=_institution(n), score=s)
    rows = api_as("bureau").get(f"programmes/{programme.pk}/ranking").json()
    assert not any(r["proposed_suspension"] for r in rows)


def test_cancelled_classes_do_not_put_an_institution_in_the_ranking(programme, api_as):
    _class(programme, _institution("只有取消班的机构"), 1, status="cancelled")
    assert api_as("bureau").get(f"programmes/{programme.pk}/ranking").json() == []


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_ranking_is_for_the_bureau_and_the_centre(programme, api_as, role):
    assert api_as(role).get(f"programmes/{programme.pk}/ranking").status_code == 403


# --- confirmation and suspension ----------------------------------------------------------------------------


def _four_ranked(programme):
    insts = [_institution(n) for n in ("优", "良", "中", "差")]
    for i, inst in enumerate(insts):
        Assessment.objects.create(programme=programme, institution=inst, score=90 - 10 * i)
    return insts


def test_bureau_confirms_and_the_bottom_two_are_suspended_next_year(programme, api_as):
    insts = _four_ranked(programme)
    nxt = _next_programme()
    bureau = api_as("bureau")
    r = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": nxt.pk})
    assert r.status_code == 200, r.content
    assert sorted(r.json()["suspended"]) == sorted([insts[2].pk, insts[3].pk])
    statuses = {s.institution_id: s for s in InstitutionYearStatus.objects.filter(programme=nxt)}
    assert set(statuses) == {insts[2].pk, insts[3].pk}
    assert all(s.status == "suspended" and "排名末位" in s.reason for s in statuses.values())
    # not suspended in the ranked year itself
    assert not InstitutionYearStatus.objects.filter(programme=programme).exists()
    # the next year's classes cannot go to a suspended institution
    body = {
        "number": 1,
        "track": "specialized",
        "institution": insts[3].pk,
        "city": "成都",
        "start_date": "2031-09-01",
        "end_date": "2031-09-04",
        "capacity": 80,
    }
    r = api_as("centre").post(f"programmes/{nxt.pk}/classes", body)
    assert r.status_code == 409 and r.json()["code"] == "institution_suspended"
    body["institution"] = insts[0].pk
    assert api_as("centre").post(f"programmes/{nxt.pk}/classes", body).status_code == 201
    assert AuditEntry.objects.filter(action="institution.suspend").count() == 2
    assert AuditEntry.objects.filter(action="ranking.confirm").count() == 1


def test_confirming_twice_is_idempotent(programme, api_as):
    _four_ranked(programme)
    nxt = _next_programme()
    bureau = api_as("bureau")
    first = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": nxt.pk}).json()
    # even if scores changed in between, a second confirmation changes nothing
    Assessment.objects.filter(programme=programme).update(score=50)
    second = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": nxt.pk})
    assert second.status_code == 200 and second.json()["already_confirmed"] is True
    assert second.json()["suspended"] == first["suspended"]
    assert RankingDecision.objects.count() == 1
    assert InstitutionYearStatus.objects.filter(programme=nxt, status="suspended").count() == 2
    assert AuditEntry.objects.filter(action="ranking.confirm").count() == 1
    other = _next_programme(2032)
    r = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": other.pk})
    assert r.status_code == 409 and r.json()["code"] == "ranking_already_confirmed"


def test_confirming_against_an_earlier_or_the_same_year_is_refused(programme, api_as):
    _four_ranked(programme)
    earlier = _next_programme(2029)
    bureau = api_as("bureau")
    r = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": earlier.pk})
    assert r.status_code == 409 and r.json()["code"] == "next_programme_not_later"
    r = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": programme.pk})
    assert r.status_code == 409
    r = bureau.post(f"programmes/{programme.pk}/ranking/confirm", {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "next_programme"
    assert not RankingDecision.objects.exists() and not InstitutionYearStatus.objects.exists()


@pytest.mark.parametrize("role", ["centre", "region", "institution", "assessor", "trainee"])
def test_only_the_bureau_confirms(programme, api_as, role):
    _four_ranked(programme)
    nxt = _next_programme()
    r = api_as(role).post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": nxt.pk})
    assert r.status_code == 403
    assert not InstitutionYearStatus.objects.exists()


def test_after_confirmation_weights_and_scores_are_frozen(programme, api_as):
    insts = _four_ranked(programme)
    nxt = _next_programme()
    bureau = api_as("bureau")
    assert (
        bureau.post(f"programmes/{programme.pk}/ranking/confirm", {"next_programme": nxt.pk}).status_code
        == 200
    )
    policy = {
        "min_answers": 3,
        "close_days": 14,
        "weight_trainee": "0.5",
        "weight_assessment": "0.5",
        "weight_completion": "0",
        "suspend_bottom": 2,
    }
    r = bureau.put(f"programmes/{programme.pk}/evaluation-policy", policy)
    assert r.status_code == 409 and r.json()["code"] == "ranking_already_confirmed"
    r = api_as("assessor").put(f"programmes/{programme.pk}/assessments/{insts[0].pk}", {"score": 10})
    assert r.status_code == 409
    # the reading thresholds may still change
    policy.update(weight_trainee="0.4", weight_assessment="0.4", weight_completion="0.2", min_answers=5)
    assert bureau.put(f"programmes/{programme.pk}/evaluation-policy", policy).status_code == 200


def test_policy_weights_must_add_up_to_one(programme, api_as):
    body = {
        "min_answers": 3,
        "close_days": 14,
        "weight_trainee": "0.5",
        "weight_assessment": "0.4",
        "weight_completion": "0.2",
        "suspend_bottom": 2,
    }
    r = api_as("bureau").put(f"programmes/{programme.pk}/evaluation-policy", body)
    assert r.status_code == 422 and r.json()["code"] == "weights_sum"
    body["weight_trainee"] = "0.4"
    r = api_as("bureau").put(f"programmes/{programme.pk}/evaluation-policy", body)
    assert r.status_code == 200 and r.json()["weights"] == {
        "trainee": 0.4,
        "assessment": 0.4,
        "completion": 0.2,
    }
    assert api_as("centre").put(f"programmes/{programme.pk}/evaluation-policy", body).status_code == 403


def test_withdrawn_trainees_do_not_count_in_completion(programme, enrol):
    inst = _institution("K学院")
    klass = _class(programme, inst, 1)
    _evaluate(klass, enrol, (4, 4, 4, 4))
    enrol(klass, status="withdrawn")
    [row] = services.compute_ranking(programme)["rows"]
    assert row["completion_rate"] == Decimal("1") and row["decided"] == 1
    assert Registration.objects.filter(training_class=klass).count() == 2
