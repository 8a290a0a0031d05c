from django.urls import path

from docket.enrich import views as enrich_views
from docket.ingest import views as ingest_views
from docket.vault import views

app_name = "vault"
urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/original", views.item_original, name="original"),
    path("items/<int:pk>/shown", views.item_shown, name="shown"),
    path("items/<int:pk>/transcript.srt", enrich_views.transcript_srt, name="transcript_srt"),
    path("items/<int:pk>/transcript.vtt", enrich_views.transcript_vtt, name="transcript_vtt"),
    path("imports/", ingest_views.imports, name="imports"),
    path("log/", views.log, name="log"),
]
