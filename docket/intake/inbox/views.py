"""The staff inbox of the intake: new submissions, their conversation, triage. Reading a
submission decrypts it with the vault key, so these pages work only in the staff process;
every read and every action is audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.accounts.models import Compartment, Grant, User
from docket.accounts.permissions import roles_with
from docket.intake import conversation
from docket.intake.channels.telegram import chats
from docket.intake.inbox import triage
from docket.intake.models import Submission
from docket.lib import ids
from docket.vault import keys
from docket.vault.describe import Facts, describe


@listing("intake.triage")
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Submission.Status.NEW)
    if status not in Submission.Status.values:
        status = Submission.Status.NEW
    visible = access.visible(Submission.objects.all(), request.user, "intake.triage")
    mine = request.GET.get("mine") == "1"
    shown = visible.filter(status=status).select_related("assignee")
    if mine:
        shown = shown.filter(assignee=request.user)
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    audit.record(
        request, "intake.list",
        details={"status": status, "mine": mine, "shown": [s.pk for s in page]},
    )  # fmt: skip
    counts = dict.fromkeys(Submission.Status.values, 0) | dict(
        visible.order_by().values_list("status").annotate(Count("pk"))
    )
    tabs = [(value, label, counts[value]) for value, label in Submission.Status.choices]
    try:
        identity = keys.identity()
    except keys.KeyUnavailable:
        identity = None
    rows = [(submission, _excerpt(submission, identity)) for submission in page]
    context = {
        "page": page, "rows": rows, "status": status, "tabs": tabs, "mine": mine,
        "colleagues": _triagers(access.compartment_ids(request.user, "intake.triage")),
    }  # fmt: skip
    return render(request, "intake/inbox.html", context)


EXCERPT = 140


def _excerpt(submission: Submission, identity: Any) -> str:
    """The start of what the sender first wrote, for the queue (opened with the vault key,
    none where this process lacks it; the list's audit row names every submission shown)."""
    first = submission.messages.filter(direction="in").order_by("id").first()
    if first is None or identity is None:
        return ""
    text = " ".join(conversation.show(first, identity).text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def assignable(submission: Submission) -> Any:
    """The staff who may triage the submission: whom it can be given to."""
    return _triagers([submission.compartment_id])


def _triagers(compartments: Any) -> Any:
    holders = Grant.objects.filter(
        compartment_id__in=compartments, role__in=roles_with("intake.triage")
    ).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("username")


@listing("intake.triage", methods=("POST",))
def inbox_bulk(request: HttpRequest) -> HttpResponseBase:
    """Assign, mark as spam (after a confirmation) or put back to new the submissions chosen
    in the list; each one is audited like the same action on its page."""
    user = staff_user(request)
    wanted = [n for pk in request.POST.getlist("submission") if (n := ids.pk(pk)) is not None]
    chosen = list(
        access.visible(Submission.objects.all(), user, "intake.triage")
        .filter(pk__in=wanted)
        .select_related("compartment")
    )
    back = redirect(f"{reverse('inbox:inbox')}?status={request.POST.get('status_shown', 'new')}")
    do = request.POST.get("do", "")
    if not chosen:
        messages.error(request, _("Choose at least one submission in the list."))
        return back
    if do == "spam":
        if request.POST.get("confirm") != "yes":
            context = {"submissions": chosen, "action": reverse("inbox:bulk")}
            return render(request, "intake/confirm_spam.html", context)
        changed = _bulk_status(request, chosen, Submission.Status.SPAM)
        messages.success(
            request,
            ngettext(
                "%(count)s submission marked as spam; undo it from its page.",
                "%(count)s submissions marked as spam; undo it from each one's page.",
                changed,
            )
            % {"count": changed},
        )
    elif do == "new":
        changed = _bulk_status(request, chosen, Submission.Status.NEW)
        messages.success(
            request,
            ngettext(
                "%(count)s submission put back to new.",
                "%(count)s submissions put back to new.",
                changed,
            )
            % {"count": changed},
        )
    elif do == "assign":
        _bulk_assign(request, chosen, request.POST.get("assignee", ""))
    else:
        messages.error(request, _("Choose what to do with the submissions."))
    return back


def _bulk_status(request: HttpRequest, chosen: list[Submission], status: str) -> int:
    """Accepted submissions are left as they are: they have left the inbox's compartment."""
    changed = 0
    for submission in chosen:
        if submission.status in (status, Submission.Status.ACCEPTED):
            continue
        changed += triage.set_status(request, submission, status)
    return changed


def _bulk_assign(request: HttpRequest, chosen: list[Submission], wanted: str) -> None:
    user = staff_user(request)
    assignee: User | None = None
    if wanted == "me":
        assignee = user
    elif ids.pk(wanted) is not None:
        assignee = _triagers({s.compartment_id for s in chosen}).filter(pk=ids.pk(wanted)).first()
        if assignee is None:
            messages.error(request, _("Only someone who triages these compartments can take them."))
            return
    done = skipped = 0
    for submission in chosen:
        if assignee is not None and not assignable(submission).filter(pk=assignee.pk).exists():
            skipped += 1
            continue
        triage.assign(request, submission, assignee)
        done += 1
    name = assignee.get_username() if assignee else _("nobody")
    messages.success(
        request,
        ngettext(
            "%(count)s submission assigned to %(user)s.",
            "%(count)s submissions assigned to %(user)s.",
            done,
        )
        % {"count": done, "user": name},
    )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)s submission was left as it was: %(user)s does not triage its "
                "compartment.",
                "%(count)s submissions were left as they were: %(user)s does not triage their "
                "compartments.",
                skipped,
            )
            % {"count": skipped, "user": name},
        )


@of_object("intake.triage", Submission, methods=("POST",))
def submission_assign(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    """Give the submission to oneself, to a colleague who may triage it, or to nobody."""
    wanted = request.POST.get("assignee", "")
    user = staff_user(request)
    if wanted == "me":
        assignee = user
    elif ids.pk(wanted) is not None:
        assignee = assignable(submission).filter(pk=ids.pk(wanted)).first()
        if assignee is None:
            messages.error(request, _("Only someone who triages this compartment can take it."))
            return redirect("inbox:submission", submission.pk)
    else:
        assignee = None
    triage.assign(request, submission, assignee)
    messages.success(
        request,
        _("Assigned to %(user)s.") % {"user": assignee.get_username()}
        if assignee
        else _("No longer assigned."),
    )
    return redirect("inbox:submission", submission.pk)


@of_object("intake.triage", Submission)
def submission_detail(request: HttpRequest, submission: Submission) -> HttpResponse:
    user = staff_user(request)
    try:
        thread = conversation.thread(submission, keys.identity())
        cannot_read = ""
    except keys.KeyUnavailable as exc:
        thread, cannot_read = [], str(exc)
    audit.record(request, "intake.read", submission)
    Submission.objects.filter(pk=submission.pk).update(
        seen_at=timezone.now(), seen_count=F("from_sender_count")
    )
    contact = ""
    if submission.contact and triage.revealed_to(user, submission) and not cannot_read:
        contact = conversation.contact(submission)
        audit.record(request, "intake.contact_shown", submission)
    targets = Compartment.objects.filter(pk__in=access.compartment_ids(user, "item.view")).exclude(
        pk=submission.compartment_id
    )
    return render(
        request,
        "intake/submission.html",
        {
            "submission": submission,
            "thread": thread,
            "cannot_read": cannot_read,
            "files": files_of(submission, user),
            "statuses": Submission.Status.choices,
            "targets": targets,
            "can_draft": access.can(user, "register.edit", submission)
            and submission.status == Submission.Status.ACCEPTED,
            "contact": contact,
            "reveal_pending": triage.pending_reveal(user, submission),
            "route_gone": chats.route_gone(submission),
            "route_days": settings.TELEGRAM_ROUTE_DAYS,
            "assignable": assignable(submission).exclude(pk=user.pk),
        },
    )


def files_of(submission: Submission, user: Any) -> list[tuple[Any, Facts | None, bool]]:
    """Every file the sender sent, in order: (attachment, what the pages know of its item,
    whether `user` may open it: a file kept in another compartment may not be theirs)."""
    attachments = list(submission.attachments.select_related("item").order_by("pk"))
    facts = describe([a.item_id for a in attachments if a.item_id])
    return [
        (a, facts.get(a.item_id) if a.item_id else None,
         a.item is not None and access.can(user, "item.view", a.item))
        for a in attachments
    ]  # fmt: skip


@of_object("intake.triage", Submission, methods=("POST",))
def submission_reply(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, _("The reply is empty."))
    else:
        conversation.reply(submission, text, by=staff_user(request))
        audit.record(request, "intake.reply", submission)
        if chats.route_gone(submission):
            messages.warning(
                request,
                _(
                    "Reply stored, but not sent to Telegram: the sender's chat was forgotten "
                    "after %(days)s days without a message from either side. They read the "
                    "reply only with their receipt, on the website or with /continue in the bot."
                )
                % {"days": settings.TELEGRAM_ROUTE_DAYS},
            )
        else:
            messages.success(request, _("Reply sent. The sender reads it with their receipt."))
    return redirect("inbox:submission", submission.pk)


@of_object("intake.triage", Submission, methods=("POST",))
def submission_status(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    if request.POST.get("undo") == "spam":
        if triage.undo_spam(request, submission):
            messages.success(
                request,
                _("No longer spam: back under “%(tab)s”.")
                % {"tab": Submission.Status(submission.status).label},
            )
        return redirect("inbox:submission", submission.pk)
    status = request.POST.get("status", "")
    if status not in Submission.Status.values or status == Submission.Status.ACCEPTED:
        messages.error(request, _("Choose spam, duplicate or new (accepting has its own button)."))
        return redirect("inbox:submission", submission.pk)
    if status == Submission.Status.SPAM and request.POST.get("confirm") != "yes":
        return render(
            request, "intake/confirm_spam.html",
            {"submissions": [submission], "action": reverse("inbox:status", args=[submission.pk])},
        )  # fmt: skip
    original = None
    if status == Submission.Status.DUPLICATE:
        wanted = request.POST.get("duplicate_of", "")
        original = (
            access.visible(Submission.objects.all(), request.user, "intake.triage")
            .filter(pk=ids.pk(wanted) or 0)
            .exclude(pk=submission.pk)
            .first()
        )
        if original is None:
            messages.error(request, _("Name the submission this one repeats (its number)."))
            return redirect("inbox:submission", submission.pk)
    if not triage.set_status(request, submission, status, duplicate_of=original):
        messages.info(
            request,
            _("It was under “%(tab)s” already.") % {"tab": Submission.Status(status).label},
        )
        return redirect("inbox:submission", submission.pk)
    if status == Submission.Status.SPAM:
        said = _("Marked as spam: it is out of the queue. Undo puts it back.")
    elif original is not None:
        said = _("Marked as a repeat of submission %(pk)s.") % {"pk": original.pk}
    else:
        said = _("Now under “%(tab)s”.") % {"tab": Submission.Status(status).label}
    messages.success(request, said)
    return redirect("inbox:submission", submission.pk)


@of_object("intake.triage", Submission, methods=("POST",))
def submission_accept(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    wanted = request.POST.get("compartment", "")
    target = Compartment.objects.filter(pk=ids.pk(wanted) or 0).first()
    if target is None or target.pk not in access.compartment_ids(request.user, "item.view"):
        messages.error(request, _("Choose a compartment in which you hold a role."))
        return redirect("inbox:submission", submission.pk)
    moved = triage.accept(request, submission, target)
    messages.success(
        request,
        ngettext(
            "Accepted into %(compartment)s; %(items)s item moved there.",
            "Accepted into %(compartment)s; %(items)s items moved there.",
            moved,
        )
        % {"compartment": target.name, "items": moved},
    )
    if not access.can(request.user, "intake.triage", submission):
        return redirect("inbox:inbox")
    return redirect("inbox:submission", submission.pk)


@of_object("intake.triage", Submission, methods=("POST",))
def submission_event(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    if submission.event_id or submission.status != Submission.Status.ACCEPTED:
        messages.error(request, _("Accept the report into a compartment first; once only."))
        return redirect("inbox:submission", submission.pk)
    if not access.can(request.user, "register.edit", submission):
        messages.error(request, _("Drafting an event needs the analyst or admin role here."))
        return redirect("inbox:submission", submission.pk)
    event = triage.draft_event(request, submission)
    messages.success(request, _("A draft event was made from this report; complete it."))
    return redirect("register:event", event.pk)


@of_object("intake.triage", Submission, methods=("POST",))
def submission_reveal(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    reason = request.POST.get("reason", "").strip()
    if not submission.contact:
        messages.error(request, _("This sender left no contact: there is nothing to reveal."))
    elif not reason:
        messages.error(request, _("Say why you need to know who sent it."))
    else:
        triage.ask_reveal(staff_user(request), submission, reason)
        messages.success(request, _("Asked. A second admin of the compartment must approve it."))
    return redirect("inbox:submission", submission.pk)
