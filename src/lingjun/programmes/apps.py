from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "lingjun.programmes"
    label = "programmes"
    verbose_name = "年度计划"
