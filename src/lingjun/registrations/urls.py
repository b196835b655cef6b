"""Registration pages (issue #3). Included at the site root: the list and form hang under their programme,
a registration and an import under their own id, the invitation at /invite/<token>/ (public)."""

from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("registrations/", views.current, name="current"),
    path("programmes/<int:programme_id>/registrations/", views.registration_list, name="list"),
    path("programmes/<int:programme_id>/registrations/new/", views.registration_new, name="new"),
    path("programmes/<int:programme_id>/registrations/approve/", views.bulk_approve, name="bulk_approve"),
    path("programmes/<int:programme_id>/registrations/import/", views.import_page, name="import"),
    path("programmes/<int:programme_id>/registrations/template.xlsx", views.import_template, name="template"),
    path("programmes/<int:programme_id>/registrations.xlsx", views.export_xlsx, name="export"),
    path(
        "programmes/<int:programme_id>/registrations-with-ids.xlsx", views.export_ids_xlsx, name="export_ids"
    ),
    path("registrations/<int:pk>/", views.registration_detail, name="detail"),
    path("registrations/<int:pk>/edit/", views.registration_edit, name="edit"),
    path("registrations/<int:pk>/invite/", views.registration_invite, name="invite_create"),
    path("registrations/<int:pk>/<slug:action>/", views.registration_action, name="action"),
    path("imports/<int:batch_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("invite/<str:token>/", views.invite, name="invite"),
]
