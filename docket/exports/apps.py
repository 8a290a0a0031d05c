from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "docket.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        # registers the job, the approval and each kind's packer
        from docket.exports import bag, build, public_report, sanctions  # noqa: F401
