"""The URLs of `docket serve --intake-only` (DOCKET_INTAKE_ONLY): the public intake and
nothing else; no staff page, no API, no route that could read the vault."""

from django.urls import include, path
from django.views.generic import RedirectView

from docket.accounts.guards import public

urlpatterns = [
    path("", public(RedirectView.as_view(pattern_name="intake:start", permanent=False))),
    path("intake/", include("docket.intake.channels.web.urls")),
]
