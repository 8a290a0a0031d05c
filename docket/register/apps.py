from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "docket.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from docket.register import (  # noqa: F401
            describe,
            media_leads,
            mentions,
            signals,
            sources,
            tally,
            views_items,
            views_media_leads,
            views_mentions,
        )

        sources.register()
        media_leads.register_kind()
        signals.connect()
