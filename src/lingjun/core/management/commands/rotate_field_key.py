from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "轮换身份证号加密密钥：LINGJUN_FIELD_KEY 设为“新密钥,旧密钥”后运行，所有身份证号改用新密钥（第一个）加密；"
        "--check 只统计仍由旧密钥加密的记录数。显示为 0 后才可从 LINGJUN_FIELD_KEY 中删除旧密钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查，不改写")
        parser.add_argument("--batch", type=int, default=500, help="每个事务改写的记录数")

    def handle(self, *args, **options):
        from cryptography.fernet import Fernet, InvalidToken

        from lingjun.core.scoping import scopes_disabled
        from lingjun.registrations import identity
        from lingjun.registrations.models import Trainee

        identity._fernet.cache_clear()  # the key list as this process's environment says now
        multi = identity._fernet()
        primary: Fernet = multi._fernets[0]

        def under_primary(token: str) -> bool:
            try:
                primary.decrypt(token.encode())
                return True
            except InvalidToken:
                return False

        with scopes_disabled():
            ids = list(Trainee.objects.order_by("pk").values_list("pk", flat=True))
            if options["check"]:
                old = sum(
                    1
                    for t in Trainee.objects.values_list("id_number_encrypted", flat=True).iterator()
                    if not under_primary(t)
                )
                self.stdout.write(f"共 {len(ids)} 条身份证号，仍由旧密钥加密 {old} 条。")
                if old:
                    raise CommandError(
                        "仍有记录由旧密钥加密：请先运行 rotate_field_key（不加 --check），再删除旧密钥。"
                    )
                return
            rotated = 0
            for start in range(0, len(ids), options["batch"]):
                with transaction.atomic():
                    rows = list(
                        Trainee.objects.select_for_update()
                        .filter(pk__in=ids[start : start + options["batch"]])
                        .only("pk", "id_number_encrypted")
                    )
                    changed = []
                    for t in rows:
                        if not under_primary(t.id_number_encrypted):
                            try:
                                t.id_number_encrypted = multi.rotate(t.id_number_encrypted.encode()).decode()
                            except InvalidToken:
                                raise CommandError(
                                    f"第 {t.pk} 号学员的身份证号无法用任何已配置的密钥解密，已停止。"
                                ) from None
                            changed.append(t)
                    Trainee.objects.bulk_update(changed, ["id_number_encrypted"])
                    rotated += len(changed)
        self.stdout.write(f"已改用新密钥加密 {rotated} 条身份证号（共 {len(ids)} 条）。")
