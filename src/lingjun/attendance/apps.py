from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "lingjun.attendance"
    label = "attendance"
    verbose_name = "考勤、请假与结业"
