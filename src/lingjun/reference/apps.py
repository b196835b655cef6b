from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "lingjun.reference"
    label = "reference"
    verbose_name = "参考数据"
