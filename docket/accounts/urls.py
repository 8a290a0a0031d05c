from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from docket.accounts import views
from docket.accounts.views_access import public, staff

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        public(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout/", staff(auth_views.LogoutView.as_view(), methods=("POST",)), name="logout"),
    path(
        "password/",
        staff(views.PasswordChange.as_view(success_url=reverse_lazy("vault:items"))),
        name="password",
    ),
    path("audit/", views.audit_trail, name="audit"),
]
