from django.apps import AppConfig


class AlumniConfig(AppConfig):
    name = "lingjun.alumni"
    label = "alumni"
    verbose_name = "信息档案、跟踪服务与统计"
