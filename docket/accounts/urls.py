from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from docket.accounts import passkeys, views, views_approvals, views_people
from docket.accounts.guards import public, staff

app_name = "accounts"
urlpatterns = [
    path("login/", public(views.Login.as_view()), name="login"),
    path("2fa/", public(views.second_factor_view), name="second_factor"),
    path("2fa/enrol/", public(views.enrol_view), name="enrol"),
    path("2fa/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("2fa/passkey/register/options/", public(passkeys.register_options)),
    path("2fa/passkey/register/", public(passkeys.register)),
    path("2fa/passkey/options/", public(passkeys.login_options)),
    path("2fa/passkey/", public(passkeys.login)),
    path("confirm/", views.confirm_view, name="confirm"),
    path("logout/", staff(auth_views.LogoutView.as_view(), methods=("POST",)), name="logout"),
    path(
        "password/",
        staff(views.PasswordChange.as_view(success_url=reverse_lazy("home"))),
        name="password",
    ),
    path("audit/", views.audit_trail, name="audit"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("compartments/", views_people.compartments, name="compartments"),
    path("compartments/<int:pk>/", views_people.compartment, name="compartment"),
    path("people/", views_people.people, name="people"),
    path("approvals/", views_approvals.approval_list, name="approvals"),
    path("approvals/<int:pk>/", views_approvals.approval_detail, name="approval"),
]
