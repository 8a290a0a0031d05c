from django.apps import AppConfig


class EnrichConfig(AppConfig):
    name = "docket.enrich"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the enrichment jobs, the system checks for the enrichers' programs, and
        # what moves with an item (its derived files).
        from docket.enrich import checks, derive, pipeline  # noqa: F401
