"""Training evaluation (培训评价), third-party assessment (第三方评估) and institution ranking (SPEC §3.6)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from lingjun.core.scoping import ScopedManager

DIMENSIONS = (
    ("course_design", "课程设置"),
    ("faculty", "师资力量"),
    ("organisation", "组织管理"),
    ("effect", "实际效果"),
)


def _score_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}))


class EvaluationPolicy(models.Model):
    """评价与排名规则 of one programme year: who sees figures, how long the survey stays open, and the
    published weights of the ranking. No row means the defaults below (the 2021 notice: bottom two)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="evaluation_policy"
    )
    min_answers = models.PositiveSmallIntegerField("机构可见的最少评价份数", default=3)
    close_days = models.PositiveSmallIntegerField("结业后评价开放天数", default=14)
    weight_trainee = models.DecimalField(
        "学员评价权重", max_digits=4, decimal_places=3, default=Decimal("0.4")
    )
    weight_assessment = models.DecimalField(
        "第三方评估权重", max_digits=4, decimal_places=3, default=Decimal("0.4")
    )
    weight_completion = models.DecimalField(
        "结业率权重", max_digits=4, decimal_places=3, default=Decimal("0.2")
    )
    suspend_bottom = models.PositiveSmallIntegerField("末位暂停机构数", default=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评价与排名规则"
        constraints = [
            models.CheckConstraint(
                name="policy_weights_not_negative",
                condition=Q(weight_trainee__gte=0, weight_assessment__gte=0, weight_completion__gte=0),
            ),
            models.CheckConstraint(name="policy_min_answers_positive", condition=Q(min_answers__gte=1)),
        ]

    def __str__(self):
        return f"评价与排名规则（{self.programme_id}）"

    @property
    def weights(self) -> dict[str, Decimal]:
        return {
            "trainee": self.weight_trainee,
            "assessment": self.weight_assessment,
            "completion": self.weight_completion,
        }


class Evaluation(models.Model):
    """培训评价: one trainee's answer about one class, given once (unique per registration)."""

    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="evaluation"
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass", on_delete=models.CASCADE, related_name="evaluations"
    )
    course_design = models.PositiveSmallIntegerField("课程设置")
    faculty = models.PositiveSmallIntegerField("师资力量")
    organisation = models.PositiveSmallIntegerField("组织管理")
    effect = models.PositiveSmallIntegerField("实际效果")
    comments = models.TextField("意见建议", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Institutions never list answers (services only give them aggregates); the manager still keeps other
    # institutions' and regions' rows out of any query that forgets.
    objects = ScopedManager(
        institution="training_class__institution_id",
        region="registration__region_id",
        trainee="registration__trainee__user_id",
    )

    class Meta:
        verbose_name = "培训评价"
        constraints = [_score_check(f, f"evaluation_{f}_1_to_5") for f, _ in DIMENSIONS]

    def __str__(self):  # says whose class, never whose answer
        return f"培训评价 #{self.pk}"


class SessionRating(models.Model):
    """课程评分: the optional 1–5 score of one timetable session (and so of its faculty member)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="session_ratings")
    session = models.ForeignKey("classes.TimetableSession", on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField("评分")

    objects = ScopedManager(
        institution="session__training_class__institution_id",
        region="evaluation__registration__region_id",
        trainee="evaluation__registration__trainee__user_id",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "session"], name="session_rated_once"),
            _score_check("score", "session_rating_1_to_5"),
        ]

    def __str__(self):
        return f"课程评分 #{self.pk}"


class Assessment(models.Model):
    """第三方评估: an assessor's 0–100 score of one institution in one programme year."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="assessments"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="assessments"
    )
    score = models.DecimalField("评估得分", max_digits=5, decimal_places=2)
    notes = models.TextField("评估说明", blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "第三方评估"
        constraints = [
            models.UniqueConstraint(fields=["programme", "institution"], name="assessment_once_per_year"),
            models.CheckConstraint(name="assessment_0_to_100", condition=Q(score__gte=0, score__lte=100)),
        ]

    def __str__(self):
        return f"{self.institution} 第三方评估 {self.score}"


class RankingDecision(models.Model):
    """排名确认: the bureau confirmed a year's ranking against the next programme; the bottom institutions
    are suspended there. One per ranked programme (confirming again is idempotent)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.PROTECT, related_name="ranking_decision"
    )
    next_programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    suspended = models.JSONField(default=list)  # institution ids
    ranking = models.JSONField(default=list)  # the ranking as confirmed, for the record
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "排名确认"

    def __str__(self):
        return f"排名确认（{self.programme_id} → {self.next_programme_id}）"
