import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "清理过期数据：登录失败记录、过期或已撤销的访问令牌、过期未用的邀请链接（可每日定时运行）。"

    def handle(self, *args, **options):
        from lingjun.accounts.models import ApiToken, LoginFailure
        from lingjun.core.scoping import scopes_disabled
        from lingjun.registrations.models import Invitation

        now = timezone.now()
        with scopes_disabled():
            failures, _ = LoginFailure.objects.filter(
                at__lt=now - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
            ).delete()
            tokens, _ = ApiToken.objects.filter(expires_at__lt=now - datetime.timedelta(days=7)).delete()
            revoked, _ = ApiToken.objects.filter(revoked_at__lt=now - datetime.timedelta(days=7)).delete()
            invites, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=now).delete()
        self.stdout.write(
            f"已清理：登录失败记录 {failures} 条，访问令牌 {tokens + revoked} 个，过期邀请 {invites} 个。"
        )
