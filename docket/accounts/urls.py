from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from docket.accounts import views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        views.PasswordChange.as_view(success_url=reverse_lazy("vault:items")),
        name="password",
    ),
]
