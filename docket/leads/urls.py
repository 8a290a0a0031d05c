from django.urls import path

from docket.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide", views.decide, name="decide"),
]
