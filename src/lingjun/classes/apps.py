from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "lingjun.classes"
    label = "classes"
    verbose_name = "班级、课表与师资"
