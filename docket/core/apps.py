from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The top of the stack: the root URLs, `docket serve` and `docket bench`, and what ties
    the apps together. It may import every app; no app imports it."""

    name = "docket.core"
    label = "core"
