from django.core.management.base import BaseCommand, CommandError

from lingjun.accounts.services import create_user
from lingjun.core.errors import DomainError
from lingjun.core.scoping import scopes_disabled


class Command(BaseCommand):
    help = "创建用户：--username --password --role [--region 地区代码] [--institution 机构ID] [--display-name 名称]"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--role",
            required=True,
            choices=["bureau", "centre", "region", "institution", "assessor", "trainee"],
        )
        parser.add_argument("--region")
        parser.add_argument("--institution")
        parser.add_argument("--display-name", default="")

    def handle(self, *args, **o):
        try:
            with scopes_disabled():
                user = create_user(
                    None,
                    username=o["username"],
                    password=o["password"],
                    role=o["role"],
                    region=o["region"],
                    institution=o["institution"],
                    display_name=o["display_name"],
                    _system=True,
                )
        except DomainError as exc:
            lines = [exc.detail] + [f"  {e.field}: {e.message} ({e.code})" for e in exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}）")
