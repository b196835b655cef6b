from django.core.management.base import BaseCommand, CommandError

from lingjun.core import backup


class Command(BaseCommand):
    help = (
        "备份整个数据库到一个文件：SQLite 用在线备份接口（运行中也一致），PostgreSQL 用 pg_dump 自定义格式。"
        "身份证号在备份中仍为密文，恢复时须使用同一 LINGJUN_FIELD_KEY。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径，如 /var/backups/lingjun/2030-08-31.sqlite3 或 .dump")

    def handle(self, *args, **options):
        try:
            result = backup.backup(options["file"])
        except backup.BackupError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"已备份到 {result.path}（{'SQLite' if result.engine == 'sqlite' else 'PostgreSQL'}，"
            f"{len(result.tables)} 张表，{result.rows} 行，{result.size / 1024 / 1024:.1f} MB，用时 {result.seconds:.2f} 秒）。"
        )
