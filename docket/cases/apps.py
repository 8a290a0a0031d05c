from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "docket.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from docket.cases import views  # noqa: F401  (an item page's verification section)
