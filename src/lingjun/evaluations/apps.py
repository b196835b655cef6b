from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "lingjun.evaluations"
    verbose_name = "培训评价与机构排名"
    default_auto_field = "django.db.models.BigAutoField"
