from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "lingjun.certificates"
    label = "certificates"
    verbose_name = "结业证书"
