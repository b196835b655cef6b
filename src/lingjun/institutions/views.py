from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.forms import apply_error
from lingjun.core.pages import page

from . import services
from .forms import InstitutionForm
from .models import Institution, InstitutionKind


@page
def institution_list(request):
    permissions.check(request.user, "institution.view")
    can_create = permissions.allowed(request.user, "institution.create")
    form = InstitutionForm(request.POST or None) if can_create else None
    if request.method == "POST":
        permissions.check(request.user, "institution.create")
        if form.is_valid():
            try:
                inst = services.create_institution(request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"已新增培训机构“{inst.name}”。")
                return redirect("institutions:list")
    qs = Institution.objects.all()
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "institutions/list.html",
        {"form": form, "page_obj": page_obj, "kinds": InstitutionKind.choices, "kind": kind, "q": q},
    )
