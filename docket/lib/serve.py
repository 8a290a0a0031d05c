"""The web server: gunicorn, bound to loopback unless told otherwise, with no access log.

An access log would hold client addresses; Docket keeps none (DESIGN.md §2.2). A reverse proxy
or onion service in front terminates TLS and must be configured the same way.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


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


def serve(*, host: str, port: int, workers: int) -> None:
    from docket.wsgi import application

    DocketServer(
        application,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",  # gunicorn names client addresses only at debug level
            "timeout": 300,  # downloads of large originals stream for a while
            "graceful_timeout": 30,
        },
    ).run()
