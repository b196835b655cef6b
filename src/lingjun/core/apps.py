from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lingjun.core"
    label = "core"
    verbose_name = "公共"
