from django.conf import settings
from django.db import models
from django.db.models import Q

from lingjun.core.scoping import ScopedManager


class Certificate(models.Model):
    """结业证书: issued by the centre to one completed trainee of one class (SPEC §3.5).

    What was issued is frozen: `data` holds every value printed (name, enterprise, class, dates, issuer, the
    verification URL) and `pdf` the exact bytes handed out, so editing the trainee, the class or the template
    later never changes a certificate already in someone's hands. Re-issue is explicit (services.reissue):
    the old certificate is revoked with a reason and points to its successor, which gets a new number.
    """

    number = models.CharField("证书编号", max_length=32, unique=True)
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name="报名",
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass", on_delete=models.PROTECT, related_name="certificates", verbose_name="班级"
    )
    sequence = models.PositiveIntegerField("班内序号")
    data = models.JSONField("颁发时的证书内容")
    pdf = models.BinaryField("证书 PDF")
    pdf_sha256 = models.CharField(max_length=64)
    signature = models.CharField("验证签名", max_length=64)
    template_version = models.CharField(max_length=10)
    issued_on = models.DateField("发证日期")
    issued_at = models.DateTimeField("颁发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销原因", blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name="换发的新证书",
    )

    # Trainees see their own certificates, region officers those of their region's trainees; institutions
    # and assessors none (the role table refuses them anyway).
    objects = ScopedManager(region="registration__region_id", trainee="registration__trainee__user_id")

    class Meta:
        ordering = ["training_class", "sequence"]
        verbose_name = "结业证书"
        constraints = [
            # One live certificate per registration: issuing twice is harmless, re-issue revokes first.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_live_per_registration",
            ),
            # The sequence within a class is decided by the database, whatever the race.
            models.UniqueConstraint(
                fields=["training_class", "sequence"], name="certificate_sequence_unique"
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["training_class", "revoked_at"])]

    def __str__(self):
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def status(self) -> str:
        return "valid" if self.revoked_at is None else "revoked"


class VerificationResult(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"
    NOT_FOUND = "not_found", "编号不存在"
    NAME_MISMATCH = "name_mismatch", "姓名不符"
    BAD_SIGNATURE = "bad_signature", "签名不符"
    RATE_LIMITED = "rate_limited", "请求过频"


class VerificationLog(models.Model):
    """Every public verification, whatever its outcome (the answer never tells unknown from wrong name;
    this log does, for the centre). The name asked is not stored."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    number = models.CharField(max_length=40)
    ip = models.GenericIPAddressField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=VerificationResult.choices)
    channel = models.CharField(max_length=8, default="api")  # api | page | qr
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.SET_NULL, related_name="verifications"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ip", "at"])]
        verbose_name = "证书验证记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.number} {self.result}"
