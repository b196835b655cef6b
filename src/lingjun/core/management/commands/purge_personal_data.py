from django.core.management.base import BaseCommand

LABELS = {
    "trainees": "学员",
    "registrations": "报名记录",
    "accounts": "学员账户",
    "check_ins": "签到设备与地址",
    "leave_reasons": "请假事由",
    "audit_entries": "审计记录中的个人字段",
    "verification_ips": "证书查询地址",
}


class Command(BaseCommand):
    help = (
        "按保留期限清理已归档年度学员的个人信息（身份证号、联系方式、账户、签到设备等），"
        "保留姓名、报名与统计数据（可每日定时运行；期限由 LINGJUN_RETENTION_YEARS 设置，默认 10 年）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将被清理的数量，不做修改")
        parser.add_argument(
            "--years", type=int, default=None, help="保留年数（默认取 LINGJUN_RETENTION_YEARS）"
        )

    def handle(self, *args, dry_run=False, years=None, **options):
        from lingjun.registrations.retention import purge_personal_data

        counts = purge_personal_data(years=years, dry_run=dry_run)
        text = "，".join(f"{LABELS[k]} {v}" for k, v in counts.items() if k in LABELS)
        self.stdout.write(("将清理：" if dry_run else "已清理：") + text + "。")
