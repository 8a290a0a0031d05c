from django.urls import path

from docket.api import views

app_name = "api"
urlpatterns = [
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
]
