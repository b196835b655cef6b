from django.conf import settings
from django.db import models

from lingjun.core.scoping import ScopedManager


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出勤"
    LATE = "late", "迟到"
    EXCUSED = "excused", "请假"
    ABSENT = "absent", "缺勤"


class AttendanceRecord(models.Model):
    """考勤记录: one trainee in one timetable session. A session that has ended with no record counts as
    absent (computed, see services.effective_status)."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(
        "classes.TimetableSession", on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    source = models.CharField(max_length=10, default="qr")  # qr | staff | leave
    checked_in_at = models.DateTimeField(null=True, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(
        region="registration__region_id",
        trainee="registration__trainee__user_id",
        institution="session__training_class__institution_id",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="attendance_once")]
        # The dashboard counts a programme's attendance by session and status: answered from the index alone.
        indexes = [models.Index(fields=["session", "status"], name="attendance_session_status")]

    def __str__(self):
        return f"考勤（报名 {self.registration_id}，课程 {self.session_id}）：{self.get_status_display()}"


class DeviceCheckin(models.Model):
    """One phone checks in one trainee per session (against signing in for an absent classmate)."""

    session = models.ForeignKey("classes.TimetableSession", on_delete=models.CASCADE)
    device_id = models.CharField(max_length=64)
    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "device_id"], name="device_once_per_session")
        ]

    def __str__(self):
        return f"签到设备（课程 {self.session_id}）"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已生效"
    REJECTED = "rejected", "未批准"
    CANCELLED = "cancelled", "已撤销"


class LeaveRequest(models.Model):
    """请假: effective only when the region officer approved AND the class acknowledged (SPEC §3.4)."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="leave_requests"
    )
    sessions = models.ManyToManyField("classes.TimetableSession", related_name="leave_requests")
    reason = models.TextField("请假事由")
    status = models.CharField(max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    region_approved_at = models.DateTimeField(null=True, blank=True)
    region_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    class_acknowledged_at = models.DateTimeField(null=True, blank=True)
    class_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(
        region="registration__region_id",
        trainee="registration__trainee__user_id",
        institution="registration__training_class__institution_id",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"请假申请 #{self.pk}（{self.get_status_display()}）"
