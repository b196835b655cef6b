from django.conf import settings
from django.db import models
from django.db.models import Q

from lingjun.core.scoping import ScopedManager


class SizeClass(models.TextChoices):
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"
    LARGE = "large", "非中小企业"


class Enterprise(models.Model):
    """企业. Identified nationally by its unified social credit code (GB 32100)."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, verbose_name="所属地区")
    address = models.CharField("企业地址", max_length=300, blank=True)
    industry_division = models.CharField("所属行业代码", max_length=4)
    employees = models.PositiveIntegerField("从业人员（人）")
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2)
    total_assets = models.DecimalField("资产总额（万元）", max_digits=14, decimal_places=2)
    size_class = models.CharField("企业规模", max_length=10, choices=SizeClass.choices)
    size_standard = models.ForeignKey("reference.SizeStandard", on_delete=models.PROTECT)
    is_manufacturing = models.BooleanField("制造业企业", default=False)
    qualifications = models.ManyToManyField("reference.Qualification", blank=True, verbose_name="企业资质")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "企业"

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Trainee(models.Model):
    """学员 (the person). The resident ID number is stored only encrypted, plus a keyed hash for look-ups."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期")
    id_number_encrypted = models.TextField("身份证号（密文）")
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=18)
    political_status = models.CharField("政治面貌", max_length=20, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    position = models.CharField("职务", max_length=60)
    mobile = models.CharField("手机", max_length=11)
    email = models.CharField("电子邮箱", max_length=254)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainee"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学员"

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "未通过"
    ENROLLED = "enrolled", "已编班"
    COMPLETED = "completed", "已结业"
    NOT_COMPLETED = "not_completed", "未结业"
    WITHDRAWN = "withdrawn", "已撤回"


# Registrations that still hold their enterprise (R1); rejected and withdrawn ones free it.
LIVE_STATUSES = ("draft", "submitted", "returned", "approved", "enrolled", "completed", "not_completed")
# Registrations counted against the region's quota (R2): everything submitted and not released.
SEAT_STATUSES = ("submitted", "returned", "approved", "enrolled", "completed", "not_completed")
EDITABLE_STATUSES = ("draft", "returned")
TRANSITIONS = {
    "draft": {"submitted", "withdrawn"},
    "returned": {"submitted", "withdrawn"},
    "submitted": {"approved", "rejected", "returned", "withdrawn"},
    "approved": {"enrolled", "withdrawn", "rejected"},
    "enrolled": {"completed", "not_completed", "withdrawn", "approved"},
    "completed": set(),
    "not_completed": set(),
    "rejected": set(),
    "withdrawn": set(),
}


class Registration(models.Model):
    """报名 (附件4 row): one trainee of one enterprise recommended by one region for one programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="registrations"
    )
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="registrations")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="registrations")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, verbose_name="推荐地区")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    holds_seat = models.BooleanField("占用名额", default=False)
    is_principal = models.BooleanField("是否企业主要负责人", default=True)
    principal_justification = models.TextField("非一把手参训说明", blank=True)
    preferred_classes = models.JSONField("意向期次", default=list, blank=True)
    declared_voluntary = models.BooleanField("本人自愿参训", default=False)
    declared_no_bad_record = models.BooleanField("无违法犯罪及不良从业记录", default=False)
    declared_fit = models.BooleanField("身体健康能坚持参训", default=False)
    confirmed_at = models.DateTimeField("本人确认时间", null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    is_retraining = models.BooleanField("复训", default=False)
    warnings = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, default="form")  # form | api | import
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    training_class = models.ForeignKey(
        "classes.TrainingClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name="所在班级",
    )
    placement_note = models.CharField("编班说明", max_length=200, blank=True)

    objects = ScopedManager(
        region="region_id", trainee="trainee__user_id", institution="training_class__institution_id"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "报名"
        constraints = [
            # R1: one enterprise, one person, one class per programme year — decided by the database.
            models.UniqueConstraint(
                fields=["programme", "enterprise"],
                condition=Q(status__in=LIVE_STATUSES),
                name="registration_one_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["programme", "trainee"],
                condition=Q(status__in=LIVE_STATUSES),
                name="registration_one_per_trainee",
            ),
            models.CheckConstraint(
                name="registration_seat_only_when_submitted",
                condition=Q(holds_seat=False) | Q(status__in=SEAT_STATUSES),
            ),
            models.CheckConstraint(
                name="registration_status_valid", condition=Q(status__in=[s.value for s in Status])
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "region", "status"]),
            models.Index(fields=["programme", "status"]),
        ]

    def __str__(self):
        return f"{self.trainee.name}（{self.enterprise.name}）"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Invitation(models.Model):
    """邀请确认: a link the officer forwards so the trainee confirms participation personally (R6)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"邀请确认（报名 {self.registration_id}）"


class ImportBatch(models.Model):
    """One upload of a 附件4 workbook; the file's hash makes repeated uploads recognisable."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE)
    region = models.ForeignKey("reference.Region", null=True, on_delete=models.PROTECT)
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    mode = models.CharField(max_length=20)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(region="region_id")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"导入 {self.file_name}"
