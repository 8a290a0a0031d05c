from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "docket.ingest"
    label = "ingest"

    def ready(self) -> None:
        # The item page's "where it came from", an item's name on the pages, and the
        # message's words in search; the staff uploads' job and chore.
        from docket.ingest import clock_zones, describe, texts, uploads, views  # noqa: F401
