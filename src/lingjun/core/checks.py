"""Deployment checks: `python -m lingjun check --deploy` refuses development keys on a real deployment."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def development_keys(app_configs, **kwargs):
    from lingjun.settings import _DEV_SECRET

    problems = []
    if settings.SECRET_KEY == _DEV_SECRET:
        problems.append(
            Error(
                "LINGJUN_SECRET_KEY is the development key.",
                id="lingjun.E001",
                hint="Set LINGJUN_SECRET_KEY to a long random value shared by all app servers.",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEY:
        problems.append(
            Error(
                "LINGJUN_FIELD_KEY is not set: ID numbers would be encrypted with the development key.",
                id="lingjun.E002",
                hint="Generate one with `python -m lingjun generate_keys`.",
            )
        )
    if not settings.LOOKUP_HASH_KEY:
        problems.append(
            Error(
                "LINGJUN_LOOKUP_KEY is not set.",
                id="lingjun.E003",
                hint="Generate one with `python -m lingjun generate_keys`; never change it afterwards.",
            )
        )
    return problems
