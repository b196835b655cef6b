import datetime

from ninja import Router, Schema

from lingjun.core.schemas import ERRORS, Int

from . import reports, services

router = Router(tags=["培训评价与机构排名"])


class SessionScoreIn(Schema):
    session: Int | None = None
    score: Int | None = None


class EvaluationIn(Schema):
    course_design: Int | None = None
    faculty: Int | None = None
    organisation: Int | None = None
    effect: Int | None = None
    comments: str | None = None
    sessions: list[SessionScoreIn] | None = None


class EvaluationOut(Schema):
    id: int
    training_class: int
    submitted_at: datetime.datetime


@router.post(
    "/classes/{class_id}/evaluation",
    response={201: EvaluationOut, **ERRORS},
    summary="学员评价本班（每人一次；四项各 1–5 分，可选逐课评分与意见）",
)
def submit(request, class_id: int, payload: EvaluationIn):
    data = payload.dict()
    data["sessions"] = [s for s in (data.get("sessions") or [])]
    ev = services.submit(request.auth, class_id, data)
    return 201, {"id": ev.pk, "training_class": ev.training_class_id, "submitted_at": ev.created_at}


@router.get(
    "/classes/{class_id}/evaluation/summary",
    response={200: dict, **ERRORS},
    summary="本班评价汇总（只有汇总，不含任何个人答卷；机构须达到最少份数才可见）",
)
def summary(request, class_id: int):
    return services.summary(request.auth, class_id)


@router.get(
    "/classes/{class_id}/evaluation/pending",
    response={200: dict, **ERRORS},
    summary="尚未评价的学员（机构只见人数，人才交流中心可见名单）",
)
def pending(request, class_id: int):
    return services.pending(request.auth, class_id)


@router.get(
    "/programmes/{programme_id}/evaluation/report",
    response={200: dict, **ERRORS},
    summary="年度评价汇总：按班级、机构、师资、专题、形式",
)
def report(request, programme_id: int):
    return services.report(request.auth, programme_id)


@router.get(
    "/programmes/{programme_id}/evaluation/report.xlsx",
    response={200: None, **ERRORS},
    summary="年度评价汇总（xlsx）",
)
def report_xlsx(request, programme_id: int):
    return reports.xlsx(services.report(request.auth, programme_id))


@router.get(
    "/programmes/{programme_id}/evaluation/report.pdf",
    response={200: None, **ERRORS},
    summary="年度评价报告（PDF，含图表）",
)
def report_pdf(request, programme_id: int):
    return reports.pdf(services.report(request.auth, programme_id))


class PolicyIn(Schema):
    min_answers: Int | None = None
    close_days: Int | None = None
    weight_trainee: str | float | None = None
    weight_assessment: str | float | None = None
    weight_completion: str | float | None = None
    suspend_bottom: Int | None = None


@router.get(
    "/programmes/{programme_id}/evaluation-policy",
    response={200: dict, **ERRORS},
    summary="评价与排名规则（权重、最少份数、评价期限、末位数）",
)
def get_policy(request, programme_id: int):
    return services.policy_dict(services.policy(request.auth, programme_id))


@router.put(
    "/programmes/{programme_id}/evaluation-policy",
    response={200: dict, **ERRORS},
    summary="设置评价与排名规则（工业和信息化部中小企业局）",
)
def put_policy(request, programme_id: int, payload: PolicyIn):
    return services.policy_dict(services.set_policy(request.auth, programme_id, payload.dict()))


class AssessmentIn(Schema):
    score: str | float | None = None
    notes: str | None = None


@router.get(
    "/programmes/{programme_id}/assessments",
    response={200: list[dict], **ERRORS},
    summary="本年度待评估/已评估的培训机构",
)
def list_assessments(request, programme_id: int):
    return services.assessments(request.auth, programme_id)


@router.put(
    "/programmes/{programme_id}/assessments/{institution_id}",
    response={200: dict, **ERRORS},
    summary="第三方评估得分（0–100）与说明",
)
def put_assessment(request, programme_id: int, institution_id: int, payload: AssessmentIn):
    a = services.set_assessment(
        request.auth, programme_id, institution_id, payload.score, payload.notes or ""
    )
    return {
        "programme": a.programme_id,
        "institution": a.institution_id,
        "score": float(a.score),
        "notes": a.notes,
    }


@router.get(
    "/programmes/{programme_id}/ranking",
    response={200: list[dict], **ERRORS},
    summary="机构综合排名（每项分数、权重见 evaluation-policy；末位机构建议暂停）",
)
def ranking(request, programme_id: int):
    return [services.ranking_row_json(row) for row in services.ranking(request.auth, programme_id)["rows"]]


class ConfirmIn(Schema):
    next_programme: Int | None = None


@router.post(
    "/programmes/{programme_id}/ranking/confirm",
    response={200: dict, 201: dict, **ERRORS},
    summary="确认排名：末位机构在下一年度计划中暂停（重复确认不重复执行）",
)
def confirm(request, programme_id: int, payload: ConfirmIn):
    decision, created = services.confirm_ranking(request.auth, programme_id, payload.next_programme)
    return 200, {
        "programme": decision.programme_id,
        "next_programme": decision.next_programme_id,
        "suspended": decision.suspended,
        "confirmed_at": decision.confirmed_at,
        "already_confirmed": not created,
    }
