"""The one place that answers “may this user do this (to that object)?”.

`ROLE_ACTIONS` says which roles may ever perform an action: anyone else gets 403. `OBJECT_RULES` say
whether a permitted role may act on a particular object: a failure there is reported as 404, so a region
officer cannot learn that another region's object exists (API.md conventions). Row visibility in lists is
enforced separately, in the ORM, by `lingjun.core.scoping`.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import NotAuthenticated, NotFound, PermissionDenied

BUREAU, CENTRE, REGION, INSTITUTION, ASSESSOR, TRAINEE = (
    "bureau",
    "centre",
    "region",
    "institution",
    "assessor",
    "trainee",
)
STAFF = frozenset({BUREAU, CENTRE, REGION, INSTITUTION, ASSESSOR})
ANY_USER = frozenset({BUREAU, CENTRE, REGION, INSTITUTION, ASSESSOR, TRAINEE})

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "region.view": ANY_USER,
    "user.create": frozenset({BUREAU, CENTRE}),
    "user.list": frozenset({BUREAU, CENTRE}),
    "audit.view": frozenset({BUREAU, CENTRE}),
    "programme.view": ANY_USER,
    "programme.create": frozenset({BUREAU}),
    "programme.edit": frozenset({BUREAU}),
    "quota.view": ANY_USER,
    "quota.edit": frozenset({BUREAU}),
    "quota.export": frozenset({BUREAU, CENTRE}),
    "workinfo.view": frozenset({BUREAU, CENTRE, REGION}),
    "workinfo.edit": frozenset({REGION}),
    "workinfo.track": frozenset({BUREAU, CENTRE}),
    "institution.view": ANY_USER,
    "institution.create": frozenset({BUREAU, CENTRE}),
    "qualification.manage": frozenset({BUREAU}),
    "registration.view": frozenset({BUREAU, CENTRE, REGION, TRAINEE}),
    "registration.create": frozenset({CENTRE, REGION}),
    "registration.submit": frozenset({CENTRE, REGION}),
    "registration.invite": frozenset({CENTRE, REGION}),
    "registration.import": frozenset({CENTRE, REGION}),
    "registration.export": frozenset({BUREAU, CENTRE, REGION}),
    "registration.export_ids": frozenset({CENTRE}),
    "registration.review": frozenset({CENTRE}),
    "registration.withdraw": frozenset({CENTRE, REGION, TRAINEE}),
    "class.view": ANY_USER,
    "class.create": frozenset({CENTRE}),
    "class.edit": frozenset({CENTRE}),
    "class.assign": frozenset({CENTRE}),
    "class.documents": frozenset({CENTRE, INSTITUTION}),
    "faculty.view": frozenset({BUREAU, CENTRE, INSTITUTION}),
    "faculty.create": frozenset({CENTRE, INSTITUTION}),
    "timetable.edit": frozenset({CENTRE, INSTITUTION}),
    "attendance.project": frozenset({CENTRE, INSTITUTION}),
    "attendance.checkin": frozenset({TRAINEE}),
    "attendance.mark": frozenset({CENTRE, INSTITUTION}),
    "attendance.view": frozenset({CENTRE, INSTITUTION, REGION, BUREAU}),
    "leave.request": frozenset({TRAINEE}),
    "leave.view": frozenset({TRAINEE, REGION, CENTRE, INSTITUTION}),
    "leave.approve": frozenset({REGION}),
    "leave.acknowledge": frozenset({CENTRE, INSTITUTION}),
    "leave.reject": frozenset({REGION, CENTRE, INSTITUTION}),
    "completion.manage": frozenset({CENTRE}),
    "certificate.issue": frozenset({CENTRE}),
    "certificate.revoke": frozenset({CENTRE}),
    "certificate.reissue": frozenset({CENTRE}),
    "certificate.export": frozenset({CENTRE}),
    "certificate.view": frozenset({CENTRE, REGION, TRAINEE}),
    "evaluation.submit": frozenset({TRAINEE}),
    "evaluation.view": frozenset({BUREAU, CENTRE, INSTITUTION}),
    "evaluation.names": frozenset({CENTRE}),  # who has not answered yet, by name (reminders)
    "evaluation.policy": frozenset({BUREAU}),
    "assessment.view": frozenset({BUREAU, CENTRE, ASSESSOR}),
    "assessment.edit": frozenset({ASSESSOR}),
    "ranking.view": frozenset({BUREAU, CENTRE}),
    "ranking.confirm": frozenset({BUREAU}),
    "stats.view": frozenset({BUREAU, CENTRE, REGION}),
    "alumni.view": frozenset({BUREAU, CENTRE, REGION}),
    "followup.view": frozenset({BUREAU, CENTRE, REGION}),
    "followup.edit": frozenset({REGION}),
    "retraining.invite": frozenset({CENTRE}),
    "personal_data.export_own": frozenset({TRAINEE}),
}


def _own_region(user, region) -> bool:
    code = getattr(region, "code", region)
    return user.role != REGION or user.region_id == code


def _may_create_role(user, role) -> bool:
    # The centre manages everyone but the ministry's own accounts.
    return user.role == BUREAU or role != BUREAU


OBJECT_RULES: dict[str, Callable] = {
    "workinfo.view": _own_region,
    "workinfo.edit": _own_region,
}
# Rules whose failure is a role limitation (403) rather than a hidden object (404).
ROLE_OBJECT_RULES: dict[str, Callable] = {
    "user.create": _may_create_role,
}


def allowed(user, action: str, obj=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role not in ROLE_ACTIONS[action]:
        return False
    if obj is not None:
        for rules in (OBJECT_RULES, ROLE_OBJECT_RULES):
            rule = rules.get(action)
            if rule is not None and not rule(user, obj):
                return False
    return True


def check(user, action: str, obj=None) -> None:
    """Raise the right domain error unless `user` may perform `action` (on `obj`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    if user.role not in ROLE_ACTIONS[action]:
        raise PermissionDenied()
    if obj is not None:
        rule = ROLE_OBJECT_RULES.get(action)
        if rule is not None and not rule(user, obj):
            raise PermissionDenied()
        rule = OBJECT_RULES.get(action)
        if rule is not None and not rule(user, obj):
            raise NotFound()
