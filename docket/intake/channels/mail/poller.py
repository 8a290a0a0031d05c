"""The e-mail channel: an IMAP poller (`docket intake mail`) that turns each message into a
submission. It works with any IMAP server, ProtonMail Bridge included.

Policy (docs/design.md §2.2):
- A message's subject and text become the first message of a submission, sealed like any
  other; each attachment becomes a vault item, sealed as it is read, its file name not kept.
  The sender's address is sealed to the organisation's key as the submission's contact and
  shown to staff only under the two-person rule. No header is kept: Received lines carry
  addresses, X-Mailer names the sender's program.
- Nothing is lost, and the original is not kept. A message leaves the folder only after its
  submission is committed: it is then expunged, since the original with its Received lines and
  addresses is what the submission was made not to keep (DOCKET_IMAP_KEEP=true moves it to
  DOCKET_IMAP_STORED_FOLDER instead). A poller that dies in between finds the message again
  next time, recognises it by a keyed hash of its bytes (FetchedMail) and only expunges (or
  moves) it. A message that can never be stored (a file over the size limit) is moved to
  DOCKET_IMAP_FAILED_FOLDER for staff to see in the mailbox: nothing of it was stored, so
  it is not deleted. While intake is busy or short of disk, messages wait in the folder for
  the next poll.
- TLS by default (IMAPS, or STARTTLS); plain IMAP only to a server on this machine, which is
  how ProtonMail Bridge listens (give its certificate with DOCKET_IMAP_CA_FILE for STARTTLS).
- MIME is parsed by Python's own email package; attachments are stored, never opened (the
  enrichment sandbox opens them later). Like the bot, the poller holds only the public key.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage, Message
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from docket.intake import conversation, limits, uploads
from docket.intake.models import FetchedMail, Submission

log = logging.getLogger(__name__)

CHANNEL = Submission.Channel.EMAIL
LOOPBACK = ("127.0.0.1", "::1", "localhost")
#: refusals that pass (a busy hour, a full disk): the message waits for the next poll
TRANSIENT = (503, 507)


class NotConfigured(Exception):
    pass


class ServerError(Exception):
    """The IMAP server refused or failed a command."""


@dataclass
class Polled:
    stored: int = 0
    already: int = 0
    failed: int = 0
    waiting: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def connect() -> imaplib.IMAP4:
    host, security = settings.IMAP_HOST, settings.IMAP_SECURITY
    if not host or not settings.IMAP_USER:
        raise NotConfigured("set DOCKET_IMAP_HOST, DOCKET_IMAP_USER and DOCKET_IMAP_PASSWORD")
    if security not in ("tls", "starttls", "none"):
        raise NotConfigured("DOCKET_IMAP_SECURITY must be tls, starttls or none")
    if security == "none" and host not in LOOPBACK:
        raise NotConfigured(
            "DOCKET_IMAP_SECURITY=none sends the password in the clear: it is allowed only for "
            "a server on this machine (127.0.0.1, ::1, localhost), such as ProtonMail Bridge"
        )
    context = ssl.create_default_context(cafile=settings.IMAP_CA_FILE)
    imap: imaplib.IMAP4
    if security == "tls":
        imap = imaplib.IMAP4_SSL(host, settings.IMAP_PORT, ssl_context=context, timeout=60)
    else:
        imap = imaplib.IMAP4(host, settings.IMAP_PORT, timeout=60)
        if security == "starttls":
            imap.starttls(ssl_context=context)
    imap.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
    return imap


def _mailbox(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        raise ServerError(f"IMAP {what} failed: {data!r}")
    return data


def _words(answer: tuple[str, list[Any]], what: str) -> list[str]:
    """The words of a one-line answer (CAPABILITY, SEARCH)."""
    first = _ok(answer, what)[0] or b""
    return bytes(first).decode().split()


def poll() -> Polled:
    """Turn every message of the folder into a submission; returns what happened."""
    polled = Polled()
    imap = connect()
    keep = settings.IMAP_KEEP
    try:
        folders = [settings.IMAP_FAILED_FOLDER]
        if keep:
            folders.append(settings.IMAP_STORED_FOLDER)
        for folder in folders:
            imap.create(_mailbox(folder))  # "already exists" is a NO, and fine
        _ok(imap.select(_mailbox(settings.IMAP_FOLDER)), "SELECT")
        capabilities = _words(imap.capability(), "CAPABILITY")
        can_move, uidplus = "MOVE" in capabilities, "UIDPLUS" in capabilities
        flagged = False  # messages marked \Deleted that only a plain EXPUNGE removes
        for uid in _words(imap.uid("SEARCH", "ALL"), "SEARCH"):
            fetched = _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
            raw = next(bytes(part[1]) for part in fetched if isinstance(part, tuple))
            try:
                if receive(raw):
                    polled.stored += 1
                else:
                    polled.already += 1
            except limits.Refused as refused:
                if refused.status in TRANSIENT:
                    polled.waiting += 1
                    continue
                log.warning("an e-mail could not be stored (%s)", refused.message)
                polled.failed += 1
                flagged |= _move(imap, uid, settings.IMAP_FAILED_FOLDER, can_move)
                continue
            # Committed: only now may the message leave the folder.
            if keep:
                flagged |= _move(imap, uid, settings.IMAP_STORED_FOLDER, can_move)
            else:
                flagged |= _delete(imap, uid, uidplus)
        if flagged:
            _ok(imap.expunge(), "EXPUNGE")
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return polled


def _move(imap: imaplib.IMAP4, uid: str, folder: str, can_move: bool) -> bool:
    """Move a message to `folder`; True if it is left marked for a plain EXPUNGE."""
    if can_move:
        _ok(imap.uid("MOVE", uid, _mailbox(folder)), "MOVE")
        return False
    _ok(imap.uid("COPY", uid, _mailbox(folder)), "COPY")
    _ok(imap.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
    return True


def _delete(imap: imaplib.IMAP4, uid: str, uidplus: bool) -> bool:
    """Expunge one message (UID EXPUNGE, RFC 4315, touches no other message marked deleted);
    True if the server lacks it and the message waits for a plain EXPUNGE."""
    _ok(imap.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
    if not uidplus:
        return True
    _ok(imap.uid("EXPUNGE", uid), "UID EXPUNGE")
    return False


def receive(raw: bytes) -> bool:
    """Store one e-mail as a submission; False if it was stored before."""
    # The salt is the module's former name, kept: another would not know stored messages again.
    digest = salted_hmac("docket.intake.mail", raw, algorithm="sha256").hexdigest()
    if FetchedMail.objects.filter(digest=digest).exists():
        return False
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = _text(message)
    files = [_payload(part) for part in message.iter_attachments()]
    limits.ensure_files(0, 0, adding=len(files), adding_size=sum(len(f) for f in files))
    for data in files:
        limits.ensure_file_size(len(data))
    limits.take("submissions", per_hour=settings.INTAKE_SUBMISSIONS_PER_HOUR)
    items = [uploads.store_chunks([data], channel=CHANNEL) for data in files]
    sender = parseaddr(str(message.get("From", "")))[1]
    with transaction.atomic():
        submission, _receipt = conversation.open_submission(
            channel=CHANNEL,
            language=_language(text),
            text=text,
            files=items,
            contact=f"mailto:{sender}" if sender else None,
        )
        FetchedMail.objects.create(digest=digest, submission=submission)
    return True


def _text(message: EmailMessage) -> str:
    subject = str(message.get("Subject", "") or "").strip()
    body = message.get_body(preferencelist=("plain", "html"))
    content = ""
    if isinstance(body, EmailMessage):
        try:
            content = str(body.get_content())
        except (LookupError, ValueError):  # an unknown or lying charset
            payload = body.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if body.get_content_type() == "text/html":
            content = _Text.of(content)
    return "\n\n".join(part for part in (subject, content.strip()) if part)


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else part.as_bytes()


def _language(text: str) -> str:
    """be, ru or en, from the letters of the text (it picks the receipt's word list)."""
    letters = [c for c in text.lower() if c.isalpha()]
    cyrillic = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    if letters and len(cyrillic) * 2 > len(letters):
        return "be" if any(c in "ўі" for c in cyrillic) else "ru"
    return "en"


class _Text(HTMLParser):
    """The readable text of an HTML body (no scripts, styles or tags)."""

    SKIP = ("script", "style", "head")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        parser.close()
        lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
        return "\n".join(line for line in lines if line)
