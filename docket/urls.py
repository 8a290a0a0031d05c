from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from django.views.generic import RedirectView
from django.views.i18n import set_language

from docket.accounts.views_access import public

urlpatterns = [
    path("", public(RedirectView.as_view(pattern_name="vault:items", permanent=False))),
    path("accounts/", include("docket.accounts.urls")),
    path("vault/", include("docket.vault.urls")),
    path("register/", include("docket.register.urls")),
    path("exports/", include("docket.exports.urls")),
    path("api/", include("docket.api.urls")),
    path("intake/", include("docket.intake.urls")),
    path("inbox/", include("docket.intake.urls_inbox")),
    # The language switch in the page header: on the login page too, so public.
    path("language/", public(set_language), name="set_language"),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Programs get JSON from the API even for a path that names no route."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "no such route"}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
