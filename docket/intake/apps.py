from django.apps import AppConfig
from django.conf import settings


class IntakeConfig(AppConfig):
    name = "docket.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Registers the assembly and Telegram reply jobs, the worker's forgetting of idle
        # Telegram chats and the two-person rule's "reveal a contact" action.
        from docket.intake import describe, uploads  # noqa: F401
        from docket.intake.channels.telegram import chats  # noqa: F401
        from docket.intake.inbox import triage  # noqa: F401
        from docket.vault import custody

        # What the intake stores, and whatever happens to an item while it sits in the intake
        # compartment, is dated to the hour (docket/lib/hours.py).
        custody.HOURLY_ACTORS.add(uploads.ACTOR)
        custody.HOURLY_COMPARTMENTS.add(settings.INTAKE_COMPARTMENT)
