from django.urls import path, re_path

from . import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    re_path(r"^verify/(?P<number>[A-Za-z0-9-]{1,40})/$", views.verify_link, name="verify_link"),
    path("certificates/", views.index, name="index"),
    path("certificates/classes/<int:pk>/", views.class_page, name="class"),
    path("certificates/classes/<int:pk>/certificates.zip", views.class_zip, name="class_zip"),
    re_path(r"^certificates/(?P<number>[A-Za-z0-9-]{1,40})\.pdf$", views.certificate_pdf, name="pdf"),
]
