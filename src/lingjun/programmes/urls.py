from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("current/quotas/", views.quotas_current, name="quotas_current"),
    path("current/work-info/", views.workinfo_current, name="workinfo_current"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/status/", views.programme_status, name="status"),
    path("<int:pk>/quotas/", views.quotas, name="quotas"),
    path("<int:pk>/quotas.xlsx", views.quotas_xlsx, name="quotas_xlsx"),
    path("<int:pk>/work-info/", views.workinfo, name="workinfo"),
    path("<int:pk>/work-info.xlsx", views.workinfo_xlsx, name="workinfo_xlsx"),
    path("<int:pk>/work-info/<str:region>/", views.workinfo_form, name="workinfo_form"),
]
