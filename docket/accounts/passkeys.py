"""WebAuthn (security keys and passkeys) as the second step of a staff login.

The ceremonies run between the pending login (after the password) and `login()`: options go
out as JSON with a fresh challenge kept in the session, the browser's answer comes back as
JSON and is verified here. The relying party is the host name the browser sees, which is why
a passkey cannot be used on a look-alike site — and why it needs a name, not an IP address
(http://localhost:8000, or the real domain behind TLS).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from django.contrib.auth import login as django_login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from docket.accounts import audit, second_factor
from docket.accounts.models import Passkey, TotpDevice, User

CHALLENGE = "docket_webauthn_challenge"
RECOVERY_CODES_TO_SHOW = "docket_recovery_codes_to_show"


def _relying_party(request: HttpRequest) -> tuple[str, str]:
    """(relying-party id, origin): the host name without its port, and scheme://host:port."""
    host, _ = split_domain_port(request.get_host())
    return host, f"{request.scheme}://{request.get_host()}"


def usable_here(request: HttpRequest) -> tuple[bool, str]:
    """Whether a browser can use a passkey with this page: it needs a host name (not an IP
    address) in a secure context (HTTPS, or localhost). Else, where the page would work: the
    same address under localhost for a loopback address, or "" when only HTTPS would do."""
    host, port = split_domain_port(request.get_host())
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(
            host.strip("[]")
        )
    except ValueError:
        address = None
    local = host == "localhost" or host.endswith(".localhost")
    if address is None and (request.is_secure() or local):
        return True, ""
    if address is not None and address.is_loopback:
        moved = f"{request.scheme}://localhost{':' + port if port else ''}"
        return False, moved + request.get_full_path()
    return False, ""


def _fail(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def enrolled(user: User) -> bool:
    return (
        Passkey.objects.filter(user=user).exists() or TotpDevice.objects.filter(user=user).exists()
    )


@require_POST
def register_options(request: HttpRequest) -> HttpResponseBase:
    user = second_factor.pending_user(request)
    if user is None or enrolled(user):
        return _fail("log in with your password first", 403)
    rp_id, _ = _relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="Docket",
        user_name=user.get_username(),
        user_id=f"docket-user-{user.pk}".encode(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[CHALLENGE] = bytes_to_base64url(options.challenge)
    return JsonResponse(json.loads(options_to_json(options)))


@require_POST
def register(request: HttpRequest) -> HttpResponseBase:
    user = second_factor.pending_user(request)
    challenge = request.session.pop(CHALLENGE, None)
    if user is None or challenge is None or enrolled(user):
        return _fail("start again from the login page", 403)
    rp_id, origin = _relying_party(request)
    try:
        verified = verify_registration_response(
            credential=request.body.decode(),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (InvalidRegistrationResponse, ValueError) as exc:
        return _fail(f"the security key's answer did not check out: {exc}")
    Passkey.objects.create(
        user=user,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    codes = second_factor.new_recovery_codes(user)
    _finish(request, user)
    audit.record(request, "user.second_factor_enrolled", user, details={"factor": "passkey"})
    request.session[RECOVERY_CODES_TO_SHOW] = codes
    return JsonResponse({"redirect": "/accounts/2fa/recovery-codes/"})


@require_POST
def login_options(request: HttpRequest) -> HttpResponseBase:
    user = second_factor.pending_user(request)
    if user is None:
        return _fail("log in with your password first", 403)
    keys = Passkey.objects.filter(user=user)
    if not keys:
        return _fail("no security key is registered for you", 404)
    rp_id, _ = _relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=bytes(k.credential_id)) for k in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE] = bytes_to_base64url(options.challenge)
    return JsonResponse(json.loads(options_to_json(options)))


@require_POST
def login(request: HttpRequest) -> HttpResponseBase:
    user = second_factor.pending_user(request)
    challenge = request.session.pop(CHALLENGE, None)
    if user is None or challenge is None:
        return _fail("start again from the login page", 403)
    try:
        answer: dict[str, Any] = json.loads(request.body)
        key = Passkey.objects.get(user=user, credential_id=base64url_to_bytes(answer["rawId"]))
        rp_id, origin = _relying_party(request)
        verified = verify_authentication_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (InvalidAuthenticationResponse, Passkey.DoesNotExist, KeyError, ValueError) as exc:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        return _fail(f"the security key's answer did not check out: {exc}")
    Passkey.objects.filter(pk=key.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    _finish(request, user)
    audit.record(request, "user.login", user, details={"factor": "passkey"})
    return JsonResponse({"redirect": reverse("home")})


def _finish(request: HttpRequest, user: User) -> None:
    django_login(request, user, backend="docket.accounts.lockout.LockoutBackend")
    second_factor.mark_verified(request)
