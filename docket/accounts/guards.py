"""How a view declares who may reach it. Every URL pattern's view carries a declaration; the
authorization matrix test (tests/test_authorization_matrix.py) fails for one that does not,
and requests every object route as five personas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed

from docket.accounts import access
from docket.accounts.models import User

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Declared:
    kind: str  # "public", "staff", "list" or "object"
    permission: str | None = None
    model: type[Model] | None = None
    methods: tuple[str, ...] = ("GET",)


def _declare(view: View, declared: Declared) -> View:
    view.docket_access = declared  # type: ignore[attr-defined]
    return view


def public(view: View, *, methods: tuple[str, ...] = ("GET",)) -> View:
    """Reachable without logging in (the login page, the public intake)."""
    return _declare(view, Declared("public", methods=methods))


def staff_user(request: HttpRequest) -> User:
    """The logged-in staff member behind a request that a declaration above let through."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("staff_user() is for views declared staff, list or object")
    return user


def _login_then(view: View, methods: tuple[str, ...]) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method not in methods:
            return HttpResponseNotAllowed(methods)
        return view(request, *args, **kwargs)

    return wrapper


def staff(view: View | None = None, *, methods: tuple[str, ...] = ("GET", "POST")) -> Any:
    """Any logged-in staff member; the view filters what it shows with `access.visible`."""

    def decorate(inner: View) -> View:
        return _declare(_login_then(inner, methods), Declared("staff", methods=methods))

    return decorate(view) if view is not None else decorate


def listing(permission: str, *, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """A page that lists objects the user may `permission`, filtered by `access.visible`.
    404 for a user who holds the permission in no compartment (instance administrators
    excepted: they see the events that belong to no compartment)."""

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_superuser and not access.compartment_ids(user, permission):
                raise Http404("No such page.")
            return inner(request, *args, **kwargs)

        return _declare(_login_then(wrapper, methods), Declared("list", permission, None, methods))

    return decorate


def of_object(
    permission: str,
    model: type[Model],
    *,
    methods: tuple[str, ...] = ("GET",),
    superuser_too: bool = False,
    also: Callable[[Any, Any], bool] | None = None,
) -> Callable[[View], View]:
    """A view of one object, looked up by `pk`: 404 unless the user may `permission` it.
    `superuser_too` lets instance administrators in as well (managing grants is their job;
    reading evidence is not, so no evidence view sets it); `also(user, obj)` lets in whom else
    it says (the admins of any compartment, for an account request)."""

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapper(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponseBase:
            obj = model._default_manager.filter(pk=pk).first()
            allowed = obj is not None and (
                (superuser_too and request.user.is_superuser)
                or access.can(request.user, permission, obj)  # type: ignore[arg-type]
                or (also is not None and also(request.user, obj))
            )
            if not allowed:
                raise Http404("No such object.")
            return inner(request, obj, **kwargs)

        return _declare(
            _login_then(wrapper, methods), Declared("object", permission, model, methods)
        )

    return decorate
