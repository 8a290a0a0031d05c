from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "docket.cases"
    label = "cases"
    verbose_name = "Cases"
