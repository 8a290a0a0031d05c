from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "docket.jobs"
    label = "jobs"
