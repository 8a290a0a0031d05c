"""A real Dovecot IMAP server on loopback, started for a test and stopped after it.

It runs with a configuration of its own in a fresh directory (no system configuration is
read or changed): plain-text login on 127.0.0.1 only, one user, Maildir storage. As root,
Dovecot's own unprivileged users run it, as the Debian package sets them up; otherwise it
runs as the current user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from docket.lib.loopback import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


class Dovecot:
    user = "reports@docs.example.org"
    password = "imap-test-password"

    def __init__(self) -> None:
        # Not under pytest's private temporary directory: Dovecot's own users must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="docket-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self) -> Path:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("dovecot")
            mail_uid, mail_gid = owner.pw_uid, owner.pw_gid
            users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        else:
            mail_uid, mail_gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(mail_uid).pw_name
            users = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
        home = self.root / "home"
        home.mkdir()
        os.chown(home, mail_uid, mail_gid)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        config = self.root / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
{users}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        return config

    def __enter__(self) -> Dovecot:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self._config())],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        error = self.process.stderr.read().decode() if self.process.stderr else ""
        log = (
            (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        )
        self.__exit__()
        raise RuntimeError(f"Dovecot did not start: {error}{log}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
