from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "docket.vault"
    label = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from docket.sqlcipher import inuse
        from docket.vault import checks  # noqa: F401  (registers the system checks)

        # A SQLite database is never replaced under a process that has it open.
        connection_created.connect(inuse.on_connection, dispatch_uid="docket-sqlite-in-use")
