from django.core.management.base import BaseCommand, CommandError

from lingjun.core import backup


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库。默认恢复到当前配置的数据库（请先停止所有应用服务器）；"
        "--into 可恢复到另一个 SQLite 文件或一个空的 PostgreSQL 数据库（postgres://...），用于恢复演练。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup 命令生成的备份文件")
        parser.add_argument("--into", help="恢复目标：SQLite 文件路径或 postgres:// 地址（默认：当前数据库）")
        parser.add_argument("--yes", action="store_true", help="目标数据库已有数据时确认覆盖")

    def handle(self, *args, **options):
        try:
            result = backup.restore(options["file"], options.get("into"), allow_overwrite=options["yes"])
        except backup.BackupError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"已从 {options['file']} 恢复（{len(result.tables)} 张表，{result.rows} 行，用时 {result.seconds:.2f} 秒）。"
        )
