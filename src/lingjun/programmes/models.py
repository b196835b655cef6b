from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lingjun.core.scoping import ScopedManager


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "报名中"
    CLOSED = "closed", "报名截止"
    ARCHIVED = "archived", "已归档"


# draft → open → closed → archived; a closed programme may be reopened (e.g. a deadline extended by notice).
STATUS_FLOW = {
    "draft": {"open"},
    "open": {"closed"},
    "closed": {"open", "archived"},
    "archived": set(),
}


class Programme(models.Model):
    """年度计划: one programme year as its notice defines it (SPEC §3.1)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200)
    notice_number = models.CharField("文号", max_length=60, blank=True)
    target_trainees = models.PositiveIntegerField("目标培训人数")
    min_manufacturing_share = models.DecimalField(
        "制造业企业最低占比", max_digits=4, decimal_places=3, null=True, blank=True
    )
    registration_deadline = models.DateField("报名截止日期")
    planned_classes = models.PositiveSmallIntegerField("计划期数")
    days_per_class = models.PositiveSmallIntegerField("每期天数", default=4)
    tracks = models.JSONField("培训方向", default=list, blank=True)
    size_standard = models.ForeignKey(
        "reference.SizeStandard",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="中小企业划型标准",
        help_text="留空则用最新版本",
    )
    earlier_training_policy = models.CharField(
        "往年已参训企业",
        max_length=10,
        default="warn",
        choices=[("allow", "允许"), ("warn", "提示"), ("refuse", "不予报名（复训邀请除外）")],
    )
    status = models.CharField("状态", max_length=10, choices=ProgrammeStatus.choices, default="draft")
    # Attendance (SPEC §3.4): the check-in window opens this long before a session and lateness starts after
    # the grace period; both are per programme.
    checkin_opens_minutes = models.PositiveSmallIntegerField("签到提前开放（分钟）", default=30)
    late_grace_minutes = models.PositiveSmallIntegerField("迟到宽限（分钟）", default=10)
    # Completion rule: share of required sessions attended (present or late, over required minus excused)
    # and the most unexcused absences allowed.
    completion_min_attendance = models.DecimalField(
        "结业最低出勤率", max_digits=4, decimal_places=3, default=0.9
    )
    completion_max_unexcused = models.PositiveSmallIntegerField("结业允许无故缺勤次数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度计划"
        constraints = [
            models.CheckConstraint(
                name="programme_status_valid", condition=Q(status__in=[s.value for s in ProgrammeStatus])
            ),
            models.CheckConstraint(
                name="programme_share_range",
                condition=Q(min_manufacturing_share__isnull=True)
                | Q(min_manufacturing_share__gte=0, min_manufacturing_share__lte=1),
            ),
            models.CheckConstraint(name="programme_target_positive", condition=Q(target_trainees__gt=0)),
        ]

    def __str__(self):
        return f"{self.year}年 {self.title}"


class Quota(models.Model):
    """附件2: how many trainees a region may send. `used` counts live registrations and is only ever
    changed by a conditional UPDATE, with the database refusing used > amount (R2)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT)
    amount = models.PositiveIntegerField("名额", default=0)
    used = models.PositiveIntegerField("已用", default=0)

    class Meta:
        ordering = ["region_id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "region"], name="quota_unique_region"),
            models.CheckConstraint(name="quota_used_within_amount", condition=Q(used__lte=F("amount"))),
        ]

    def __str__(self):
        return f"{self.programme.year} {self.region_id}: {self.amount}"


class WorkInfo(models.Model):
    """附件3: a region's department, responsible leader and liaison for one programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="work_infos")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT)
    department = models.CharField("单位名称", max_length=100)
    leader_name = models.CharField("分管负责人姓名", max_length=40)
    leader_position = models.CharField("分管负责人职务", max_length=60)
    leader_phone = models.CharField("分管负责人办公电话", max_length=30)
    liaison_name = models.CharField("联系人姓名", max_length=40)
    liaison_position = models.CharField("联系人职务", max_length=60)
    liaison_phone = models.CharField("联系人办公电话", max_length=30)
    liaison_mobile = models.CharField("联系人手机", max_length=11)
    liaison_email = models.EmailField("联系人电子邮箱")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(region="region_id")

    class Meta:
        ordering = ["region_id"]
        constraints = [models.UniqueConstraint(fields=["programme", "region"], name="workinfo_unique_region")]

    def __str__(self):
        return f"{self.programme.year} {self.region_id} 工作信息"
