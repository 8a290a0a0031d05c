from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "docket.ingest"
    label = "ingest"

    def ready(self) -> None:
        # The item page's "where it came from", and the message's words in search.
        from docket.ingest import texts, views  # noqa: F401
