from django.urls import path

from . import views

app_name = "alumni"
urlpatterns = [
    path("stats/", views.stats_current, name="stats_current"),
    path("programmes/<int:programme_id>/stats/", views.stats_page, name="stats"),
    path("programmes/<int:programme_id>/stats-<slug:table>.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("alumni/", views.archive_page, name="archive"),
    path("alumni/<int:registration_id>/retrain/", views.retrain, name="retrain"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<str:credit_code>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<str:credit_code>/reports/", views.enterprise_add_report, name="add_report"),
    path(
        "enterprises/<str:credit_code>/reports/import/",
        views.enterprise_import_reports,
        name="import_reports",
    ),
    path(
        "enterprises/<str:credit_code>/reports/template.xlsx",
        views.enterprise_report_template,
        name="report_template",
    ),
    path("enterprises/<str:credit_code>/services/", views.enterprise_add_service, name="add_service"),
    path("me/", views.my_data_page, name="my_data_page"),
    path("me/personal-data.json", views.my_personal_data, name="my_data"),
]
