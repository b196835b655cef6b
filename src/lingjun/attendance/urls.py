from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("checkin/", views.checkin_page, name="checkin"),
    path("sessions/<int:session_id>/projector/", views.projector, name="projector"),
    path("sessions/<int:session_id>/projector/code.json", views.projector_code, name="projector_code"),
    path("sessions/<int:session_id>/attendance/", views.mark_session, name="mark"),
    path("classes/<int:class_id>/attendance/", views.class_grid, name="grid"),
    path("classes/<int:class_id>/completion/", views.completion, name="completion"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/new/", views.leave_new, name="leave_new"),
    path("leave/<int:leave_id>/<str:action>/", views.leave_action, name="leave_action"),
]
