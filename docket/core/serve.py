"""The web server: gunicorn, bound to loopback unless told otherwise, with no access log.

An access log would hold client addresses; Docket keeps none (docs/design.md §2.2), and gunicorn's
error log goes through the same address filter as Docket's own. A reverse proxy or onion
service in front terminates TLS and must be configured the same way.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from docket.lib.addresses import NoAddresses


class AddressFreeLogger(Logger):
    """gunicorn's logger with every address removed before it is written."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(NoAddresses())


class DocketServer(BaseApplication):
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def serve(*, host: str, port: int, workers: int, threads: int = 1) -> None:
    from docket.wsgi import application

    DocketServer(
        application,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": None,
            "errorlog": "-",
            "logger_class": AddressFreeLogger,
            "loglevel": "warning",
            "timeout": 300,  # downloads of large originals stream for a while
            "graceful_timeout": 30,
        },
    ).run()
