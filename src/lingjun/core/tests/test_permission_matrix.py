"""Permission matrix: every route of the HTTP API × every role, against a table of expected outcomes.

Each route is called once per role with real objects behind its path parameters (one registration of region
330000 enrolled in one class of one institution, with a timetable, a leave request, a certificate, an import
batch and an invitation). Every call runs inside a savepoint that is rolled back, so one call's changes never
change the next call's answer.

Besides the status, every answer a region officer of another region, another institution's staff, the
assessor or an anonymous visitor may receive is searched (workbooks and archives unpacked) for the trainee's
name, mobile and e-mail and the enterprise's name and credit code: a list that is allowed but not filtered by
scope fails here too.

Outcomes:
    ok   the role may do it: any answer that is not 401, 403 or 404 and not a server error (a 409 or 422 from a
         business rule still proves the role got past the permission check)
    403  the role may never do this action
    404  the role may do it, but the object is outside its scope (API.md: out-of-scope answers 404)
    401  no credentials

Columns (one line per route, keep them aligned):
    B  bureau              C  centre
    R  region officer of the object's region (330000)      r  region officer of another region (110000)
    I  staff of the class's institution                    i  staff of another institution
    A  assessor            T  the trainee of the registration          -  anonymous

ADDING A ROUTE: a route present in `lingjun.api.api` but missing from ROUTES fails
`test_every_route_has_a_rule` ("new route without a rule"). Add one line to ROUTES:

    Rule("POST", "/classes/{class_id}/evaluation", "403 403 403 403 403 403 403 ok  401", body={...}),

with the path template exactly as in the router (the test prints the missing ones), a body valid enough to
reach the permission check (the schema is validated before the handler runs, so an invalid body gives 422
to every role), and the expected outcome per column. Path parameters are filled from the world built by
`world()` below (`programme_id`, `registration_id`, `class_id`, `session_id`, `leave_id`, `number`,
`batch_id`, `token`, `region`, `institution`, `credit_code`, `code`, `kind`); `params` on a Rule overrides
or adds values for that line only (e.g. one line per `{kind}`). If a new route needs a new object, create it
in `world()` and add its id to the returned dict. Set LINGJUN_MATRIX_RECORD=1 to print the observed table
(then check every cell against API.md before pasting it: the table is the specification, not a snapshot).
"""

from __future__ import annotations

import datetime
import os
import random
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone

from lingjun.conftest import PASSWORD, ApiClient, token_for

COLUMNS = ("B", "C", "R", "r", "I", "i", "A", "T", "-")
OWN_REGION, OTHER_REGION = "330000", "110000"


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    expect: str
    body: dict | None = None
    params: dict = field(default_factory=dict)
    query: dict | None = None
    multipart: bool = False

    def expected(self) -> dict[str, str]:
        cells = self.expect.split()
        assert len(cells) == len(COLUMNS), (
            f"{self.method} {self.path}: {len(cells)} cells, want {len(COLUMNS)}"
        )
        return dict(zip(COLUMNS, cells, strict=True))


WORK_INFO = {
    "department": "浙江省经济和信息化厅",
    "leader_name": "王明",
    "leader_position": "副厅长",
    "leader_phone": "0571-87054321",
    "liaison_name": "李华",
    "liaison_position": "处长",
    "liaison_phone": "0571-87051234",
    "liaison_mobile": "13800138000",
    "liaison_email": "li@zj.gov.cn",
}
SESSION_BODY = {
    "date": "2030-10-13",
    "start": "14:00",
    "end": "15:00",
    "title": "企业战略",
    "topic": "digital",
    "format": "lecture",
}

#     method    path template                                             B   C   R   r   I   i   A   T   -
ROUTES = [
    Rule(
        "POST",
        "/auth/token",
        "ok  ok  ok  ok  ok  ok  ok  ok  ok ",
        body={"username": "{login_username}", "password": PASSWORD},
    ),
    Rule("DELETE", "/auth/token", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule(
        "POST",
        "/users",
        "ok  ok  403 403 403 403 403 403 401",
        body={"username": "matrix-new", "password": "Matrix-pass-2030", "role": "region", "region": "330000"},
    ),
    Rule("GET", "/users", "ok  ok  403 403 403 403 403 403 401"),
    Rule("GET", "/users/me", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule("GET", "/regions", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule("GET", "/audit", "ok  ok  403 403 403 403 403 403 401"),
    Rule(
        "POST",
        "/programmes",
        "ok  403 403 403 403 403 403 403 401",
        body={
            "year": 2031,
            "title": "2031年培训",
            "target_trainees": 800,
            "registration_deadline": "2031-08-31",
            "planned_classes": 10,
        },
    ),
    Rule("GET", "/programmes", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule("GET", "/programmes/{programme_id}", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule(
        "PATCH", "/programmes/{programme_id}", "ok  403 403 403 403 403 403 403 401", body={"title": "改名"}
    ),
    Rule(
        "PUT",
        "/programmes/{programme_id}/quotas",
        "ok  403 403 403 403 403 403 403 401",
        body={"quotas": {"330000": 40}},
    ),
    Rule("GET", "/programmes/{programme_id}/quotas", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule(
        "POST",
        "/programmes/{programme_id}/quotas/propose",
        "ok  403 403 403 403 403 403 403 401",
        body={"total": 100, "weights": {"330000": 1, "110000": 1}},
    ),
    Rule("GET", "/programmes/{programme_id}/quotas.xlsx", "ok  ok  403 403 403 403 403 403 401"),
    Rule(
        "PUT",
        "/programmes/{programme_id}/work-info/{region}",
        "403 403 ok  404 403 403 403 403 401",
        body=WORK_INFO,
    ),
    Rule("GET", "/programmes/{programme_id}/work-info/{region}", "ok  ok  ok  404 403 403 403 403 401"),
    Rule("GET", "/programmes/{programme_id}/work-info", "ok  ok  403 403 403 403 403 403 401"),
    Rule("GET", "/programmes/{programme_id}/work-info.xlsx", "ok  ok  403 403 403 403 403 403 401"),
    Rule(
        "POST",
        "/institutions",
        "ok  ok  403 403 403 403 403 403 401",
        body={"name": "矩阵测试学院", "kind": "university"},
    ),
    Rule("GET", "/institutions", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule(
        "POST",
        "/programmes/{programme_id}/registrations",
        "403 ok  ok  404 403 403 403 403 401",
        body="registration",
    ),
    Rule("GET", "/programmes/{programme_id}/registrations", "ok  ok  ok  ok  403 403 403 ok  401"),
    Rule("GET", "/registrations/{registration_id}", "ok  ok  ok  404 403 403 403 ok  401"),
    Rule(
        "PUT", "/registrations/{registration_id}", "403 ok  ok  404 403 403 403 403 401", body="registration"
    ),
    Rule("POST", "/registrations/{registration_id}/submit", "403 ok  ok  404 403 403 403 403 401"),
    Rule("POST", "/registrations/{registration_id}/invite", "403 ok  ok  404 403 403 403 403 401"),
    Rule(
        "POST",
        "/invites/{token}/accept",
        "ok  ok  ok  ok  ok  ok  ok  ok  ok ",
        body={"password": "Trainee-pass-2030", "id_number_last6": "000000"},
    ),
    Rule("POST", "/registrations/{registration_id}/approve", "403 ok  403 403 403 403 403 403 401"),
    Rule(
        "POST",
        "/registrations/{registration_id}/reject",
        "403 ok  403 403 403 403 403 403 401",
        body={"reason": "材料不全"},
    ),
    Rule(
        "POST",
        "/registrations/{registration_id}/return",
        "403 ok  403 403 403 403 403 403 401",
        body={"comment": "请补充"},
    ),
    Rule(
        "POST",
        "/registrations/{registration_id}/withdraw",
        "403 ok  ok  404 403 403 403 ok  401",
        body={"reason": "工作冲突"},
    ),
    Rule(
        "POST",
        "/programmes/{programme_id}/registrations/approve",
        "403 ok  403 403 403 403 403 403 401",
        body={"ids": []},
    ),
    Rule(
        "GET", "/programmes/{programme_id}/registrations/template.xlsx", "403 ok  ok  ok  403 403 403 403 401"
    ),
    Rule("GET", "/programmes/{programme_id}/registrations.xlsx", "ok  ok  ok  ok  403 403 403 403 401"),
    Rule(
        "GET", "/programmes/{programme_id}/registrations-with-ids.xlsx", "403 ok  403 403 403 403 403 403 401"
    ),
    Rule(
        "POST",
        "/programmes/{programme_id}/registrations/import",
        "403 ok  ok  404 403 403 403 403 401",
        multipart=True,
    ),
    Rule("GET", "/imports/{batch_id}/errors.xlsx", "403 ok  ok  404 403 403 403 403 401"),
    Rule(
        "POST",
        "/programmes/{programme_id}/classes",
        "403 ok  403 403 403 403 403 403 401",
        body={
            "number": 7,
            "track": "specialized",
            "institution": "{institution}",
            "city": "杭州",
            "start_date": "2030-11-02",
            "capacity": 30,
        },
    ),
    Rule("GET", "/programmes/{programme_id}/classes", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule("GET", "/classes/{class_id}", "ok  ok  ok  ok  ok  404 ok  ok  401"),
    Rule("PATCH", "/classes/{class_id}", "403 ok  403 403 403 403 403 403 401", body={"venue": "新会场"}),
    Rule("POST", "/classes/{class_id}/sessions", "403 ok  403 403 ok  404 403 403 401", body=SESSION_BODY),
    Rule("GET", "/classes/{class_id}/sessions", "ok  ok  ok  ok  ok  404 ok  ok  401"),
    Rule(
        "PATCH", "/sessions/{session_id}", "403 ok  403 403 ok  404 403 403 401", body={"place": "二号教室"}
    ),
    Rule("DELETE", "/sessions/{session_id}", "403 ok  403 403 ok  404 403 403 401"),
    Rule("GET", "/classes/{class_id}/timetable.ics", "ok  ok  ok  ok  ok  404 ok  ok  401"),
    Rule(
        "GET",
        "/classes/{class_id}/{kind}.xlsx",
        "403 ok  403 403 ok  404 403 403 401",
        params={"kind": "roster"},
    ),
    Rule(
        "GET",
        "/classes/{class_id}/{kind}.xlsx",
        "ok  ok  ok  ok  ok  404 ok  ok  401",
        params={"kind": "timetable"},
    ),
    Rule(
        "GET",
        "/classes/{class_id}/{kind}.pdf",
        "403 ok  403 403 ok  404 403 403 401",
        params={"kind": "signin"},
    ),
    Rule(
        "GET",
        "/classes/{class_id}/{kind}.pdf",
        "ok  ok  ok  ok  ok  404 ok  ok  401",
        params={"kind": "timetable"},
    ),
    Rule(
        "POST",
        "/faculty",
        "403 ok  403 403 ok  ok  403 403 401",
        body={"name": "陈教授", "affiliation": "复旦大学", "affiliation_kind": "university"},
    ),
    Rule("GET", "/faculty", "ok  ok  403 403 ok  ok  403 403 401"),
    Rule(
        "POST",
        "/registrations/{registration_id}/assign",
        "403 ok  403 403 403 403 403 403 401",
        body={"class": "{class_id}"},
    ),
    Rule("POST", "/registrations/{registration_id}/unassign", "403 ok  403 403 403 403 403 403 401"),
    Rule("POST", "/programmes/{programme_id}/assignment", "403 ok  403 403 403 403 403 403 401"),
    Rule("POST", "/programmes/{programme_id}/assignment/proposal", "403 ok  403 403 403 403 403 403 401"),
    Rule("GET", "/qualifications", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule(
        "POST",
        "/qualifications",
        "ok  403 403 403 403 403 403 403 401",
        body={"code": "matrix_q", "name": "矩阵资质"},
    ),
    Rule(
        "PATCH",
        "/qualifications/{code}",
        "ok  403 403 403 403 403 403 403 401",
        body={"name": "国家级专精特新“小巨人”企业"},
        params={"code": "little_giant"},
    ),
    Rule("GET", "/topics", "ok  ok  ok  ok  ok  ok  ok  ok  401"),
    Rule("POST", "/sessions/{session_id}/checkin-code", "403 ok  403 403 ok  404 403 403 401"),
    Rule("POST", "/checkin", "403 403 403 403 403 403 403 ok  401", body={"code": "{code}"}),
    Rule(
        "PUT",
        "/sessions/{session_id}/attendance/{registration_id}",
        "403 ok  403 403 ok  404 403 403 401",
        body={"status": "present"},
    ),
    Rule("GET", "/classes/{class_id}/attendance", "ok  ok  ok  ok  ok  404 403 403 401"),
    Rule(
        "POST",
        "/leave-requests",
        "403 403 403 403 403 403 403 ok  401",
        body={"sessions": ["{later_session_id}"], "reason": "出差"},
    ),
    Rule("GET", "/leave-requests", "403 ok  ok  ok  ok  ok  403 ok  401"),
    Rule("GET", "/leave-requests/{leave_id}", "403 ok  ok  404 ok  404 403 ok  401"),
    Rule("POST", "/leave-requests/{leave_id}/approve", "403 403 ok  404 403 403 403 403 401"),
    Rule("POST", "/leave-requests/{leave_id}/acknowledge", "403 ok  403 403 ok  404 403 403 401"),
    Rule(
        "POST",
        "/leave-requests/{leave_id}/reject",
        "403 ok  ok  404 ok  404 403 403 401",
        body={"reason": "课程重要"},
    ),
    Rule(
        "PUT",
        "/programmes/{programme_id}/completion-rule",
        "403 ok  403 403 403 403 403 403 401",
        body={"min_attendance": 0.9, "max_unexcused_absences": 0},
    ),
    Rule("POST", "/classes/{class_id}/completion", "403 ok  403 403 403 403 403 403 401"),
    Rule("POST", "/classes/{class_id}/completion/confirm", "403 ok  403 403 403 403 403 403 401"),
    Rule("POST", "/classes/{class_id}/certificates", "403 ok  403 403 403 403 403 403 401"),
    Rule("GET", "/classes/{class_id}/certificates", "403 ok  ok  ok  403 403 403 ok  401"),
    Rule("GET", "/classes/{class_id}/certificates.zip", "403 ok  403 403 403 403 403 403 401"),
    Rule("POST", "/registrations/{registration_id}/certificate", "403 ok  403 403 403 403 403 403 401"),
    Rule("GET", "/certificates/{number}.pdf", "403 ok  ok  404 403 403 403 ok  401"),
    Rule("GET", "/certificates/{number}", "403 ok  ok  404 403 403 403 ok  401"),
    Rule(
        "POST",
        "/certificates/{number}/revoke",
        "403 ok  403 403 403 403 403 403 401",
        body={"reason": "信息有误"},
    ),
    Rule(
        "POST",
        "/certificates/{number}/reissue",
        "403 ok  403 403 403 403 403 403 401",
        body={"reason": "信息有误"},
    ),
    Rule("GET", "/verify/{number}", "ok  ok  ok  ok  ok  ok  ok  ok  ok ", query={"name": "{trainee_name}"}),
    # evaluation and ranking (issue #6): institutions read aggregates of their own classes only
    Rule(
        "POST",
        "/classes/{class_id}/evaluation",
        "403 403 403 403 403 403 403 ok  401",
        body={"course_design": 5, "faculty": 4, "organisation": 4, "effect": 5},
    ),
    Rule("GET", "/classes/{class_id}/evaluation/summary", "ok  ok  403 403 ok  404 403 403 401"),
    Rule("GET", "/classes/{class_id}/evaluation/pending", "ok  ok  403 403 ok  404 403 403 401"),
    Rule("GET", "/programmes/{programme_id}/evaluation/report", "ok  ok  403 403 ok  ok  403 403 401"),
    Rule("GET", "/programmes/{programme_id}/evaluation/report.xlsx", "ok  ok  403 403 ok  ok  403 403 401"),
    Rule("GET", "/programmes/{programme_id}/evaluation/report.pdf", "ok  ok  403 403 ok  ok  403 403 401"),
    Rule("GET", "/programmes/{programme_id}/evaluation-policy", "ok  ok  403 403 403 403 403 403 401"),
    Rule(
        "PUT",
        "/programmes/{programme_id}/evaluation-policy",
        "ok  403 403 403 403 403 403 403 401",
        body={
            "min_answers": 3,
            "close_days": 14,
            "weight_trainee": "0.4",
            "weight_assessment": "0.4",
            "weight_completion": "0.2",
            "suspend_bottom": 2,
        },
    ),
    Rule("GET", "/programmes/{programme_id}/assessments", "ok  ok  403 403 403 403 ok  403 401"),
    Rule(
        "PUT",
        "/programmes/{programme_id}/assessments/{institution_id}",
        "403 403 403 403 403 403 ok  403 401",
        body={"score": 85, "notes": "现场检查"},
    ),
    Rule("GET", "/programmes/{programme_id}/ranking", "ok  ok  403 403 403 403 403 403 401"),
    Rule(
        "POST",
        "/programmes/{programme_id}/ranking/confirm",
        "ok  403 403 403 403 403 403 403 401",
        body={"next_programme": "{programme_id}"},
    ),
    # alumni, follow-up, statistics, my data (issue #7): a region's archive and enterprises are its own
    Rule("GET", "/programmes/{programme_id}/stats", "ok  ok  ok  ok  403 403 403 403 401"),
    Rule("GET", "/programmes/{programme_id}/stats.xlsx", "ok  ok  ok  ok  403 403 403 403 401"),
    Rule("GET", "/alumni", "ok  ok  ok  ok  403 403 403 403 401"),
    Rule(
        "POST",
        "/alumni/{registration_id}/retrain",
        "403 ok  403 403 403 403 403 403 401",
        body={"programme": "{programme_id}"},
    ),
    Rule("GET", "/enterprises/{credit_code}/reports", "ok  ok  ok  404 403 403 403 403 401"),
    Rule(
        "POST",
        "/enterprises/{credit_code}/reports",
        "403 403 ok  404 403 403 403 403 401",
        body={"period": "2025", "revenue": 5200, "employees": 120, "rnd_spend": 300, "patents": 8},
    ),
    Rule(
        "POST",
        "/enterprises/{credit_code}/reports/import",
        "403 403 ok  404 403 403 403 403 401",
        multipart=True,
    ),
    Rule("GET", "/enterprises/{credit_code}/reports/template.xlsx", "403 403 ok  404 403 403 403 403 401"),
    Rule("GET", "/enterprises/{credit_code}/services", "ok  ok  ok  404 403 403 403 403 401"),
    Rule(
        "POST",
        "/enterprises/{credit_code}/services",
        "403 403 ok  404 403 403 403 403 401",
        body={"date": "2025-06-01", "kind": "policy", "description": "政策辅导"},
    ),
    Rule("GET", "/me/personal-data", "403 403 403 403 403 403 403 ok  401"),
]


def api_routes() -> set[tuple[str, str]]:
    """(method, path template) of every operation mounted on the NinjaAPI, as the clients see them."""
    from lingjun.api import api

    routes = set()
    for router in api._get_bound_routers():  # every mounted router, nested ones included
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = "/" + "/".join(p for p in (router.prefix.strip("/"), path.strip("/")) if p)
                    routes.add((method.upper(), re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", full)))
    return routes


def uncovered(routes: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(routes - {(r.method, r.path) for r in ROUTES})


def test_every_route_has_a_rule():
    """A new route without a line in ROUTES fails here: decide who may call it, then add the line."""
    table = {(r.method, r.path) for r in ROUTES}
    assert len(api_routes()) >= 80  # the enumeration sees the whole API, not one router
    missing = uncovered(api_routes())
    assert not missing, "new route without a rule in test_permission_matrix.ROUTES: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    stale = sorted(table - api_routes())
    assert not stale, "rules for routes that no longer exist: " + ", ".join(f"{m} {p}" for m, p in stale)
    for rule in ROUTES:
        assert set(rule.expected().values()) <= {"ok", "401", "403", "404"}, rule


def test_a_route_added_without_a_rule_is_reported():
    probe = ("POST", "/classes/{class_id}/matrix-probe")
    assert uncovered(api_routes() | {probe}) == [probe]


@pytest.fixture
def fixed_clock(monkeypatch):
    """10:00 local time today, so today's session is open for check-in and tomorrow's may be asked leave for."""
    import time as time_module

    fixed = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0).astimezone(datetime.UTC)
    offset = fixed.timestamp() - time_module.time()
    real_time = time_module.time
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    monkeypatch.setattr(time_module, "time", lambda: real_time() + offset)
    return fixed


@pytest.fixture
def world(db, settings, programme, make_user, fixed_clock):
    """One of everything, all reachable from region 330000 and institution `own`, and clients per column."""
    from lingjun.attendance import services as attendance_services
    from lingjun.certificates import services as certificate_services
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import ImportBatch, Registration, Trainee

    settings.PUBLIC_BASE_URL = "https://lingjun.example.cn"
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 1000
    settings.CERTIFICATE_RENDER_PROCESSES = 1

    own = Institution.objects.create(name="矩阵本机构大学", kind="university", tracks=["specialized"])
    other = Institution.objects.create(name="矩阵他机构学院", kind="university", tracks=["specialized"])
    users = {
        "B": make_user("bureau"),
        "C": make_user("centre"),
        "R": make_user("region", region=OWN_REGION),
        "r": make_user("region", region=OTHER_REGION),
        "I": make_user("institution", institution=own),
        "i": make_user("institution", institution=other),
        "A": make_user("assessor"),
        "T": make_user("trainee"),
    }
    Quota.objects.filter(programme=programme, region_id__in=[OWN_REGION, OTHER_REGION]).update(amount=50)
    today = timezone.localdate()
    klass = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=own,
        city="杭州",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=2),
        capacity=30,
    )
    now_session = TimetableSession.objects.create(
        training_class=klass,
        date=today,
        start=datetime.time(9, 50),
        end=datetime.time(11, 50),
        title="数字化转型",
        topic_id="digital",
        format="lecture",
    )
    later_session = TimetableSession.objects.create(
        training_class=klass,
        date=today + datetime.timedelta(days=1),
        start=datetime.time(9, 0),
        end=datetime.time(11, 0),
        title="精益管理",
        topic_id="digital",
        format="lecture",
    )

    reg = reg_services.create_registration(
        users["R"], programme.pk, fakes.registration_payload(random.Random(8), OWN_REGION)
    )
    _invitation, invite_token = reg_services.create_invitation(users["R"], reg.pk)
    Trainee.objects.filter(pk=reg.trainee_id).update(user=users["T"])
    Registration.objects.filter(pk=reg.pk).update(
        status="completed", training_class=klass, confirmed_at=timezone.now()
    )
    cert, _ = certificate_services.issue_for_registration(
        users["C"], reg.pk, base_url=settings.PUBLIC_BASE_URL
    )
    Registration.objects.filter(pk=reg.pk).update(status="enrolled")
    leave = attendance_services.request_leave(users["T"], [later_session.pk], "家中有事")
    code = attendance_services.make_code(now_session.pk)
    batch = ImportBatch.objects.create(
        programme=programme,
        region_id=OWN_REGION,
        file_name="附件4.xlsx",
        file_sha256="0" * 64,
        mode="partial",
        created_by=users["R"],
    )
    reg.refresh_from_db()
    values = {
        "programme_id": programme.pk,
        "registration_id": reg.pk,
        "class_id": klass.pk,
        "session_id": now_session.pk,
        "later_session_id": later_session.pk,
        "leave_id": leave.pk,
        "number": cert.number,
        "batch_id": batch.pk,
        "token": invite_token,
        "region": OWN_REGION,
        "institution": own.pk,
        "institution_id": own.pk,
        "credit_code": reg.enterprise.credit_code,
        "code": code,
        "trainee_name": reg.trainee.name,
        "kind": "timetable",
        "login_username": users["A"].username,
        # what only the registration's own region, the centre, the bureau, its class and the trainee may see
        "secrets": [
            reg.trainee.name,
            reg.enterprise.name,
            reg.enterprise.credit_code,
            reg.trainee.mobile,
            reg.trainee.email,
        ],
    }
    clients = {col: ApiClient(token_for(user)) for col, user in users.items()}
    clients["-"] = ApiClient()
    return values, clients, programme, reg


def _fill(value, values: dict):
    """Substitute "{name}" placeholders in a body; a placeholder that is the whole string keeps its type."""
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole:
            return values[whole.group(1)]
        return value.format(**values) if "{" in value else value
    return value


def _registration_body(programme, region: str) -> dict:
    from lingjun.registrations import fakes

    body = fakes.registration_payload(random.Random(99), region)
    body["region"] = region
    body["submit"] = False
    return body


def _workbook() -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _call(client: ApiClient, rule: Rule, values: dict, programme):
    path = "/api/v1" + rule.path.format(**{**values, **rule.params})
    if rule.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("附件4.xlsx", _workbook())
        return client.client.post(
            path, data={"file": upload, "mode": "partial", "region": OWN_REGION}, headers=client._headers()
        )
    if rule.method == "GET":
        return client.get(path, params=_fill(rule.query, values) if rule.query else None)
    body = rule.body
    if body == "registration":
        body = _registration_body(programme, OWN_REGION)
    return client.request(rule.method, path, data=_fill(body, values) if body is not None else None)


OUTSIDERS = ("r", "i", "A", "-")  # columns that must never see the registration's personal data


def _content(response) -> bytes:
    """The body as a user would read it: a workbook's or archive's members unpacked."""
    import io
    import zipfile

    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return b"".join(zf.read(name) for name in zf.namelist())
    return data


def _leaked(response, secrets: list[str]) -> list[str]:
    body = _content(response)
    text = body.decode("utf-8", errors="ignore")
    return [s for s in secrets if s in text or s.encode("unicode_escape") in body]


def _outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status}!"
    if status in (401, 403, 404):
        return str(status)
    return "ok"


def test_permission_matrix(world):
    values, clients, programme, _reg = world
    mismatches, observed = [], []
    for rule in ROUTES:
        expected = rule.expected()
        row = []
        for col in COLUMNS:
            with transaction.atomic():
                response = _call(clients[col], rule, values, programme)
                transaction.set_rollback(True)
            got = _outcome(response)
            row.append(got)
            if got == "ok" and col in OUTSIDERS:
                leaked = _leaked(response, values["secrets"])
                if leaked:
                    mismatches.append(
                        f"{rule.method} {rule.path} {rule.params or ''} as {col}: shows {leaked}"
                    )
            if got != expected[col]:
                body = (
                    response.content[:200].decode(errors="replace") if not response.streaming else "<stream>"
                )
                mismatches.append(
                    f"{rule.method} {rule.path} {rule.params or ''} as {col}: expected "
                    f"{expected[col]}, got {response.status_code} {body}"
                )
        observed.append(f"{rule.method:6} {rule.path:55} " + " ".join(f"{c:3}" for c in row))
    if os.environ.get("LINGJUN_MATRIX_RECORD"):
        print("\n" + "\n".join(observed))
    assert not mismatches, f"{len(mismatches)} cells differ from the permission table:\n" + "\n".join(
        mismatches
    )
