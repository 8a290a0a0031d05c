from django.urls import path

from docket.intake.channels.web import views

app_name = "intake"
urlpatterns = [
    path("", views.choose_language, name="start"),
    path("uploads/", views.upload_create, name="uploads"),
    path("uploads/<str:token>", views.upload_resource, name="upload"),
    path("<str:lang>/", views.report, name="report"),
    path("<str:lang>/return", views.come_back, name="return"),
    path("<str:lang>/send", views.send_more, name="send"),
]
