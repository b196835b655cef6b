"""Evaluation, third-party assessment and institution ranking (SPEC §3.6; API.md; issue #6).

Anonymity toward institutions is decided here, not in templates: an institution receives aggregates only, and
only where at least `EvaluationPolicy.min_answers` answers (distinct trainees) stand behind a figure. The
centre and the bureau see every aggregate; nobody is ever given one trainee's scores through this module.

Ranking: composite = Σ weight × component, each component on 0–100 (trainee ratings: mean of the four
dimensions × 20; third-party score as entered; completion rate × 100). A missing component counts as 0 and is
shown as missing, so staying away from assessment or evaluation never helps. Ties are broken by assessment,
then trainee ratings, then completion, then name (deterministic). The bottom `suspend_bottom` institutions are
proposed for suspension when more institutions than that are ranked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.classes.services import get_class
from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from lingjun.institutions.models import Institution, InstitutionYearStatus
from lingjun.programmes.models import Programme
from lingjun.programmes.services import get_programme
from lingjun.registrations.models import Registration

from .models import DIMENSIONS, Assessment, Evaluation, EvaluationPolicy, RankingDecision, SessionRating

TRAINED_STATUSES = ("enrolled", "completed", "not_completed")  # registrations of people who sat in a class
DIMENSION_LABELS = dict(DIMENSIONS)
TWO = Decimal("0.01")


# --- policy ------------------------------------------------------------------------------------------------


def policy_for(programme) -> EvaluationPolicy:
    """The programme's policy, or the defaults (unsaved) when it has none."""
    pid = getattr(programme, "pk", programme)
    return EvaluationPolicy.objects.filter(programme_id=pid).first() or EvaluationPolicy(programme_id=pid)


def _decimal(value, field: str, label: str, low: Decimal, high: Decimal, places: int = 3) -> Decimal:
    if value is None or value == "":
        raise ValidationFailed([FieldIssue(field, "required", f"请填写{label}。")])
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed([FieldIssue(field, "invalid", f"{label}必须是数字。")]) from None
    if not number.is_finite() or number < low or number > high:
        raise ValidationFailed([FieldIssue(field, "out_of_range", f"{label}应在 {low} 到 {high} 之间。")])
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationFailed([FieldIssue(field, "too_precise", f"{label}最多保留 {places} 位小数。")])
    return number


def _int(value, field: str, label: str, low: int, high: int) -> int:
    if value is None or value == "":
        raise ValidationFailed([FieldIssue(field, "required", f"请填写{label}。")])
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or not str(value).strip().lstrip("-").isdigit()
    ):
        raise ValidationFailed([FieldIssue(field, "invalid", f"{label}必须是整数。")])
    number = int(value)
    if number < low or number > high:
        raise ValidationFailed([FieldIssue(field, "out_of_range", f"{label}应在 {low} 到 {high} 之间。")])
    return number


def policy_dict(policy: EvaluationPolicy) -> dict:
    return {
        "min_answers": policy.min_answers,
        "close_days": policy.close_days,
        "weights": {k: float(v) for k, v in policy.weights.items()},
        "suspend_bottom": policy.suspend_bottom,
    }


def policy(actor, programme_id) -> EvaluationPolicy:
    """The published weights and settings, for those who may read the ranking."""
    permissions.check(actor, "ranking.view")
    return policy_for(get_programme(programme_id))


def set_policy(actor, programme_id, data: dict) -> EvaluationPolicy:
    """The bureau publishes the weights and settings of a year's evaluation and ranking. Weights are shares
    that add up to 1 (shown next to the ranking); changing them after the ranking was confirmed is refused."""
    permissions.check(actor, "evaluation.policy")
    programme = get_programme(programme_id)
    weights = {
        "weight_trainee": _decimal(
            data.get("weight_trainee"), "weight_trainee", "学员评价权重", Decimal(0), Decimal(1)
        ),
        "weight_assessment": _decimal(
            data.get("weight_assessment"), "weight_assessment", "第三方评估权重", Decimal(0), Decimal(1)
        ),
        "weight_completion": _decimal(
            data.get("weight_completion"), "weight_completion", "结业率权重", Decimal(0), Decimal(1)
        ),
    }
    if sum(weights.values()) != 1:
        raise ValidationFailed(
            [
                FieldIssue(
                    "weight_trainee", "weights_sum", f"三项权重之和应为 1（现为 {sum(weights.values())}）。"
                )
            ]
        )
    values = {
        **weights,
        "min_answers": _int(data.get("min_answers"), "min_answers", "机构可见的最少评价份数", 1, 100),
        "close_days": _int(data.get("close_days"), "close_days", "结业后评价开放天数", 0, 365),
        "suspend_bottom": _int(data.get("suspend_bottom"), "suspend_bottom", "末位暂停机构数", 0, 20),
    }
    with transaction.atomic():
        current = policy_for(programme)
        ranking_fields = ("weight_trainee", "weight_assessment", "weight_completion", "suspend_bottom")
        if (
            any(getattr(current, k) != values[k] for k in ranking_fields)
            and RankingDecision.objects.filter(programme=programme).exists()
        ):
            raise RuleViolation("ranking_already_confirmed", "本年度排名已确认，不能再修改排名权重和末位数。")
        before = policy_dict(current)
        policy, _ = EvaluationPolicy.objects.update_or_create(programme=programme, defaults=values)
        audit.record(actor, "evaluation.policy", programme, before=before, after=policy_dict(policy))
    return policy


# --- trainee evaluation ------------------------------------------------------------------------------------


def window(tc: TrainingClass, policy: EvaluationPolicy | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive, local time) a trainee may evaluate the class."""
    policy = policy or policy_for(tc.programme_id)
    return tc.start_date, tc.end_date + datetime.timedelta(days=policy.close_days)


def window_state(tc: TrainingClass, policy: EvaluationPolicy | None = None) -> str:
    """'not_open' | 'open' | 'closed' for today."""
    if tc.status == "cancelled":
        return "not_open"
    opens, closes = window(tc, policy)
    today = timezone.localdate()
    return "not_open" if today < opens else "closed" if today > closes else "open"


def trainee_registration(actor, tc: TrainingClass) -> Registration | None:
    return (
        Registration.objects.filter(training_class=tc, trainee__user=actor, status__in=TRAINED_STATUSES)
        .select_related("trainee")
        .first()
    )


def _check_window(tc: TrainingClass) -> None:
    policy = policy_for(tc.programme_id)
    state = window_state(tc, policy)
    opens, closes = window(tc, policy)
    if state == "not_open":
        if tc.status == "cancelled":
            raise RuleViolation("evaluation_not_open", "该班已取消，不能评价。")
        raise RuleViolation("evaluation_not_open", f"本班开班（{opens:%Y年%m月%d日}）后才能评价。")
    if state == "closed":
        raise RuleViolation("evaluation_closed", f"本班评价已于 {closes:%Y年%m月%d日} 截止。")


def _scores(data: dict) -> dict[str, int]:
    issues, scores = [], {}
    for field, label in DIMENSIONS:
        try:
            scores[field] = _int(data.get(field), field, label, 1, 5)
        except ValidationFailed as exc:
            issues.extend(exc.errors)
    if issues:
        raise ValidationFailed(issues)
    return scores


def _session_scores(tc: TrainingClass, items) -> dict[int, int]:
    ratings: dict[int, int] = {}
    if not items:
        return ratings
    class_sessions = set(TimetableSession.objects.filter(training_class=tc).values_list("pk", flat=True))
    issues = []
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        sid = item.get("session")
        if sid not in class_sessions:
            issues.append(
                FieldIssue(f"sessions[{i}].session", "session_not_in_class", "所评课程不属于本班课表。")
            )
            continue
        if sid in ratings:
            issues.append(FieldIssue(f"sessions[{i}].session", "duplicate", "同一课程只能评一次分。"))
            continue
        try:
            ratings[sid] = _int(item.get("score"), f"sessions[{i}].score", "课程评分", 1, 5)
        except ValidationFailed as exc:
            issues.extend(exc.errors)
    if issues:
        raise ValidationFailed(issues)
    return ratings


def submit(actor, class_id, data: dict) -> Evaluation:
    """A trainee of the class evaluates it once, between the first day of class and the close of the survey."""
    permissions.check(actor, "evaluation.submit")
    tc = get_class(actor, class_id)
    registration = trainee_registration(actor, tc)
    if registration is None:
        raise PermissionDenied("not_in_class", "您不是该班学员，不能评价本班。")
    _check_window(tc)
    if Evaluation.objects.filter(registration=registration).exists():
        raise RuleViolation("already_evaluated", "您已评价过本班，每位学员只能评价一次。")
    scores = _scores(data)
    sessions = _session_scores(tc, data.get("sessions"))
    comments = (data.get("comments") or "").strip()
    if len(comments) > 2000:
        raise ValidationFailed([FieldIssue("comments", "too_long", "意见建议不超过 2000 字。")])
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                registration=registration, training_class=tc, comments=comments, **scores
            )
            SessionRating.objects.bulk_create(
                SessionRating(evaluation=evaluation, session_id=sid, score=score)
                for sid, score in sessions.items()
            )
            # The audit says that an answer was given, never what it was.
            audit.record(
                actor,
                "evaluation.submit",
                evaluation,
                label=f"{tc.label} 培训评价",
                after={"class": tc.pk, "sessions_rated": len(sessions)},
            )
    except IntegrityError:  # a second submit that raced the first: the database decided
        raise RuleViolation("already_evaluated", "您已评价过本班，每位学员只能评价一次。") from None
    return evaluation


# --- aggregates ---------------------------------------------------------------------------------------------


def _dimension_aggregates(prefix: str = "") -> dict:
    out = {"responses": Count(f"{prefix}id", distinct=True)}
    for field, _ in DIMENSIONS:
        out[f"avg_{field}"] = Avg(f"{prefix}{field}")  # not the field's own name: a filter may use that
    return out


def _round(value, places=2):
    return None if value is None else round(float(value), places)


def _overall(row: dict):
    values = [row.get(f) for f, _ in DIMENSIONS]
    return None if any(v is None for v in values) else round(sum(values) / len(values), 2)


def _is_staff_reader(actor) -> bool:
    return actor.role in (permissions.BUREAU, permissions.CENTRE)


def readable_class(actor, class_id) -> TrainingClass:
    """A class whose evaluation the actor may read (scoped: another institution's class is 404)."""
    permissions.check(actor, "evaluation.view")
    return get_class(actor, class_id)


def summary(actor, class_id) -> dict:
    return class_summary(actor, readable_class(actor, class_id))


def class_summary(actor, tc: TrainingClass) -> dict:
    """Aggregates of one class (already checked with `readable_class`): averages, distribution per dimension,
    per-session averages, comments without names. An institution gets nothing but `responses` below the
    programme's threshold."""
    policy = policy_for(tc.programme_id)
    evaluations = Evaluation.objects.filter(training_class=tc)
    distribution = {
        f"{field}_{score}": Count("id", filter=Q(**{field: score}))
        for field, _ in DIMENSIONS
        for score in range(1, 6)
    }
    agg = evaluations.aggregate(**_dimension_aggregates(), **distribution)
    n = agg["responses"]
    expected = Registration.objects.filter(training_class=tc, status__in=TRAINED_STATUSES).count()
    hidden = not _is_staff_reader(actor) and n < policy.min_answers
    out = {
        "class": tc.pk,
        "responses": n,
        "expected": expected,
        "min_answers": policy.min_answers,
        "suppressed": hidden,
        "window": dict(zip(("opens", "closes"), window(tc, policy), strict=True)),
        "state": window_state(tc, policy),
    }
    for field, _ in DIMENSIONS:
        out[field] = None if hidden else _round(agg[f"avg_{field}"])
    out["overall"] = None if hidden else _overall(out)
    out["distribution"] = (
        None if hidden else {field: [agg[f"{field}_{s}"] for s in range(1, 6)] for field, _ in DIMENSIONS}
    )
    sessions = (
        SessionRating.objects.filter(session__training_class=tc)
        .values("session_id", "session__title", "session__date", "session__faculty__name")
        .annotate(responses=Count("evaluation", distinct=True), average=Avg("score"))
        .order_by("session__date", "session__start")
    )
    out["sessions"] = (
        []
        if hidden
        else [
            {
                "session": s["session_id"],
                "title": s["session__title"],
                "date": s["session__date"],
                "faculty": s["session__faculty__name"] or "",
                "responses": s["responses"],
                "average": _round(s["average"])
                if _is_staff_reader(actor) or s["responses"] >= policy.min_answers
                else None,
            }
            for s in sessions
        ]
    )
    # Comments are sorted by their text, so their order says nothing about who wrote them or when.
    out["comments"] = (
        [] if hidden else sorted(evaluations.exclude(comments="").values_list("comments", flat=True))
    )
    return out


def programme_satisfaction(programme) -> dict | None:
    """The year's national satisfaction (all answers, four dimensions and their mean) for the dashboard; None
    before any answer. Callers decide scope; nobody's single answer can be read from a national mean."""
    agg = Evaluation.objects.filter(training_class__programme=programme).aggregate(**_dimension_aggregates())
    if not agg["responses"]:
        return None
    out = {"responses": agg["responses"], **{f: _round(agg[f"avg_{f}"]) for f, _ in DIMENSIONS}}
    out["overall"] = _overall(out)
    return out


def pending(actor, class_id) -> dict:
    return class_pending(actor, readable_class(actor, class_id))


def class_pending(actor, tc: TrainingClass) -> dict:
    """Who has not answered yet: a count for the institution, names for the centre (reminders)."""
    waiting = (
        Registration.objects.filter(training_class=tc, status__in=TRAINED_STATUSES, evaluation__isnull=True)
        .select_related("trainee", "region")
        .order_by("region_id", "trainee__name")
    )
    out = {"class": tc.pk, "pending": waiting.count()}
    if permissions.allowed(actor, "evaluation.names"):
        out["trainees"] = [
            {
                "registration": r.pk,
                "name": r.trainee.name,
                "region": r.region.name,
                "mobile": r.trainee.mobile,
            }
            for r in waiting
        ]
    return out


def report(actor, programme_id) -> dict:
    """The year's evaluation report: per class, institution, faculty member, topic and format. Scoped (an
    institution sees its own classes only) and, for institutions, thresholded per row."""
    permissions.check(actor, "evaluation.view")
    programme = get_programme(programme_id)
    policy = policy_for(programme)
    threshold = 0 if _is_staff_reader(actor) else policy.min_answers
    evaluations = Evaluation.objects.filter(training_class__programme=programme)
    ratings = SessionRating.objects.filter(session__training_class__programme=programme)

    def rows(queryset, keys: dict[str, str], aggregates: dict, order) -> list[dict]:
        out = []
        for row in queryset.values(*keys.values()).annotate(**aggregates).order_by(*order):
            item = {name: row[path] for name, path in keys.items()}
            visible = row["responses"] >= threshold
            item["responses"] = row["responses"]
            item["suppressed"] = not visible
            for name in aggregates:
                if name == "responses":
                    continue
                value = _round(row[name]) if name == "average" or name.startswith("avg_") else row[name]
                item[name.removeprefix("avg_")] = value if visible else None
            if "course_design" in item:
                item["overall"] = _overall(item) if visible else None
            out.append(item)
        return out

    session_aggs = {
        "responses": Count("evaluation", distinct=True),
        "ratings": Count("id"),
        "average": Avg("score"),
    }
    by_institution = rows(
        evaluations,
        {"institution": "training_class__institution_id", "name": "training_class__institution__name"},
        _dimension_aggregates(),
        ["training_class__institution__name"],
    )
    by_class = rows(
        evaluations,
        {
            "class": "training_class_id",
            "number": "training_class__number",
            "institution": "training_class__institution__name",
            "city": "training_class__city",
        },
        _dimension_aggregates(),
        ["training_class__number"],
    )
    by_faculty = rows(
        ratings.filter(session__faculty__isnull=False),
        {
            "faculty": "session__faculty_id",
            "name": "session__faculty__name",
            "affiliation": "session__faculty__affiliation",
        },
        session_aggs,
        ["-average", "session__faculty__name"],
    )
    by_topic = rows(
        ratings,
        {"topic": "session__topic_id", "name": "session__topic__name"},
        session_aggs,
        ["session__topic_id"],
    )
    format_labels = dict(TimetableSession._meta.get_field("format").choices)
    by_format = rows(ratings, {"format": "session__format"}, session_aggs, ["session__format"])
    for row in by_format:
        row["name"] = format_labels.get(row["format"], row["format"])
    totals = evaluations.aggregate(**_dimension_aggregates())
    visible_total = totals["responses"] >= threshold
    total = {
        "responses": totals["responses"],
        "suppressed": not visible_total,
        **{f: (_round(totals[f"avg_{f}"]) if visible_total else None) for f, _ in DIMENSIONS},
    }
    total["overall"] = _overall(total) if visible_total else None
    return {
        "programme": programme.pk,
        "year": programme.year,
        "min_answers": policy.min_answers,
        "total": total,
        "by_institution": by_institution,
        "by_class": by_class,
        "by_faculty": by_faculty,
        "by_topic": by_topic,
        "by_format": by_format,
    }


# --- third-party assessment --------------------------------------------------------------------------------


def set_assessment(actor, programme_id, institution_id, score, notes: str = "") -> Assessment:
    permissions.check(actor, "assessment.edit")
    programme = get_programme(programme_id)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound(detail="没有这个培训机构。")
    value = _decimal(score, "score", "评估得分", Decimal(0), Decimal(100), places=2)
    notes = (notes or "").strip()
    if len(notes) > 4000:
        raise ValidationFailed([FieldIssue("notes", "too_long", "评估说明不超过 4000 字。")])
    with transaction.atomic():
        if RankingDecision.objects.filter(programme=programme).exists():
            raise RuleViolation("ranking_already_confirmed", "本年度排名已确认，评估得分不能再修改。")
        before = (
            Assessment.objects.filter(programme=programme, institution=institution)
            .values("score", "notes")
            .first()
        )
        assessment, _ = Assessment.objects.update_or_create(
            programme=programme,
            institution=institution,
            defaults={"score": value, "notes": notes, "assessor": actor},
        )
        audit.record(
            actor,
            "assessment.set",
            assessment,
            label=f"{programme.year}年 {institution.name} 第三方评估",
            before=before and {"score": str(before["score"]), "notes": before["notes"]},
            after={"score": str(value), "notes": notes},
        )
    return assessment


def assessments(actor, programme_id) -> list[dict]:
    """Institutions to score in a year (those with a class, or already scored), with their current score."""
    permissions.check(actor, "assessment.view")
    programme = get_programme(programme_id)
    scored = {a.institution_id: a for a in Assessment.objects.filter(programme=programme)}
    ids = set(
        TrainingClass.objects.filter(programme=programme)
        .exclude(status="cancelled")
        .values_list("institution_id", flat=True)
    ) | set(scored)
    out = []
    for inst in Institution.objects.filter(pk__in=ids).order_by("name"):
        a = scored.get(inst.pk)
        out.append(
            {
                "institution": inst.pk,
                "name": inst.name,
                "score": float(a.score) if a else None,
                "notes": a.notes if a else "",
                "updated_at": a.updated_at if a else None,
            }
        )
    return out


# --- ranking -----------------------------------------------------------------------------------------------


def _component(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def ranking(actor, programme_id) -> dict:
    """The year's ranking with every component, the weights and the proposal (SPEC §3.6)."""
    permissions.check(actor, "ranking.view")
    programme = get_programme(programme_id)
    return compute_ranking(programme)


def compute_ranking(programme: Programme) -> dict:
    policy = policy_for(programme)
    weights = policy.weights
    assessed = {
        a["institution_id"]: a["score"]
        for a in Assessment.objects.filter(programme=programme).values("institution_id", "score")
    }
    taught = set(
        TrainingClass.objects.filter(programme=programme)
        .exclude(status="cancelled")
        .values_list("institution_id", flat=True)
    )
    ids = taught | set(assessed)
    ratings = {
        r["training_class__institution_id"]: r
        for r in Evaluation.objects.filter(training_class__programme=programme)
        .values("training_class__institution_id")
        .annotate(
            responses=Count("id"),
            mean=Avg(F("course_design") + F("faculty") + F("organisation") + F("effect")),
        )
    }
    completion = {
        r["training_class__institution_id"]: r
        for r in Registration.objects.filter(
            training_class__programme=programme, status__in=("completed", "not_completed")
        )
        .values("training_class__institution_id")
        .annotate(decided=Count("id"), completed=Count("id", filter=Q(status="completed")))
    }
    names = dict(Institution.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for iid in ids:
        r = ratings.get(iid)
        trainee = (Decimal(str(r["mean"])) / 4 * 20).quantize(TWO) if r and r["mean"] is not None else None
        assessment = Decimal(assessed[iid]).quantize(TWO) if iid in assessed else None
        c = completion.get(iid)
        rate = (Decimal(c["completed"]) / Decimal(c["decided"])).quantize(Decimal("0.0001")) if c else None
        composite = (
            weights["trainee"] * _component(trainee)
            + weights["assessment"] * _component(assessment)
            + weights["completion"] * _component(rate) * 100
        ).quantize(TWO)
        missing = [
            label
            for label, v in (("学员评价", trainee), ("第三方评估", assessment), ("结业率", rate))
            if v is None
        ]
        rows.append(
            {
                "institution": iid,
                "name": names.get(iid, ""),
                "composite": composite,
                "trainee_score": trainee,
                "trainee_responses": r["responses"] if r else 0,
                "assessment_score": assessment,
                "completion_rate": rate,
                "completed": c["completed"] if c else 0,
                "decided": c["decided"] if c else 0,
                "missing": missing,
            }
        )

    def key(row):
        def desc(v):  # missing sorts below any value
            return -(v if v is not None else Decimal(-1))

        return (
            -row["composite"],
            desc(row["assessment_score"]),
            desc(row["trainee_score"]),
            desc(row["completion_rate"]),
            row["name"],
            row["institution"],
        )

    rows.sort(key=key)
    bottom = policy.suspend_bottom if len(rows) > policy.suspend_bottom else 0
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
        row["proposed_suspension"] = bottom > 0 and i > len(rows) - bottom
    decision = RankingDecision.objects.filter(programme=programme).select_related("next_programme").first()
    return {
        "programme": programme,
        "policy": policy,
        "weights": weights,
        "rows": rows,
        "decision": decision,
        "weights_text": {k: f"{float(v):g}" for k, v in weights.items()},
    }


def ranking_row_json(row: dict) -> dict:
    def num(v):
        return None if v is None else float(v)

    return {
        "institution": row["institution"],
        "institution_name": row["name"],
        "rank": row["rank"],
        "composite": num(row["composite"]),
        "trainee_score": num(row["trainee_score"]),
        "trainee_responses": row["trainee_responses"],
        "assessment_score": num(row["assessment_score"]),
        "completion_rate": num(row["completion_rate"]),
        "proposed_suspension": row["proposed_suspension"],
        "missing": row["missing"],
    }


def confirm_ranking(actor, programme_id, next_programme_id) -> tuple[RankingDecision, bool]:
    """The bureau confirms: the proposed institutions become `suspended` in the next programme. Confirming
    again against the same programme changes nothing (→ (decision, False)); against another one is refused."""
    permissions.check(actor, "ranking.confirm")
    programme = get_programme(programme_id)
    if next_programme_id in (None, ""):
        raise ValidationFailed([FieldIssue("next_programme", "required", "请选择暂停生效的下一年度计划。")])
    nxt = Programme.objects.filter(pk=next_programme_id).first()
    if nxt is None:
        raise ValidationFailed([FieldIssue("next_programme", "not_found", "所选的下一年度计划不存在。")])
    if nxt.year <= programme.year:
        raise RuleViolation(
            "next_programme_not_later",
            f"暂停只能在以后的年度生效：所选计划是 {nxt.year} 年，排名是 {programme.year} 年。",
            [FieldIssue("next_programme", "next_programme_not_later", "请选择以后年度的计划。")],
        )
    existing = RankingDecision.objects.filter(programme=programme).first()
    if existing is not None:
        return _same_decision(existing, nxt), False
    result = compute_ranking(programme)
    proposed = [row for row in result["rows"] if row["proposed_suspension"]]
    reason = f"{programme.year}年度培训承担机构综合排名末位（第{{rank}}名，共{len(result['rows'])}家），暂停承担{nxt.year}年度培训任务。"
    try:
        with transaction.atomic():
            decision = RankingDecision.objects.create(
                programme=programme,
                next_programme=nxt,
                suspended=[row["institution"] for row in proposed],
                ranking=[ranking_row_json(row) for row in result["rows"]],
                confirmed_by=actor,
            )
            for row in proposed:
                status, _ = InstitutionYearStatus.objects.update_or_create(
                    institution_id=row["institution"],
                    programme=nxt,
                    defaults={"status": "suspended", "reason": reason.format(rank=row["rank"])},
                )
                audit.record(
                    actor,
                    "institution.suspend",
                    status,
                    label=f"{row['name']} {nxt.year}年",
                    from_state="active",
                    to_state="suspended",
                    reason=status.reason,
                )
            audit.record(
                actor,
                "ranking.confirm",
                decision,
                label=f"{programme.year}年度机构排名",
                after={
                    "next_programme": nxt.pk,
                    "suspended": decision.suspended,
                    "weights": {k: str(v) for k, v in result["weights"].items()},
                },
            )
    except IntegrityError:  # another confirmation won the race
        existing = RankingDecision.objects.filter(programme=programme).first()
        if existing is None:
            raise
        return _same_decision(existing, nxt), False
    return decision, True


def _same_decision(existing: RankingDecision, nxt: Programme) -> RankingDecision:
    if existing.next_programme_id != nxt.pk:
        raise RuleViolation(
            "ranking_already_confirmed",
            f"本年度排名已确认（暂停在 {existing.next_programme.year} 年生效），不能改为其他年度。",
        )
    return existing
