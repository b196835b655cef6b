from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "lingjun.institutions"
    label = "institutions"
    verbose_name = "培训承担机构"
