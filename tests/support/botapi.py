"""A local server that speaks the Telegram Bot API, as much of it as the intake bot uses.

Methods answer at /bot<TOKEN>/<method> and files at /file/bot<TOKEN>/<file_path>, with the
real API's envelope ({"ok": true, "result": …} or {"ok": false, "error_code", "description"}),
its long-polling getUpdates, and its rule that a deleted message is gone. A test plays the
sender: it queues updates (`send`, `press`) and reads what the bot did (`calls`, `chat`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote


class BotApi:
    def __init__(self, token: str, username: str = "docket_intake_bot") -> None:
        self.token = token
        self.bot = {
            "id": 7000000001, "is_bot": True, "first_name": "Docket intake",
            "username": username, "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }  # fmt: skip
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        #: message_id -> message, for every message still in a chat (both sides)
        self.chat: dict[int, dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.condition = threading.Condition()
        self._message_id = 100
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> BotApi:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- The sender's side ---------------------------------------------------------------

    def _next_id(self) -> int:
        self._message_id += 1
        return self._message_id

    def add_file(self, data: bytes, file_path: str) -> dict[str, Any]:
        file_id = f"F{len(self.files) + 1:04d}"
        self.files[file_id] = (file_path, data)
        return {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": len(data)}

    def send(self, user: dict[str, Any], **content: Any) -> int:
        """A message from `user` in their private chat with the bot; returns its id."""
        with self.condition:
            message = {
                "message_id": self._next_id(), "date": int(time.time()),
                "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
                "from": user, **content,
            }  # fmt: skip
            if content.get("text", "").startswith("/"):
                length = len(content["text"].split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            self.chat[message["message_id"]] = message
            self._update(message=message)
            return int(message["message_id"])

    def press(self, user: dict[str, Any], message_id: int, data: str) -> None:
        """The sender presses an inline button under one of the bot's messages."""
        with self.condition:
            self._update(
                callback_query={
                    "id": f"Q{len(self.updates)}", "from": user, "chat_instance": "1",
                    "message": self.chat[message_id], "data": data,
                }
            )  # fmt: skip

    def _update(self, **content: Any) -> None:
        self.updates.append({"update_id": len(self.updates) + 1, **content})
        self.condition.notify_all()

    def wait(self, predicate: Callable[[], Any], timeout: float = 60) -> Any:
        """Wait until `predicate()` (called under the lock) is true, and return it."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while not (result := predicate()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the bot did not act in time; calls: {self.calls}")
                self.condition.wait(left)
            return result

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot has sent to `chat_id` (deleted ones too), in order."""
        return [p for m, p in self.calls if m == "sendMessage" and int(p["chat_id"]) == chat_id]

    # --- The API ---------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.condition:
            self.calls.append((method, params))
            self.condition.notify_all()
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._poll(params)}
        with self.condition:
            return self._answer(method, params)

    def _poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        with self.condition:
            while True:
                waiting = [u for u in self.updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if waiting or left <= 0:
                    return waiting
                self.condition.wait(left)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getMe":
            return 200, {"ok": True, "result": self.bot}
        if method in ("deleteWebhook", "answerCallbackQuery", "setMyCommands"):
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            message = {
                "message_id": self._next_id(), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Sender"},
                "from": self.bot, "text": params["text"],
            }  # fmt: skip
            if params.get("reply_markup"):
                message["reply_markup"] = json.loads(params["reply_markup"])
            self.chat[message["message_id"]] = message
            return 200, {"ok": True, "result": message}
        if method == "deleteMessage":
            if self.chat.pop(int(params["message_id"]), None) is None:
                return 400, _error(400, "Bad Request: message to delete not found")
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            if params["file_id"] not in self.files:
                return 400, _error(400, "Bad Request: invalid file_id")
            path, data = self.files[params["file_id"]]
            result = {"file_id": params["file_id"], "file_unique_id": f"U{params['file_id']}",
                      "file_size": len(data), "file_path": path}  # fmt: skip
            return 200, {"ok": True, "result": result}
        return 404, _error(404, "Not Found")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                # Clients percent-encode the path (the token's colon too), as URLs allow.
                path = unquote(self.path)
                prefix = f"/file/bot{api.token}/"
                if path.startswith(prefix):
                    wanted = path[len(prefix) :]
                    for file_path, data in api.files.values():
                        if file_path == wanted:
                            return self._reply(200, data, "application/octet-stream")
                    return self._reply(404, b"Not Found", "text/plain")
                return self.do_POST()

            def do_POST(self) -> None:
                path = unquote(self.path)
                prefix = f"/bot{api.token}/"
                if not path.startswith(prefix):
                    body = json.dumps(_error(401, "Unauthorized")).encode()
                    return self._reply(401, body, "application/json")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or b"{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                status, answer = api.call(path[len(prefix) :].split("?")[0], params)
                self._reply(status, json.dumps(answer).encode(), "application/json")

        return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a long poll whose client has gone away: nothing to report


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}
