from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "docket.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from docket.register import describe, signals, sources, views_items  # noqa: F401

        sources.register()
        signals.connect()
