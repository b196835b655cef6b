from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from lingjun.reference.loader import load_all


class Command(BaseCommand):
    help = "从数据文件加载/更新参考数据（地区、行业、专题、资质、中小企业划型标准）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_all(apps.get_model)
        self.stdout.write("参考数据已加载：" + "，".join(f"{k} {v}" for k, v in counts.items()))
