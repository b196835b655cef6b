from django.db import models


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", "高等院校"
    ASSOCIATION = "association", "行业协会"
    TALENT_CENTRE = "talent_centre", "人才交流中心"
    OTHER = "other", "其他"


class Track(models.TextChoices):
    REGIONAL = "regional", "区域发展"
    SPECIALIZED = "specialized", "专精特新"
    INTEGRATION = "integration", "大中小企业融通创新"
    THEME = "theme", "主题"


class Institution(models.Model):
    """培训承担机构: a university, association or centre that teaches classes."""

    name = models.CharField("机构名称", max_length=100, unique=True)
    kind = models.CharField("机构类别", max_length=20, choices=InstitutionKind.choices)
    tracks = models.JSONField("承担方向", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "培训承担机构"

    def __str__(self):
        return self.name

    @property
    def track_labels(self) -> list[str]:
        labels = dict(Track.choices)
        return [labels.get(t, t) for t in self.tracks]


class InstitutionYearStatus(models.Model):
    """An institution's standing in one programme year: active, or suspended with a reason (SPEC §3.3, §3.6).
    No row means active."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="year_statuses")
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="institution_statuses"
    )
    status = models.CharField(
        max_length=10, choices=[("active", "正常"), ("suspended", "暂停")], default="active"
    )
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "programme"], name="institution_year_unique")
        ]

    def __str__(self):
        return f"{self.institution} {self.get_status_display()}"
