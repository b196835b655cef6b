"""GET /api/v1/audit and the audit trail left by the foundation's state changes (SPEC §5 Audit)."""

import pytest

from lingjun.conftest import PASSWORD, ApiClient
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error

PROGRAMME = {
    "year": 2033,
    "title": "2033年领军人才培训",
    "target_trainees": 100,
    "registration_deadline": "2033-08-31",
    "planned_classes": 2,
}


def test_a_programme_history_reads_who_did_what_from_and_to(api_as):
    bureau = api_as("bureau")
    pid = bureau.post("programmes", PROGRAMME).json()["id"]
    bureau.patch(f"programmes/{pid}", {"status": "open", "reason": "通知已印发"})
    bureau.put(f"programmes/{pid}/quotas", {"quotas": {"110000": 60, "310000": 40}})
    bureau.get(f"programmes/{pid}/work-info.xlsx")

    for role in ("bureau", "centre"):
        r = api_as(role).get("audit", {"object": f"programme:{pid}"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["count"] == 4
        actions = [e["action"] for e in body["items"]]
        assert actions == [
            "workinfo.export",
            "quota.update",
            "programme.update",
            "programme.create",
        ]  # newest first
        assert all(e["actor"] == bureau.user.username and e["actor_role"] == "bureau" for e in body["items"])
        assert all(e["object"] == f"programme:{pid}" and e["at"] for e in body["items"])
        update = body["items"][2]
        assert (
            update["from_state"] == "draft"
            and update["to_state"] == "open"
            and update["reason"] == "通知已印发"
        )
        assert update["before"] == {"status": "draft"} and update["after"] == {"status": "open"}
        quota = body["items"][1]
        assert quota["before"] == {"110000": 0, "310000": 0} and quota["after"] == {
            "110000": 60,
            "310000": 40,
        }
        assert body["items"][3]["after"]["year"] == 2033 and body["items"][3]["before"] is None


def test_audit_filters_by_action_and_pages(api_as):
    bureau = api_as("bureau")
    pid = bureau.post("programmes", PROGRAMME).json()["id"]
    for n in (1, 2, 3):
        bureau.put(f"programmes/{pid}/quotas", {"quotas": {"110000": n}})
    body = bureau.get("audit", {"action": "quota.update"}).json()
    assert body["count"] == 3 and {e["action"] for e in body["items"]} == {"quota.update"}
    body = bureau.get("audit", {"action": "quota.update", "limit": 1, "offset": 1}).json()
    assert body["count"] == 3 and len(body["items"]) == 1 and body["items"][0]["after"] == {"110000": 2}


def test_audit_records_the_client_address(api_as):
    bureau = api_as("bureau")
    bureau.post("institutions", {"name": "审计大学", "kind": "university"}, REMOTE_ADDR="10.20.30.40")
    assert AuditEntry.objects.get(action="institution.create").client_ip == "10.20.30.40"


def test_every_foundation_change_is_audited(api_as, programme, make_user):
    bureau = api_as("bureau")
    centre = api_as("centre")
    region = api_as("region", region="110000")
    centre.post("users", {"username": "audited", "password": "Audit-pass-2033", "role": "trainee"})
    login = (
        ApiClient().post("auth/token", {"username": "audited", "password": "Audit-pass-2033"}).json()["token"]
    )
    ApiClient(login).delete("auth/token")
    bureau.post("institutions", {"name": "审计学院", "kind": "university"})
    bureau.patch(f"programmes/{programme.pk}", {"title": "改名"})
    bureau.put(f"programmes/{programme.pk}/quotas", {"quotas": {"110000": 3}})
    region.put(
        f"programmes/{programme.pk}/work-info/110000",
        {
            "department": "北京市经信局",
            "leader_name": "王伟",
            "leader_position": "副局长",
            "leader_phone": "010-55579001",
            "liaison_name": "李娜",
            "liaison_position": "科员",
            "liaison_phone": "010-55579012",
            "liaison_mobile": "13800138000",
            "liaison_email": "lina@example.cn",
        },
    )
    centre.get(f"programmes/{programme.pk}/work-info.xlsx")
    expected = {
        "user.create": centre.user,
        "token.issue": None,
        "token.revoke": None,
        "institution.create": bureau.user,
        "programme.update": bureau.user,
        "quota.update": bureau.user,
        "workinfo.save": region.user,
        "workinfo.export": centre.user,
    }
    for action, actor in expected.items():
        entries = AuditEntry.objects.filter(action=action)
        assert entries.exists(), action
        if actor is not None:
            assert entries.filter(actor=actor, actor_role=actor.role).exists(), action


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_only_bureau_and_centre_read_the_audit(api_as, programme, role):
    assert_error(api_as(role).get("audit", {"object": f"programme:{programme.pk}"}), 403, "forbidden")


def test_anonymous_cannot_read_the_audit(db, anon):
    assert_error(anon.get("audit"), 401, "not_authenticated")


@pytest.mark.parametrize("ref", ["programme", ":12", "programme12"])
def test_bad_object_reference_is_422(api_as, ref):
    assert_error(
        api_as("centre").get("audit", {"object": ref}),
        422,
        "invalid_object_ref",
        {"object": "invalid_object_ref"},
    )


def test_tokens_issued_by_sign_in_are_audited_against_the_user(make_user):
    user = make_user("assessor")
    ApiClient().post("auth/token", {"username": user.username, "password": PASSWORD})
    entry = AuditEntry.objects.get(action="token.issue", actor=user)
    assert entry.object_type == "user" and entry.object_id == str(user.pk)
