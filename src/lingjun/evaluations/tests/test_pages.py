"""The evaluation pages: a trainee's phone form that keeps answers when refused, the institution's view without
names, the assessor's form, the ranking page with its components and the bureau's confirmation."""

import datetime
import re

import pytest

from lingjun.evaluations.models import Assessment, Evaluation, EvaluationPolicy, RankingDecision
from lingjun.institutions.models import Institution, InstitutionYearStatus
from lingjun.programmes.models import Programme

from .conftest import add_session

pytestmark = pytest.mark.django_db


def test_trainee_fills_the_form_on_the_phone_and_a_refusal_keeps_the_choices(klass, enrol, page_client):
    reg, user = enrol(klass)
    s = add_session(klass, 0, "数字化转型")
    client = page_client(user)
    home = client.get("/").content.decode()
    assert f"/classes/{klass.pk}/evaluate/" in home and "评价本班培训" in home
    r = client.get(f"/classes/{klass.pk}/evaluate/")
    assert r.status_code == 200 and "课程设置" in r.content.decode() and "数字化转型" in r.content.decode()
    # "effect" forgotten: refused, the rest kept
    r = client.post(
        f"/classes/{klass.pk}/evaluate/",
        {
            "course_design": "4",
            "faculty": "5",
            "organisation": "3",
            f"session_{s.pk}": "5",
            "comments": "希望多些案例",
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "请填写实际效果" in html
    assert re.search(r'name="course_design" value="4" checked', html)
    assert re.search(r'name="faculty" value="5" checked', html)
    assert '<option value="5" selected>' in html
    assert "希望多些案例" in html
    assert not Evaluation.objects.exists()
    r = client.post(
        f"/classes/{klass.pk}/evaluate/",
        {"course_design": "4", "faculty": "5", "organisation": "3", "effect": "4", f"session_{s.pk}": "5"},
        follow=True,
    )
    assert "您已完成本班评价" in r.content.decode()
    assert Evaluation.objects.get(registration=reg).effect == 4
    assert "已完成本班评价" in client.get("/").content.decode()


def test_a_trainee_of_another_class_gets_403(klass, enrol, page_client, make_user):
    r = page_client("trainee").get(f"/classes/{klass.pk}/evaluate/")
    assert r.status_code == 403


def test_institution_page_shows_counts_not_names_below_threshold(
    klass, enrol, api_as, page_client, make_user
):
    regs = []
    for scores in ((5, 5, 5, 5), (2, 2, 2, 2)):
        reg, user = enrol(klass)
        regs.append(reg)
        api_as(user).post(
            f"classes/{klass.pk}/evaluation",
            dict(zip(("course_design", "faculty", "organisation", "effect"), scores, strict=True)),
        )
    pending_reg, _ = enrol(klass)
    staff = page_client(make_user("institution", institution=klass.institution))
    html = staff.get(f"/classes/{klass.pk}/evaluation/").content.decode()
    assert "至少 3 份评价后才向培训机构显示" in html
    assert "尚未评价（1 人）" in html
    assert pending_reg.trainee.name not in html and regs[0].trainee.name not in html
    centre = page_client("centre").get(f"/classes/{klass.pk}/evaluation/").content.decode()
    assert "3.50" in centre and pending_reg.trainee.name in centre


def test_report_page_and_downloads(klass, enrol, api_as, page_client):
    _, user = enrol(klass)
    api_as(user).post(
        f"classes/{klass.pk}/evaluation", {"course_design": 5, "faculty": 4, "organisation": 4, "effect": 5}
    )
    client = page_client("bureau")
    assert client.get("/evaluation/").status_code == 302
    r = client.get(f"/programmes/{klass.programme_id}/evaluation/")
    assert r.status_code == 200 and klass.institution.name in r.content.decode()
    x = client.get(f"/programmes/{klass.programme_id}/evaluation/?format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    p = client.get(f"/programmes/{klass.programme_id}/evaluation/?format=pdf")
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    assert page_client("region").get(f"/programmes/{klass.programme_id}/evaluation/").status_code == 403


def test_assessor_page_saves_and_keeps_a_refused_score(programme, klass, page_client):
    client = page_client("assessor")
    home = client.get("/").content.decode()
    assert klass.institution.name in home and "待评分" in home
    url = f"/programmes/{programme.pk}/assessments/"
    r = client.post(url, {"institution": klass.institution.pk, "score": "120", "notes": "现场检查"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "评估得分应在 0 到 100 之间" in html and 'value="120"' in html and 'value="现场检查"' in html
    r = client.post(
        url, {"institution": klass.institution.pk, "score": "86.5", "notes": "现场检查"}, follow=True
    )
    assert "评估得分已保存" in r.content.decode()
    assert Assessment.objects.get().score == 86.5
    # the bureau reads the same page without the form
    html = page_client("bureau").get(url).content.decode()
    assert "86.5" in html and 'name="score"' not in html
    assert page_client("region").get(url).status_code == 403


def test_ranking_page_explains_and_the_bureau_confirms(programme, page_client):
    insts = [
        Institution.objects.create(name=n, kind="university") for n in ("一号学院", "二号学院", "三号学院")
    ]
    for i, inst in enumerate(insts):
        Assessment.objects.create(programme=programme, institution=inst, score=90 - 20 * i)
    nxt = Programme.objects.create(
        year=2031,
        title="2031年领军人才培训",
        target_trainees=800,
        registration_deadline=datetime.date(2031, 8, 31),
        planned_classes=10,
    )
    bureau = page_client("bureau")
    html = bureau.get(f"/programmes/{programme.pk}/ranking/").content.decode()
    assert "学员评价 × 0.4" in html and "建议暂停" in html and "三号学院" in html
    assert html.count("无（按0分计）") == 6
    # a refused policy keeps what was typed
    r = bureau.post(
        f"/programmes/{programme.pk}/ranking/",
        {
            "action": "policy",
            "weight_trainee": "0.6",
            "weight_assessment": "0.6",
            "weight_completion": "0",
            "min_answers": "3",
            "close_days": "14",
            "suspend_bottom": "1",
        },
    )
    assert r.status_code == 422 and "三项权重之和应为 1" in r.content.decode()
    assert 'value="0.6"' in r.content.decode()
    assert not EvaluationPolicy.objects.exists()
    r = bureau.post(
        f"/programmes/{programme.pk}/ranking/", {"action": "confirm", "next_programme": nxt.pk}, follow=True
    )
    assert "排名已确认" in r.content.decode()
    assert RankingDecision.objects.get().suspended == [insts[1].pk, insts[2].pk]
    assert InstitutionYearStatus.objects.filter(programme=nxt, status="suspended").count() == 2
    centre = page_client("centre").get(f"/programmes/{programme.pk}/ranking/").content.decode()
    assert "确认排名并暂停" not in centre and "保存规则" not in centre
    assert page_client("institution").get(f"/programmes/{programme.pk}/ranking/").status_code == 403


def test_class_page_leads_staff_to_attendance_completion_certificates_and_evaluation(
    klass, page_client, make_user
):
    add_session(klass, 0, "开班式")
    centre = page_client("centre").get(f"/classes/{klass.pk}/").content.decode()
    for url in (
        f"/classes/{klass.pk}/attendance/",
        f"/classes/{klass.pk}/completion/",
        f"/certificates/classes/{klass.pk}/",
        f"/classes/{klass.pk}/evaluation/",
        "/projector/",
    ):
        assert url in centre, url
    staff = page_client(make_user("institution", institution=klass.institution))
    html = staff.get(f"/classes/{klass.pk}/").content.decode()
    assert f"/classes/{klass.pk}/evaluation/" in html and "/projector/" in html
    assert f"/classes/{klass.pk}/completion/" not in html and "/certificates/classes/" not in html
    trainee = page_client("trainee").get(f"/classes/{klass.pk}/").content.decode()
    assert "/projector/" not in trainee and f"/classes/{klass.pk}/evaluation/" not in trainee


def test_ranking_and_report_pages_link_the_other_years(programme, page_client):
    other = Programme.objects.create(
        year=2029,
        title="2029年领军人才培训",
        target_trainees=800,
        registration_deadline=datetime.date(2029, 8, 31),
        planned_classes=10,
    )
    client = page_client("bureau")
    for page in ("ranking", "evaluation"):
        html = client.get(f"/programmes/{programme.pk}/{page}/").content.decode()
        assert f'href="/programmes/{other.pk}/{page}/">2029年' in html, page
        assert 'aria-current="page">2030年' in html
