from django.urls import include, path
from django.views.generic import RedirectView

from docket.accounts.views_access import public

urlpatterns = [
    path("", public(RedirectView.as_view(pattern_name="vault:items", permanent=False))),
    path("accounts/", include("docket.accounts.urls")),
    path("vault/", include("docket.vault.urls")),
    path("register/", include("docket.register.urls")),
    path("exports/", include("docket.exports.urls")),
    path("api/", include("docket.api.urls")),
]
