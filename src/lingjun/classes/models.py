from django.db import models
from django.db.models import F, Q

from lingjun.core.scoping import ScopedManager


class ClassStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    OPEN = "open", "已开班"
    FINISHED = "finished", "已结业"
    CANCELLED = "cancelled", "已取消"


class TrainingClass(models.Model):
    """期/班: one centralised class of a programme, taught by one institution (SPEC §3.3)."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="classes")
    number = models.PositiveSmallIntegerField("期次")
    track = models.CharField("培训方向", max_length=20)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="classes"
    )
    city = models.CharField("城市", max_length=40)
    venue = models.CharField("地点", max_length=200, blank=True)
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    capacity = models.PositiveIntegerField("容量")
    enrolled = models.PositiveIntegerField("已编入", default=0)
    head_teacher = models.CharField("班主任", max_length=50, blank=True)
    head_teacher_phone = models.CharField("班主任电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=ClassStatus.choices, default=ClassStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    # Region officers and trainees may list classes; institution staff see their own classes only.
    objects = ScopedManager(institution="institution_id", region=None, trainee=None, assessor=None)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = "班级"
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="class_number_unique"),
            models.CheckConstraint(
                name="class_enrolled_within_capacity", condition=Q(enrolled__lte=F("capacity"))
            ),
            models.CheckConstraint(name="class_dates_ordered", condition=Q(end_date__gte=F("start_date"))),
            models.CheckConstraint(name="class_capacity_positive", condition=Q(capacity__gt=0)),
        ]

    def __str__(self):
        return f"第{self.number}期"

    @property
    def label(self) -> str:
        return f"{self.programme.year}年第{self.number}期（{self.city}）"


class AffiliationKind(models.TextChoices):
    GOVERNMENT = "government", "政府部门"
    UNIVERSITY = "university", "高等院校"
    RESEARCH = "research_institute", "研究机构"
    ENTERPRISE = "enterprise", "企业"


class Faculty(models.Model):
    """师资: a teacher of timetable sessions."""

    name = models.CharField("姓名", max_length=50)
    affiliation = models.CharField("工作单位", max_length=120)
    affiliation_kind = models.CharField("单位类别", max_length=20, choices=AffiliationKind.choices)
    title = models.CharField("职务/职称", max_length=80, blank=True)
    topics = models.ManyToManyField("reference.Topic", blank=True, verbose_name="擅长专题")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "师资"

    def __str__(self):
        return f"{self.name}（{self.affiliation}）"


class SessionFormat(models.TextChoices):
    LECTURE = "lecture", "讲座"
    FIELD = "field_teaching", "现场教学"
    DISCUSSION = "discussion", "讨论交流"
    OTHER = "other", "其他"


class TimetableSession(models.Model):
    """课表单元: one session of a class's timetable."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    title = models.CharField("课程名称", max_length=200)
    topic = models.ForeignKey("reference.Topic", on_delete=models.PROTECT, verbose_name="专题")
    format = models.CharField("形式", max_length=20, choices=SessionFormat.choices)
    faculty = models.ForeignKey(
        Faculty, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    place = models.CharField("地点", max_length=200, blank=True)
    required = models.BooleanField("必修（计入考勤）", default=True)

    objects = ScopedManager(
        institution="training_class__institution_id", region=None, trainee=None, assessor=None
    )

    class Meta:
        ordering = ["date", "start"]
        verbose_name = "课表单元"
        constraints = [
            models.CheckConstraint(name="session_end_after_start", condition=Q(end__gt=F("start")))
        ]

    def __str__(self):
        return f"{self.date} {self.start:%H:%M} {self.title}"
