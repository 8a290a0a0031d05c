from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "docket.accounts"
    label = "accounts"

    def ready(self) -> None:
        from docket.accounts import admission, lockout  # noqa: F401  (login signals, approvals)
