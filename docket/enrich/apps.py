from django.apps import AppConfig


class EnrichConfig(AppConfig):
    name = "docket.enrich"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the enrichment jobs, the system checks for the enrichers' programs, and
        # what moves with an item (its derived files), its section of an item's page and what
        # it tells the pages of an item; the same picture across sources: its job, its section
        # and its kind of lead in the one queue; media and incidents: their job.
        from docket.enrich import (  # noqa: F401
            checks,
            derive,
            describe,
            media_leads,
            neardup,
            pipeline,
            views,
        )
        from docket.enrich.views_neardup import LEAD
        from docket.register.leads import register

        register(LEAD)
