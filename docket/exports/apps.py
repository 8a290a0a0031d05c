from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "docket.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        import docket.exports.public_report  # noqa: F401  (the public report's packer)
        from docket.exports import build  # noqa: F401  (registers the job and the approval)
