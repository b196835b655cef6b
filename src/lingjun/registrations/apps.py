from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "lingjun.registrations"
    label = "registrations"
    verbose_name = "报名与审核"
