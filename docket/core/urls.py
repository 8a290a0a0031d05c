"""The root URLs. Pages that sit under another app's path but belong to a higher app (an item's
subtitles beside the item, the imports and upload pages among the vault's pages, the API-tokens
page among one's account pages) are joined to that app's namespace here, so no lower app
imports a higher one's views."""

from django.urls import include, path
from django.views.i18n import set_language

from docket.accounts import urls as accounts_urls
from docket.accounts.guards import public
from docket.api import views as api_views
from docket.cases import urls_statistics
from docket.core import views as core_views
from docket.enrich import views as enrich_views
from docket.enrich import views_neardup
from docket.exports import views_report
from docket.ingest import views as ingest_views
from docket.ingest import views_upload
from docket.vault import urls as vault_urls

vault_pages = [
    *vault_urls.urlpatterns,
    path("items/<int:pk>/picture", enrich_views.drawn_picture, name="picture"),
    path("items/<int:pk>/transcript.srt", enrich_views.transcript_srt, name="transcript_srt"),
    path("items/<int:pk>/transcript.vtt", enrich_views.transcript_vtt, name="transcript_vtt"),
    path("near-duplicates/", views_neardup.groups_page, name="near_duplicates"),
    path("near-duplicates/decide", views_neardup.decide, name="near_duplicate_decide"),
    path("items/<int:pk>/clock-zone", enrich_views.clock_zone, name="clock_zone"),
    path("imports/", ingest_views.imports, name="imports"),
    path("upload/", views_upload.upload_page, name="upload"),
    path("upload/start", views_upload.upload_start, name="upload_start"),
    path("upload/part", views_upload.upload_part, name="upload_part"),
    path("upload/state", views_upload.upload_state, name="upload_state"),
]
account_pages = [
    *accounts_urls.urlpatterns,
    path("tokens/", api_views.api_tokens, name="tokens"),
]
statistics_pages = [
    *urls_statistics.urlpatterns,
    path("report", views_report.ask_report, name="report"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include((account_pages, "accounts"))),
    path("vault/", include((vault_pages, "vault"))),
    path("register/", include("docket.register.urls")),
    path("leads/", include("docket.leads.urls")),
    path("cases/", include("docket.cases.urls")),
    path("exports/", include("docket.exports.urls")),
    path("statistics/", include((statistics_pages, "statistics"))),
    path("api/", include("docket.api.urls")),
    path("intake/", include("docket.intake.channels.web.urls")),
    path("inbox/", include("docket.intake.inbox.urls")),
    # The language switch in the page header: on the login page too, so public.
    path("language/", public(set_language), name="set_language"),
]


handler404 = core_views.not_found
