from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("classes/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("classes/<int:pk>/evaluation/", views.class_summary, name="class_summary"),
    path("evaluation/", views.report_current, name="report_current"),
    path("programmes/<int:pk>/evaluation/", views.report, name="report"),
    path("assessments/", views.assessments_current, name="assessments_current"),
    path("programmes/<int:pk>/assessments/", views.assessments, name="assessments"),
    path("ranking/", views.ranking_current, name="ranking_current"),
    path("programmes/<int:pk>/ranking/", views.ranking, name="ranking"),
]
