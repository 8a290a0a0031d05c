from django.urls import path

from docket.vault import views

# docket/core/urls.py joins the pages higher apps add under /vault/ to this namespace.
app_name = "vault"
urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/original", views.item_original, name="original"),
    path("items/<int:pk>/shown", views.item_shown, name="shown"),
    path("log/", views.log, name="log"),
]
