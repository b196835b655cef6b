from django.conf import settings
from django.db import models
from django.db.models import Q

from lingjun.core.scoping import ScopedManager

# 2025 (a year), 2025-H1 (a half), 2025-Q3 (a quarter) or 2025-07 (a month): periods sort as text.
PERIOD_PATTERN = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"


class OperationReport(models.Model):
    """企业经营情况: one period of a trained enterprise's figures, recorded by the region that follows it up
    (SPEC §3.7). Money in 万元, as in the registration form."""

    enterprise = models.ForeignKey(
        "registrations.Enterprise", on_delete=models.CASCADE, related_name="reports", verbose_name="企业"
    )
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, verbose_name="填报地区")
    period = models.CharField("报告期", max_length=7)
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2)
    employees = models.PositiveIntegerField("从业人员（人）")
    rnd_spend = models.DecimalField("研发投入（万元）", max_digits=14, decimal_places=2)
    patents = models.PositiveIntegerField("专利数（件）")
    export_revenue = models.DecimalField(
        "出口额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    financing = models.DecimalField("融资额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(region="region_id")

    class Meta:
        ordering = ["enterprise", "period"]
        verbose_name = "企业经营情况"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period"], name="report_one_per_period"),
            models.CheckConstraint(name="report_period_format", condition=Q(period__regex=PERIOD_PATTERN)),
            models.CheckConstraint(
                name="report_amounts_not_negative", condition=Q(revenue__gte=0, rnd_spend__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.period}"


class ServiceKind(models.TextChoices):
    POLICY = "policy", "政策辅导"
    FINANCING = "financing", "融资对接"
    MARKET = "market", "市场拓展"
    TECHNOLOGY = "technology", "技术创新"
    TALENT = "talent", "人才培训"
    DIGITAL = "digital", "数字化转型"
    OTHER = "other", "其他"


class ServiceRecord(models.Model):
    """助企服务: a service a region offered a trained enterprise."""

    enterprise = models.ForeignKey(
        "registrations.Enterprise", on_delete=models.CASCADE, related_name="services", verbose_name="企业"
    )
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, verbose_name="服务地区")
    date = models.DateField("服务日期")
    kind = models.CharField("服务类别", max_length=20, choices=ServiceKind.choices)
    description = models.TextField("服务内容")
    outcome = models.TextField("服务成效", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(region="region_id")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "助企服务记录"
        constraints = [
            models.CheckConstraint(
                name="service_kind_valid", condition=Q(kind__in=[k.value for k in ServiceKind])
            )
        ]
        indexes = [models.Index(fields=["enterprise", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"
