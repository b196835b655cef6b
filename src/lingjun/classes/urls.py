from django.urls import path, re_path

from . import views

app_name = "classes"
urlpatterns = [
    path("classes/", views.classes_current, name="current"),
    path("programmes/<int:pk>/classes/", views.class_list, name="list"),
    path("classes/<int:pk>/", views.class_detail, name="detail"),
    path("classes/<int:pk>/edit/", views.class_edit, name="edit"),
    path("classes/<int:pk>/roster/", views.roster_action, name="roster_action"),
    re_path(
        r"^classes/(?P<pk>\d+)/(?P<kind>timetable|roster|signin|contacts)\.(?P<fmt>xlsx|pdf|ics)$",
        views.class_document,
        name="document",
    ),
    path("classes/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("classes/sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("faculty/", views.faculty_list, name="faculty"),
    path("placement/", views.placement_current, name="placement_current"),
    path("programmes/<int:pk>/placement/", views.placement, name="placement"),
]
