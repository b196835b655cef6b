from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lingjun.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from . import checks  # noqa: F401  (registers deployment checks)
