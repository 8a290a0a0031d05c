from django.apps import AppConfig


class EnrichConfig(AppConfig):
    name = "docket.enrich"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the enrichment jobs and the system checks for the enrichers' programs.
        from docket.enrich import checks, pipeline  # noqa: F401
