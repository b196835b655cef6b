from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.forms import apply_error
from lingjun.core.middleware import client_ip
from lingjun.core.pages import page

from . import services
from .forms import LoginForm, UserForm
from .models import Role, User


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return target


def login_view(request):
    if request.method != "POST" and request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                form.cleaned_data["username"], form.cleaned_data["password"], client_ip(request), request
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
            # A wrong password is an ordinary form error (the page is shown again, 200); throttling is 429.
            status = exc.status if exc.status == 429 else 200
            # The username is kept; the cursor goes where the retyping starts.
            form.fields["username"].widget.attrs.pop("autofocus", None)
            form.fields["password"].widget.attrs["autofocus"] = True
        else:
            login(request, user)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form}, status=status)


def logout_view(request):
    """Signing out changes state, so only a POST does it (a link or a prefetch never signs anyone out);
    a GET shows a page with the button."""
    if request.method == "POST":
        logout(request)
        messages.info(request, "您已安全退出。")
        return redirect("login")
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "accounts/logout.html")


@page
def users(request):
    permissions.check(request.user, "user.list")
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.create_user(
                request.user,
                username=d["username"],
                password=d["password"],
                role=d["role"],
                region=d["region"] or None,
                institution=d["institution"] or None,
                display_name=d["display_name"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
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
    return render(
        request,
        "accounts/users.html",
        {"form": form, "page_obj": page_obj, "roles": Role.choices, "role": role, "q": q},
    )
