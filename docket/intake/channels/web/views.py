"""The public intake pages: report, receipt, coming back, and the resumable upload endpoint.

Every page works with JavaScript off (Tor Browser "Safest"): plain forms, files in a multipart
POST. With JavaScript on, static/docket/intake.js sends files through the tus endpoint first,
with a progress bar and resumption, and the form then names the finished uploads.

Nothing here sets a cookie or keeps anything about the person asking: the language is in the
path, the receipt travels in the form, CSRF is refused by the browser's own Sec-Fetch-Site
and Origin headers instead of a cookie (there is no session to ride on), and answers are
marked no-store so no cache keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from docket.accounts.guards import public
from docket.intake import conversation, limits, receipts, uploads
from docket.intake.channels.web.forms import MessageForm, ReceiptForm, ReportForm
from docket.lib import ids

LANGUAGES = receipts.LANGUAGES
TUS_VERSION = "1.0.0"


def sender_page(
    methods: tuple[str, ...] = ("GET",),
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A public intake view: reachable without an account, no CSRF cookie, and a POST from
    another site refused."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in methods:
                response: HttpResponseBase = HttpResponse(status=405)
                response["Allow"] = ", ".join(methods)
                return response
            # The page's language is the one in its path, for every word of the answer
            # (refusals included), whatever the browser asks for.
            if "lang" in kwargs:
                kwargs["lang"] = _language(kwargs["lang"])
            with translation.override(kwargs.get("lang", translation.get_language())):
                if request.method not in ("GET", "HEAD", "OPTIONS") and _cross_site(request):
                    refusal = _("Refused: this form was sent from another site.")
                    return HttpResponse(refusal, status=403)
                response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return public(csrf_exempt(wrapper), methods=methods)

    return decorate


def _cross_site(request: HttpRequest) -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.get_host()


def _render(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        template,
        {
            **context,
            "lang": lang,
            "languages": settings.LANGUAGES,
            "max_file": filesizeformat(settings.INTAKE_MAX_FILE_BYTES),
            "max_files": settings.INTAKE_MAX_FILES,
            "chunk_bytes": min(settings.INTAKE_CHUNK_BYTES, 8 * 1024 * 1024),
            "pow_bits": settings.INTAKE_POW_BITS,
            "pow_challenge": limits.challenge() if settings.INTAKE_POW_BITS else "",
        },
        status=status,
    )


@sender_page()
def choose_language(request: HttpRequest) -> HttpResponseBase:
    """/intake/ → the page in the browser's language (Tor Browser says en-US for everyone)."""
    lang = _language(translation.get_language_from_request(request))
    return HttpResponseRedirect(reverse("intake:report", args=[lang]))


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


class _Files:
    """The files of one multipart request, sealed as they arrived; discards what was not
    committed when the request ends."""

    def __init__(self, request: HttpRequest) -> None:
        self.handler = uploads.SealingUploadHandler(request)
        request.upload_handlers = [self.handler]
        self.request = request

    def sealed(self) -> list[uploads.SealedFile]:
        files = [
            f for f in self.request.FILES.getlist("files") if isinstance(f, uploads.SealedFile)
        ]
        if self.handler.refusal is not None:
            raise self.handler.refusal
        return files

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.discard()


def _tokens(request: HttpRequest) -> list[str]:
    return [t for t in request.POST.getlist("upload") if t][: settings.INTAKE_MAX_FILES]


@sender_page(methods=("GET", "POST"))
def report(request: HttpRequest, lang: str) -> HttpResponseBase:
    if request.method == "GET":
        return _render(request, lang, "intake/report.html", {"form": ReportForm()})
    with _Files(request) as files:
        form = ReportForm(request.POST)
        try:
            sealed = files.sealed()
            tokens = _tokens(request)
            if not form.is_valid():
                return _render(request, lang, "intake/report.html", {"form": form}, status=400)
            finished = uploads.pending(tokens)
            limits.ensure_files(
                0, 0, adding=len(sealed) + len(finished),
                adding_size=sum(f.size or 0 for f in sealed) + sum(u.length for u in finished),
            )  # fmt: skip
            limits.take(
                "submissions",
                per_hour=settings.INTAKE_SUBMISSIONS_PER_HOUR,
                proof=limits.Proof.from_form(request.POST),
            )
            items = uploads.store_sealed(sealed, channel="web")
            answers = form.answers()
            _, receipt = conversation.open_submission(
                channel="web",
                language=lang,
                text=answers.pop("what"),
                answers=answers,
                files=items,
                upload_tokens=tokens,
            )
        except limits.Refused as refused:
            context = {"form": form, "refusal": refused.message}
            return _render(request, lang, "intake/report.html", context, status=refused.status)
    words = receipt.split()
    return _render(
        request, lang, "intake/receipt.html",
        {"receipt": receipt, "words": words, "files": len(items) + len(tokens)},
    )  # fmt: skip


@sender_page(methods=("GET", "POST"))
def come_back(request: HttpRequest, lang: str) -> HttpResponseBase:
    """Enter a receipt; see the conversation."""
    if request.method == "GET":
        return _render(request, lang, "intake/return.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    found = None
    try:
        if form.is_valid():
            found = conversation.find(
                form.cleaned_data["receipt"], proof=limits.Proof.from_form(request.POST)
            )
    except limits.Refused as refused:
        context = {"form": form, "refusal": refused.message}
        return _render(request, lang, "intake/return.html", context, status=refused.status)
    if found is None:
        unknown = receipts.unknown_words(request.POST.get("receipt", ""))
        context = {"form": form, "not_found": form.is_valid(), "unknown": unknown}
        return _render(request, lang, "intake/return.html", context, status=404)
    return _thread(request, lang, found, form.cleaned_data["receipt"])


@sender_page(methods=("POST",))
def send_more(request: HttpRequest, lang: str) -> HttpResponseBase:
    """A message and/or files from the conversation page."""
    with _Files(request) as files:
        form = MessageForm(request.POST)
        if not form.is_valid():
            return _render(request, lang, "intake/return.html", {"form": ReceiptForm()}, 400)
        receipt = form.cleaned_data["receipt"]
        try:
            sealed = files.sealed()
            found = conversation.find(receipt, proof=limits.Proof.from_form(request.POST))
            if found is None:
                context = {"form": ReceiptForm(), "not_found": True}
                return _render(request, lang, "intake/return.html", context, status=404)
            tokens = _tokens(request)
            text = form.cleaned_data["text"]
            finished = uploads.pending(tokens)
            if not text.strip() and not sealed and not finished:
                return _thread(
                    request, lang, found, receipt, error=_("Write a message or add a file.")
                )
            if text.strip():
                conversation.ensure_message_budget(found.submission)
            limits.ensure_files(
                found.submission.file_count, found.submission.byte_count,
                adding=len(sealed) + len(finished),
                adding_size=sum(f.size or 0 for f in sealed) + sum(u.length for u in finished),
            )  # fmt: skip
            items = uploads.store_sealed(
                sealed, channel="web", compartment=found.submission.compartment
            )
            conversation.add_from_sender(found.submission, text, items, tokens)
        except limits.Refused as refused:
            if found is None:
                context = {"form": ReceiptForm(), "refusal": refused.message}
                return _render(request, lang, "intake/return.html", context, refused.status)
            return _thread(
                request, lang, found, receipt, error=refused.message, status=refused.status
            )
    found.submission.refresh_from_db()
    return _thread(request, lang, found, receipt, sent=True)


def _thread(
    request: HttpRequest,
    lang: str,
    found: conversation.Found,
    receipt: str,
    *,
    sent: bool = False,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    messages = conversation.thread(found.submission, found.derived.identity)
    return _render(
        request,
        lang,
        "intake/thread.html",
        {
            "submission": found.submission,
            "messages": messages,
            "form": MessageForm(initial={"receipt": receipt}),
            "sent": sent,
            "error": error,
        },
        status=status,
    )


# --- tus 1.0 ---------------------------------------------------------------------------------


def _tus(response: HttpResponseBase) -> HttpResponseBase:
    response["Tus-Resumable"] = TUS_VERSION
    return response


def _tus_refusal(refused: limits.Refused) -> HttpResponseBase:
    return _tus(HttpResponse(refused.message, status=refused.status, content_type="text/plain"))


@sender_page(methods=("POST", "OPTIONS"))
def upload_create(request: HttpRequest) -> HttpResponseBase:
    """tus creation: POST with Upload-Length; answers 201 with the upload's URL. Any
    Upload-Metadata (tus clients put the file name there) is ignored, never stored."""
    if request.method == "OPTIONS":
        response = _tus(HttpResponse(status=204))
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = "creation,termination"
        response["Tus-Max-Size"] = str(settings.INTAKE_MAX_FILE_BYTES)
        return response
    length = ids.number(request.headers.get("Upload-Length", ""))
    if length is None:
        return _tus(HttpResponse("Upload-Length is required", status=400))
    try:
        _, token = uploads.create(length)
    except limits.Refused as refused:
        return _tus_refusal(refused)
    response = _tus(HttpResponse(status=201))
    response["Location"] = reverse("intake:upload", args=[token])
    return response


@sender_page(methods=("HEAD", "PATCH", "DELETE"))
def upload_resource(request: HttpRequest, token: str) -> HttpResponseBase:
    """tus core: HEAD tells the offset, PATCH appends a body at it, DELETE abandons an upload
    that no report names yet."""
    upload = uploads.find(token)
    if upload is None:
        return _tus(HttpResponse(status=404))
    if request.method == "DELETE":
        try:
            uploads.terminate(upload)
        except uploads.Attached:
            # 403, not 409: tus clients (tus-js-client among them) retry a 409 and give up at
            # once on a 403, and nothing will change for this upload.
            refusal = _(
                "This file is part of a report that was already received. It can no longer be "
                "deleted; it is kept with the report."
            )
            return _tus(HttpResponse(refusal, status=403, content_type="text/plain"))
        return _tus(HttpResponse(status=204))
    if request.method == "PATCH":
        if request.content_type != "application/offset+octet-stream":
            return _tus(HttpResponse(status=415))
        offset = ids.number(request.headers.get("Upload-Offset", ""))
        size = ids.number(request.headers.get("Content-Length", ""))
        if offset is None or size is None:
            return _tus(HttpResponse("Upload-Offset and Content-Length are required", status=400))
        if size > settings.INTAKE_CHUNK_BYTES:
            return _tus(HttpResponse(status=413))
        try:
            uploads.append(upload, offset, request, size)  # type: ignore[arg-type]
        except uploads.Conflict:
            upload.refresh_from_db()
            response = _tus(HttpResponse(status=409))
            response["Upload-Offset"] = str(upload.offset)
            return response
        except uploads.Incomplete:
            return _tus(HttpResponse(status=400))
        except limits.Refused as refused:
            return _tus_refusal(refused)
        upload.refresh_from_db()
        response = _tus(HttpResponse(status=204))
    else:
        response = _tus(HttpResponse(status=200))
        response["Upload-Length"] = str(upload.length)
    response["Upload-Offset"] = str(upload.offset)
    return response
