from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.forms import apply_error
from lingjun.core.middleware import client_ip
from lingjun.core.pages import page

from . import services
from .forms import LoginForm, UserForm
from .models import Role, User


def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(form.cleaned_data["username"], form.cleaned_data["password"],
                                    client_ip(request), request)
        except DomainError as exc:
            form.add_error(None, exc.detail)
            status = exc.status
        else:
            login(request, user)
            target = request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "/"
            return redirect(target)
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@page
def users(request):
    permissions.check(request.user, "user.list")
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.create_user(request.user, username=d["username"], password=d["password"],
                                        role=d["role"], region=d["region"] or None,
                                        institution=d["institution"] or None, display_name=d["display_name"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            from django.contrib import messages

            messages.success(request, f"已创建用户 {user.username}（{user.role_label}）。")
            return redirect("accounts:users")
    qs = User.objects.select_related("region", "institution").order_by("role", "username")
    role = request.GET.get("role", "")
    q = request.GET.get("q", "").strip()
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"form": form, "page_obj": page_obj, "roles": Role.choices,
                                                   "role": role, "q": q})
