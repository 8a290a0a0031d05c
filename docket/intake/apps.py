from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "docket.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Registers the assembly and Telegram reply jobs and the two-person rule's "reveal a
        # contact" action.
        from docket.intake import chats, triage, uploads  # noqa: F401
