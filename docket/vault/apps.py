from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "docket.vault"
    label = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        from docket.vault import checks  # noqa: F401  (registers the system checks)
