from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    BUREAU = "bureau", "工业和信息化部中小企业局"
    CENTRE = "centre", "工业和信息化部人才交流中心"
    REGION = "region", "地方中小企业主管部门"
    INSTITUTION = "institution", "培训承担机构"
    ASSESSOR = "assessor", "第三方考核机构"
    TRAINEE = "trainee", "学员"


ROLE_SHORT = {
    "bureau": "中小企业局",
    "centre": "人才交流中心",
    "region": "地方主管部门",
    "institution": "培训机构",
    "assessor": "第三方考核",
    "trainee": "学员",
}


class LingjunUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # Django's `createsuperuser` makes a ministry account: every user must have a role.
        extra_fields.setdefault("role", "bureau")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using the platform, in exactly one role; region officers are bound to one region,
    institution staff to one institution (the database refuses anything else)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "reference.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属地区"
    )
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属机构"
    )
    display_name = models.CharField("姓名/单位", max_length=100, blank=True)

    objects = LingjunUserManager()

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_role_valid",
                condition=Q(role__in=[r.value for r in Role]),
            ),
            models.CheckConstraint(
                name="user_region_iff_region_role",
                condition=(
                    Q(role="region", region__isnull=False) | (~Q(role="region") & Q(region__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="user_institution_iff_institution_role",
                condition=(
                    Q(role="institution", institution__isnull=False)
                    | (~Q(role="institution") & Q(institution__isnull=True))
                ),
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_SHORT.get(self.role, self.role)


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at issue."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "访问令牌"

    def __str__(self):
        return f"访问令牌 {self.prefix}…（{self.user_id}）"


class LoginFailure(models.Model):
    """One failed sign-in. Throttling counts these per (username, client) and per username."""

    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "client_ip", "at"])]

    def __str__(self):
        return f"登录失败 {self.username} {self.at:%Y-%m-%d %H:%M}"
