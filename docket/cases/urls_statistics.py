"""The statistics pages, under /statistics/ (the report's ask, which belongs to the exports
app, is joined to this namespace in docket/core/urls.py)."""

from django.urls import path

from docket.cases import views_statistics

app_name = "statistics"
urlpatterns = [
    path("", views_statistics.statistics_page, name="statistics"),
    path("export.<str:fmt>", views_statistics.statistics_download, name="download"),
]
