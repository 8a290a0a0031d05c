from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "docket.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from docket.register import (  # noqa: F401
            describe,
            mentions,
            signals,
            sources,
            views_items,
            views_mentions,
        )

        sources.register()
        signals.connect()
