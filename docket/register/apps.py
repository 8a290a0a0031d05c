from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "docket.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from docket.register import signals, sources

        sources.register()
        signals.connect()
