from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "docket.vault"
    label = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from docket.lib.chores import chore
        from docket.sqlcipher import inuse
        from docket.vault import checks, custody  # noqa: F401  (checks: the system checks)

        # Entries appended by other processes (reads in the web process, say) are sealed by
        # an idle worker, so the custody log's unsigned tail stays short.
        # A log that cannot be sealed (its key gone) stops the worker, loudly.
        chore("vault.seal-custody-log", every_seconds=0, fatal=True)(
            lambda: custody.seal() is not None
        )

        # A SQLite database is never replaced under a process that has it open.
        connection_created.connect(inuse.on_connection, dispatch_uid="docket-sqlite-in-use")
