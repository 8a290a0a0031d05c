from django.apps import AppConfig


class EnrichConfig(AppConfig):
    name = "docket.enrich"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the enrichment jobs, the system checks for the enrichers' programs, and
        # what moves with an item (its derived files), its section of an item's page and what
        # it tells the pages of an item.
        from docket.enrich import (  # noqa: F401
            checks,
            derive,
            describe,
            media_leads,
            pipeline,
            views,
        )
