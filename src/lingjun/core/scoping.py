"""Row scoping enforced in the ORM.

A region officer must never read another region's rows, an institution's staff never another
institution's. Instead of trusting every view to remember a `.filter(region=...)`, scoped models use
`ScopedManager`: its queryset reads the scope that is active for the current request (set by
`ScopeMiddleware` from the logged-in user, or explicitly with `scope(...)`), filters by it, and *raises*
`ScopeError` when no scope is active at all. A query that forgot its scope fails loudly in tests instead of
leaking in production. Management commands and public endpoints opt out explicitly with `scopes_disabled()`.

Same idea as django-scopes (pretix); written here because our scopes come from the user's role and the
request's bearer token, resolved lazily (see docs/decisions/0001-own-row-scoping.md).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import models

ALL = object()  # the dimension is not restricted
NOTHING = object()  # the dimension matches no row


class ScopeError(RuntimeError):
    pass


class Scope:
    """The restrictions in force: dimension → a concrete value (a region code, an institution id, a user id)
    or NOTHING. A dimension not named is unrestricted. A model that has no field for a restricted dimension
    shows no rows at all (a trainee sees no work-info form; an institution no region's registrations)."""

    def __init__(self, **dims):
        self._dims = {k: v for k, v in dims.items() if v is not ALL}

    def restrictions(self) -> dict:
        return self._dims

    def value(self, dim):
        return self._dims.get(dim, ALL)

    def resolve(self) -> Scope:
        return self


class UserScope(Scope):
    """Resolved lazily from `request.user`, because bearer tokens authenticate inside the API layer."""

    def __init__(self, request):
        self._request = request
        self._resolved = None

    def value(self, dim):
        return self.resolve().value(dim)

    def restrictions(self) -> dict:
        return self.resolve().restrictions()

    def resolve(self) -> Scope:
        user = getattr(self._request, "user", None)
        key = getattr(user, "pk", None)
        if self._resolved is None or self._resolved[0] != key:
            self._resolved = (key, scope_for_user(user))
        return self._resolved[1]


_active: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("lingjun_scope", default=None)


def scope_for_user(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(nobody=NOTHING)
    role = user.role
    if role in ("bureau", "centre"):
        return Scope()
    if role == "region":
        return Scope(region=user.region_id or NOTHING)
    if role == "institution":
        return Scope(institution=user.institution_id or NOTHING)
    if role == "trainee":
        return Scope(trainee=user.pk)
    if role == "assessor":
        return Scope(assessor=user.pk)
    return Scope(nobody=NOTHING)


@contextmanager
def scope(**dims):
    token = _active.set(Scope(**dims))
    try:
        yield
    finally:
        _active.reset(token)


@contextmanager
def scopes_disabled():
    token = _active.set(Scope())
    try:
        yield
    finally:
        _active.reset(token)


@contextmanager
def user_scope(user):
    token = _active.set(scope_for_user(user))
    try:
        yield
    finally:
        _active.reset(token)


def activate_for_request(request):
    return _active.set(UserScope(request))


def deactivate(token):
    _active.reset(token)


def current_scope() -> Scope:
    active = _active.get()
    if active is None:
        raise ScopeError(
            "A scoped model was queried with no scope active. Use the request's scope, scope(...), "
            "or scopes_disabled() for code that is deliberately national."
        )
    return active


class ScopedQuerySet(models.QuerySet):
    pass


class ScopedManager(models.Manager):
    """Manager that filters by the active scope. `scope_fields` maps a dimension to a lookup path, or to
    None when that dimension does not restrict the model (e.g. any region officer may list classes)."""

    def __init__(self, **scope_fields):
        super().__init__()
        self.scope_fields = scope_fields

    def _fields(self) -> dict:
        # Django builds related managers (`training_class.sessions`) as subclasses of this one, instantiated
        # without arguments: they take the mapping of the model's own scoped manager.
        if self.scope_fields or self.model is None:
            return self.scope_fields
        default = self.model._default_manager
        return default.scope_fields if default is not self and isinstance(default, ScopedManager) else {}

    def get_queryset(self):
        qs = super().get_queryset()
        scope_fields = self._fields()
        for dim, value in current_scope().restrictions().items():
            if dim in scope_fields and scope_fields[dim] is None:
                continue
            path = scope_fields.get(dim)
            if path is None or value is NOTHING:
                return qs.none()
            qs = qs.filter(**{path: value})
        return qs
