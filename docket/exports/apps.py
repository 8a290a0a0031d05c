from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "docket.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from docket.exports import bag, build  # noqa: F401  (register the job, the approval, the packers)
