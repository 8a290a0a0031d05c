from django.urls import path

from docket.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="exports"),
    path("<int:pk>/", views.export_detail, name="export"),
    path("<int:pk>/package", views.export_file, name="package"),
]
