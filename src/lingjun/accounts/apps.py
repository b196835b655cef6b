from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lingjun.accounts"
    label = "accounts"
    verbose_name = "账户"
