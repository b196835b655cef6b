import secrets

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "生成部署所需的密钥（写入环境变量，勿提交到代码库）。"

    def handle(self, *args, **options):
        self.stdout.write(f"LINGJUN_SECRET_KEY={secrets.token_urlsafe(50)}")
        self.stdout.write(f"LINGJUN_FIELD_KEY={Fernet.generate_key().decode()}")
        self.stdout.write(f"LINGJUN_LOOKUP_KEY={secrets.token_urlsafe(32)}")
