"""Helpers for the web pages: turn domain refusals into the right page."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from .errors import DomainError, NotAuthenticated, NotFound, PermissionDenied


def page(view):
    """Wrap a page view: not logged in → login page; 403/404 domain errors → friendly error pages."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except PermissionDenied as exc:
            return render(request, "core/error.html", {"title": "无权访问", "error": exc}, status=403)
        except NotFound as exc:
            return render(request, "core/error.html", {"title": "未找到", "error": exc}, status=404)
        except DomainError as exc:
            if exc.status in (403, 404, 429):
                return render(
                    request, "core/error.html", {"title": "无法完成", "error": exc}, status=exc.status
                )
            raise

    return wrapper
