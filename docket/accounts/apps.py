from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "docket.accounts"
    label = "accounts"

    def ready(self) -> None:
        from docket.accounts import lockout  # noqa: F401  (connects the login signals)
