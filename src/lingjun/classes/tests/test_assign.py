"""POST /registrations/{id}/assign and POST /programmes/{id}/assignment (API.md; SPEC §3.3: capacity is hard,
placement by the optimiser, editable by hand afterwards)."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection

from lingjun.conftest import ApiClient, token_for
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error
from lingjun.registrations.models import Registration

pytestmark = pytest.mark.django_db


def enrolled_in(tc) -> int:
    tc.refresh_from_db()
    return tc.enrolled


# --- manual assignment -------------------------------------------------------------------------------------


def test_approved_registration_is_enrolled(api_as, klass, make_registration):
    reg = make_registration()
    r = api_as("centre").post(f"registrations/{reg.pk}/assign", {"class": klass.pk})
    assert r.status_code == 200, r.content
    assert r.json() == {"id": reg.pk, "status": "enrolled", "class": klass.pk, "note": "人工编班"}
    reg.refresh_from_db()
    assert reg.status == "enrolled" and reg.training_class_id == klass.pk
    assert enrolled_in(klass) == 1
    entry = AuditEntry.objects.get(action="registration.assign", object_id=str(reg.pk))
    assert (entry.from_state, entry.to_state) == ("approved", "enrolled")
    assert entry.after == {"class": klass.pk}


def test_assigning_twice_to_the_same_class_counts_once(api_as, klass, make_registration):
    reg = make_registration()
    centre = api_as("centre")
    assert centre.post(f"registrations/{reg.pk}/assign", {"class": klass.pk}).status_code == 200
    assert centre.post(f"registrations/{reg.pk}/assign", {"class": klass.pk}).status_code == 200
    assert enrolled_in(klass) == 1


def test_full_class_is_409_and_capacity_is_never_exceeded(api_as, make_class, make_registration):
    tc = make_class(1, capacity=2)
    regs = [make_registration() for _ in range(3)]
    centre = api_as("centre")
    for reg in regs[:2]:
        assert centre.post(f"registrations/{reg.pk}/assign", {"class": tc.pk}).status_code == 200
    r = centre.post(f"registrations/{regs[2].pk}/assign", {"class": tc.pk})
    assert_error(r, 409, "class_full", {"class": "class_full"})
    assert enrolled_in(tc) == 2 == tc.capacity
    regs[2].refresh_from_db()
    assert regs[2].status == "approved" and regs[2].training_class_id is None


def test_moving_between_classes_updates_both_counts(api_as, make_class, make_registration):
    first, second = make_class(1, capacity=2), make_class(2, capacity=2)
    reg = make_registration()
    centre = api_as("centre")
    assert centre.post(f"registrations/{reg.pk}/assign", {"class": first.pk}).status_code == 200
    assert (enrolled_in(first), enrolled_in(second)) == (1, 0)
    r = centre.post(f"registrations/{reg.pk}/assign", {"class": second.pk})
    assert r.status_code == 200 and r.json()["class"] == second.pk
    assert (enrolled_in(first), enrolled_in(second)) == (0, 1)
    entry = AuditEntry.objects.filter(action="registration.assign", object_id=str(reg.pk)).latest("id")
    assert (entry.before, entry.after) == ({"class": first.pk}, {"class": second.pk})


def test_moving_into_a_full_class_leaves_everything_as_it_was(api_as, make_class, make_registration):
    first, full = make_class(1, capacity=2), make_class(2, capacity=1)
    reg, other = make_registration(), make_registration()
    centre = api_as("centre")
    centre.post(f"registrations/{reg.pk}/assign", {"class": first.pk})
    centre.post(f"registrations/{other.pk}/assign", {"class": full.pk})
    assert_error(centre.post(f"registrations/{reg.pk}/assign", {"class": full.pk}), 409, "class_full")
    assert (enrolled_in(first), enrolled_in(full)) == (1, 1)
    reg.refresh_from_db()
    assert reg.training_class_id == first.pk


def test_unassign_gives_the_seat_back(api_as, klass, make_registration):
    reg = make_registration()
    centre = api_as("centre")
    centre.post(f"registrations/{reg.pk}/assign", {"class": klass.pk})
    r = centre.post(f"registrations/{reg.pk}/unassign")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert enrolled_in(klass) == 0


def test_withdrawing_an_enrolled_trainee_frees_the_seat(api_as, make_class, make_registration):
    tc = make_class(1, capacity=1)
    reg, next_one = make_registration(), make_registration()
    centre = api_as("centre")
    assert centre.post(f"registrations/{reg.pk}/assign", {"class": tc.pk}).status_code == 200
    r = centre.post(f"registrations/{reg.pk}/withdraw", {"reason": "企业经营变动，本人无法参训"})
    assert r.status_code == 200, r.content
    assert enrolled_in(tc) == 0
    assert centre.post(f"registrations/{next_one.pk}/assign", {"class": tc.pk}).status_code == 200
    assert enrolled_in(tc) == 1


@pytest.mark.parametrize("status", ["submitted", "draft", "rejected", "withdrawn", "returned"])
def test_only_approved_registrations_are_assigned(api_as, klass, make_registration, status):
    reg = make_registration(status=status)
    r = api_as("centre").post(f"registrations/{reg.pk}/assign", {"class": klass.pk})
    assert_error(r, 409, "invalid_transition")
    assert enrolled_in(klass) == 0
    reg.refresh_from_db()
    assert reg.status == status and reg.training_class_id is None


@pytest.mark.parametrize("role", ["region", "bureau", "institution", "trainee", "assessor"])
def test_only_the_centre_assigns(api_as, klass, make_registration, role):
    reg = make_registration(region="110000")
    kwargs = {"region": "110000"} if role == "region" else {}
    r = api_as(role, **kwargs).post(f"registrations/{reg.pk}/assign", {"class": klass.pk})
    assert_error(r, 403, "forbidden")
    assert enrolled_in(klass) == 0


def test_class_of_another_programme_is_refused(api_as, make_class, other_programme, make_registration):
    import datetime

    foreign = make_class(1, prog=other_programme, start=datetime.date(2031, 10, 12))
    reg = make_registration()
    assert_error(
        api_as("centre").post(f"registrations/{reg.pk}/assign", {"class": foreign.pk}), 409, "wrong_programme"
    )
    assert enrolled_in(foreign) == 0


def test_unknown_class_or_registration_is_404_and_missing_class_is_422(api_as, klass, make_registration):
    centre = api_as("centre")
    reg = make_registration()
    assert_error(centre.post(f"registrations/{reg.pk}/assign", {"class": 999_999}), 404, "not_found")
    assert_error(centre.post("registrations/999999/assign", {"class": klass.pk}), 404, "not_found")
    assert_error(centre.post(f"registrations/{reg.pk}/assign", {}), 422, "required", {"class": "required"})
    assert_error(
        centre.post(f"registrations/{reg.pk}/assign", {"class": "one"}),
        422,
        "invalid_integer",
        {"class": "invalid_integer"},
    )


# --- the optimiser over the whole programme -----------------------------------------------------------------


def test_assignment_places_every_approved_trainee_within_capacity(
    api_as, programme, make_class, make_registration
):
    a, b = make_class(1, capacity=3), make_class(2, capacity=3)
    approved = [make_registration(preferred=[1]) for _ in range(3)] + [
        make_registration(preferred=[2, 1]) for _ in range(2)
    ]
    submitted = make_registration(status="submitted")
    r = api_as("centre").post(f"programmes/{programme.pk}/assignment")
    assert r.status_code == 200, r.content
    assert r.json() == {"assigned": 5, "unassigned": []}
    assert (enrolled_in(a), enrolled_in(b)) == (3, 2)
    for reg in approved:
        reg.refresh_from_db()
        assert reg.status == "enrolled"
        assert reg.training_class.number == reg.preferred_classes[0]  # everyone's first choice fits
        assert reg.placement_note.startswith("第1志愿")
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.training_class_id is None
    assert AuditEntry.objects.filter(action="registration.assign").count() == 5
    assert AuditEntry.objects.filter(action="placement.apply", object_id=str(programme.pk)).exists()


def test_assignment_reports_the_unassigned_when_seats_run_out(
    api_as, programme, make_class, make_registration
):
    a, b = make_class(1, capacity=2), make_class(2, capacity=1)
    regs = [make_registration(preferred=[1]) for _ in range(5)]
    r = api_as("centre").post(f"programmes/{programme.pk}/assignment")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["assigned"] == 3
    assert len(out["unassigned"]) == 2
    assert set(out["unassigned"]) <= {reg.pk for reg in regs}
    assert (enrolled_in(a), enrolled_in(b)) == (2, 1)
    still = Registration.objects.filter(pk__in=out["unassigned"])
    assert all(reg.status == "approved" and reg.training_class_id is None for reg in still)


def test_assignment_counts_seats_already_taken(api_as, programme, make_class, make_registration):
    tc = make_class(1, capacity=2)
    earlier = make_registration()
    centre = api_as("centre")
    centre.post(f"registrations/{earlier.pk}/assign", {"class": tc.pk})
    later = [make_registration() for _ in range(2)]
    out = centre.post(f"programmes/{programme.pk}/assignment").json()
    assert out["assigned"] == 1 and len(out["unassigned"]) == 1
    assert set(out["unassigned"]) < {r.pk for r in later}
    assert enrolled_in(tc) == 2
    earlier.refresh_from_db()
    assert earlier.training_class_id == tc.pk  # hand placement is kept


def test_assignment_skips_cancelled_classes(api_as, programme, make_class, make_registration):
    make_class(1, capacity=5, status="cancelled")
    live = make_class(2, capacity=5)
    make_registration(preferred=[1])
    out = api_as("centre").post(f"programmes/{programme.pk}/assignment").json()
    assert out == {"assigned": 1, "unassigned": []}
    assert enrolled_in(live) == 1


@pytest.mark.parametrize("role", ["region", "bureau", "institution"])
def test_only_the_centre_runs_the_assignment(api_as, programme, klass, make_registration, role):
    make_registration()
    assert_error(api_as(role).post(f"programmes/{programme.pk}/assignment"), 403, "forbidden")
    assert enrolled_in(klass) == 0


def test_proposal_explains_and_saves_nothing(api_as, programme, make_class, make_registration):
    make_class(1, capacity=1)
    make_class(2, capacity=1)
    a, b = make_registration(preferred=[1, 2]), make_registration(preferred=[1])
    r = api_as("centre").post(f"programmes/{programme.pk}/assignment/proposal")
    assert r.status_code == 200, r.content
    rows = {row["registration"]: row for row in r.json()["rows"]}
    assert rows[b.pk]["class_number"] == 1 and rows[b.pk]["reason"] == "第1志愿"
    assert rows[a.pk]["class_number"] == 2 and rows[a.pk]["reason"] == "第2志愿"
    assert not Registration.objects.filter(status="enrolled").exists()


# --- the race: decided by the database --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_assignments_never_exceed_capacity(make_user, make_class, make_registration, caplog):
    """20 centre requests at once, 20 different approved trainees, 5 seats: exactly 5 are enrolled.

    The test database on SQLite is in memory with a shared cache, where a second writer is refused at once
    (“database table is locked”, a 500) instead of waiting as on the file database with its busy timeout; a
    refused request is sent again, as a user would. On PostgreSQL nothing is refused: every request waits
    for the row lock and the conditional UPDATE decides."""
    tc = make_class(1, capacity=5)
    regs = [make_registration() for _ in range(20)]
    token = token_for(make_user("centre"))
    sqlite = connection.vendor == "sqlite"
    barrier = threading.Barrier(len(regs))
    results: dict[int, tuple[int, str]] = {}
    failures: list[BaseException] = []
    resent = []

    def worker(reg_id):
        rng = random.Random(reg_id)
        try:
            client = ApiClient(token)
            barrier.wait(timeout=30)
            for _ in range(500):
                r = client.post(f"registrations/{reg_id}/assign", {"class": tc.pk})
                if r.status_code == 500 and sqlite:
                    resent.append(reg_id)
                    time.sleep(rng.uniform(0.002, 0.02))
                    continue
                results[reg_id] = (r.status_code, r.json().get("code", r.json().get("status")))
                return
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(reg.pk,)) for reg in regs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    assert len(results) == 20, results
    outcomes = sorted(results.values())
    assert outcomes.count((200, "enrolled")) == 5, outcomes
    assert outcomes.count((409, "class_full")) == 15, outcomes
    tc.refresh_from_db()
    assert tc.enrolled == 5
    assert Registration.objects.filter(training_class=tc, status="enrolled").count() == 5
    assert Registration.objects.filter(status="approved", training_class=None).count() == 15
    if not sqlite:
        assert resent == []
    server_errors = [rec for rec in caplog.records if rec.name == "lingjun.api" and rec.exc_info]
    assert all("locked" in str(rec.exc_info[1]) for rec in server_errors), server_errors


@pytest.mark.parametrize("status", ["cancelled", "finished"])
def test_nobody_is_assigned_to_a_cancelled_or_finished_class(api_as, make_class, make_registration, status):
    tc = make_class(1)
    type(tc).objects.filter(pk=tc.pk).update(status=status)
    reg = make_registration()
    body = assert_error(
        api_as("centre").post(f"registrations/{reg.pk}/assign", {"class": tc.pk}),
        409,
        "class_closed",
        {"class": "class_closed"},
    )
    assert "第1期" in body["detail"]
    reg.refresh_from_db()
    assert reg.status == "approved" and enrolled_in(tc) == 0
