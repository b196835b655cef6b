from django.urls import include, path

from lingjun.accounts import views as account_views
from lingjun.core import views as core_views

from .api import api

urlpatterns = [
    # First: API calls (check-in at the start of a class, imports at the deadline) are the hot path, and
    # Django tries patterns in order.
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("audit/", core_views.audit_page, name="audit"),
    path("accounts/", include("lingjun.accounts.urls")),
    path("programmes/", include("lingjun.programmes.urls")),
    path("institutions/", include("lingjun.institutions.urls")),
    path("", include("lingjun.classes.urls")),
    path("", include("lingjun.registrations.urls")),
    path("", include("lingjun.certificates.urls")),
    path("", include("lingjun.attendance.urls")),
    path("", include("lingjun.evaluations.urls")),
    path("", include("lingjun.alumni.urls")),
]
