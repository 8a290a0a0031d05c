"""What each role may do, in one table. docs/permissions.md is generated from the same words;
a test keeps the two in step.

A permission is checked against the compartment of the object concerned: a user holds a role
in a compartment, never globally.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Role

ADMIN, INTAKE, ANALYST, LEGAL, AUDITOR = (
    Role.ADMIN, Role.INTAKE, Role.ANALYST, Role.LEGAL, Role.AUDITOR,
)  # fmt: skip

#: permission -> (roles that hold it, what it allows)
PERMISSIONS: dict[str, tuple[frozenset[str], Any]] = {
    "item.view": (
        frozenset({ADMIN, INTAKE, ANALYST, LEGAL}),
        _("see an item's metadata and its custody entries"),
    ),
    "item.read_original": (
        frozenset({ADMIN, INTAKE, ANALYST, LEGAL}),
        _("download an original (also written to the custody log)"),
    ),
    "item.upload": (
        frozenset({ADMIN, ANALYST}),
        _(
            "upload files into the compartment from the web (kept like an import: a custody"
            " entry per file, its name on the item)"
        ),
    ),
    "register.view": (
        frozenset({ADMIN, INTAKE, ANALYST, LEGAL}),
        _("see and search the register: events, acts, persons, units and their evidence links"),
    ),
    "register.edit": (
        frozenset({ADMIN, ANALYST}),
        _("create and change register records (every change is kept with before and after)"),
    ),
    "register.screen": (
        frozenset({ADMIN, LEGAL}),
        _(
            "screen a list of names against the compartment's persons: possible matches for"
            " a person to review, never a verdict (audited with counts; the list is not kept)"
        ),
    ),
    "case.view": (
        frozenset({ADMIN, ANALYST, LEGAL}),
        _(
            "see the compartment's cases: suspects, incidents, qualifications, the elements"
            " matrix and the verification of their evidence; the statistics of the register"
        ),
    ),
    "case.edit": (
        frozenset({ADMIN, ANALYST, LEGAL}),
        _(
            "create and change cases, fill their elements matrix and record verification"
            " steps on evidence (every change is kept with who and when)"
        ),
    ),
    "custody.view": (
        frozenset({ADMIN, INTAKE, ANALYST, LEGAL, AUDITOR}),
        _("see the custody log entries of the compartment's items"),
    ),
    "audit.view": (
        frozenset({ADMIN, AUDITOR}),
        _("read the audit trail of the compartment and its bulk-access alerts"),
    ),
    "export.request": (
        frozenset({ADMIN, LEGAL}),
        _(
            "ask for an export (the whole compartment, a case's court bundle, a sanctions list,"
            " a public report), see its exports and download them (each export needs a second"
            " admin's approval and is encrypted to its recipient)"
        ),
    ),
    "intake.triage": (
        frozenset({ADMIN, INTAKE, ANALYST}),
        _(
            "read the compartment's submissions from the public intake, reply to their senders"
            " and triage them (a sender's Telegram or e-mail contact needs a second admin's"
            " approval)"
        ),
    ),
    "approvals.decide": (
        frozenset({ADMIN}),
        _("approve or refuse another person's request under the two-person rule"),
    ),
    "grants.manage": (
        frozenset({ADMIN}),
        _("grant and revoke roles in the compartment"),
    ),
}


def roles_with(permission: str) -> frozenset[str]:
    try:
        return PERMISSIONS[permission][0]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None
