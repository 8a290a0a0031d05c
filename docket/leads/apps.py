from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "docket.leads"
    label = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from docket.leads import kinds

        kinds.connect()
