"""Issuing, numbering, revocation, re-issue and freezing (SPEC §3.5; API.md certificate rows)."""

import hashlib
import io
import re
import zipfile

import pytest
from django.db import IntegrityError, transaction

from lingjun.certificates import services
from lingjun.certificates.models import Certificate
from lingjun.classes.models import TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.registrations.models import Registration, Trainee


def test_numbers_carry_year_class_and_sequence_and_issuing_is_idempotent(centre, klass, trainee_in):
    regs = [trainee_in()[0] for _ in range(3)]
    trainee_in(status="not_completed")
    trainee_in(status="enrolled")
    r = centre.post(f"classes/{klass.pk}/certificates")
    assert r.status_code == 201, r.content
    issued = r.json()["issued"]
    assert [i["number"] for i in issued] == ["LJ2030-01-001", "LJ2030-01-002", "LJ2030-01-003"]
    assert sorted(i["registration"] for i in issued) == sorted(reg.pk for reg in regs)
    assert all(re.fullmatch(r"LJ\d{4}-\d{2}-\d{3}", i["number"]) for i in issued)

    again = centre.post(f"classes/{klass.pk}/certificates")
    assert again.status_code == 200 and again.json()["issued"] == []
    assert len(again.json()["existing"]) == 3
    assert Certificate.objects.count() == 3

    late, _, _ = trainee_in()  # completed later (e.g. after a corrected attendance record)
    third = centre.post(f"classes/{klass.pk}/certificates").json()
    assert third["issued"] == [{"number": "LJ2030-01-004", "registration": late.pk}]
    assert Certificate.objects.filter(registration=late).count() == 1


def test_sequences_are_per_class(centre, klass, trainee_in, institution):
    other = TrainingClass.objects.create(
        programme=klass.programme,
        number=12,
        track="regional",
        institution=institution,
        city="成都",
        start_date=klass.start_date,
        end_date=klass.end_date,
        capacity=30,
    )
    trainee_in()
    trainee_in(training_class=other)
    assert centre.post(f"classes/{klass.pk}/certificates").json()["issued"][0]["number"] == "LJ2030-01-001"
    assert centre.post(f"classes/{other.pk}/certificates").json()["issued"][0]["number"] == "LJ2030-12-001"


def test_only_completed_trainees_get_a_certificate(centre, klass, trainee_in):
    enrolled, _, _ = trainee_in(status="enrolled")
    failed, _, _ = trainee_in(status="not_completed")
    for reg in (enrolled, failed):
        r = centre.post(f"registrations/{reg.pk}/certificate")
        assert r.status_code == 409 and r.json()["code"] == "not_completed", r.content
        r = centre.post(f"classes/{klass.pk}/certificates", {"registrations": [reg.pk]})
        assert r.status_code == 409 and r.json()["code"] == "not_completed"
    r = centre.post(f"classes/{klass.pk}/certificates")  # nobody completed yet
    assert r.status_code == 409 and r.json()["code"] == "not_completed"
    assert Certificate.objects.count() == 0

    done, _, _ = trainee_in()
    first = centre.post(f"registrations/{done.pk}/certificate")
    assert first.status_code == 201 and first.json()["status"] == "valid"
    second = centre.post(f"registrations/{done.pk}/certificate")
    assert second.status_code == 200 and second.json()["number"] == first.json()["number"]


def test_the_database_allows_one_live_certificate_per_registration(centre, klass, trainee_in):
    reg, _, _ = trainee_in()
    cert, _ = services.issue_for_registration(centre.user, reg.pk)
    fields = {
        f.name: getattr(cert, f.name) for f in Certificate._meta.concrete_fields if f.name not in ("id",)
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(**(fields | {"number": "LJ2030-01-999", "sequence": 999}))
    with pytest.raises(IntegrityError), transaction.atomic():  # same sequence in the same class
        Certificate.objects.create(
            **(fields | {"number": "LJ2030-01-998", "revoked_at": cert.issued_at, "revoke_reason": "测试"})
        )


def test_revocation_needs_a_reason_and_verification_then_says_revoked(centre, anon, klass, trainee_in):
    reg, _, _ = trainee_in(name="王小明")
    number = centre.post(f"registrations/{reg.pk}/certificate").json()["number"]
    r = centre.post(f"certificates/{number}/revoke", {"reason": " "})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = centre.post(f"certificates/{number}/revoke", {"reason": "学员提供材料不实"})
    assert (
        r.status_code == 200
        and r.json()["status"] == "revoked"
        and r.json()["revoke_reason"] == "学员提供材料不实"
    )
    again = centre.post(f"certificates/{number}/revoke", {"reason": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"

    v = anon.get(f"verify/{number}", {"name": "王小明"})
    assert v.status_code == 200
    body = v.json()
    assert body["status"] == "revoked" and body["revoked_on"] and body["name"] == "王**"
    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert (entry.from_state, entry.to_state, entry.reason) == ("valid", "revoked", "学员提供材料不实")
    # Issuing for the class again never undoes a revocation...
    again = centre.post(f"classes/{klass.pk}/certificates")
    assert again.status_code == 200 and again.json()["issued"] == []
    assert again.json()["skipped"] == [
        {
            "registration": reg.pk,
            "code": "certificate_revoked",
            "message": "王小明的证书已撤销，不随批量颁发重新颁发。",
        }
    ]
    r = centre.post(f"registrations/{reg.pk}/certificate")
    assert r.status_code == 409 and r.json()["code"] == "certificate_revoked"
    # ...granting again is explicit, with a reason, and takes a new number.
    fresh = centre.post(f"registrations/{reg.pk}/certificate", {"reason": "撤销有误，经复核恢复"})
    assert fresh.status_code == 201 and fresh.json()["number"] == "LJ2030-01-002"
    assert AuditEntry.objects.filter(action="certificate.issue", reason__contains="撤销有误").count() == 1
    assert anon.get(f"verify/{number}", {"name": "王小明"}).json()["status"] == "revoked"


def test_reissue_revokes_the_old_one_and_issues_a_new_number_from_current_data(
    centre, anon, klass, trainee_in
):
    reg, _, _ = trainee_in(name="李建国")
    old = centre.post(f"registrations/{reg.pk}/certificate").json()
    Trainee.objects.filter(pk=reg.trainee_id).update(name="李建华")  # the name was misspelt at registration
    r = centre.post(f"certificates/{old['number']}/reissue", {"reason": ""})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = centre.post(f"certificates/{old['number']}/reissue", {"reason": "姓名更正"})
    assert r.status_code == 201, r.content
    new = r.json()
    assert new["number"] == "LJ2030-01-002" and new["name"] == "李建华" and new["status"] == "valid"
    assert new["supersedes"] == old["number"]

    old_now = centre.get(f"certificates/{old['number']}").json()
    assert old_now["status"] == "revoked" and old_now["superseded_by"] == new["number"]
    assert "姓名更正" in old_now["revoke_reason"]
    assert anon.get(f"verify/{old['number']}", {"name": "李建国"}).json()["status"] == "revoked"
    assert anon.get(f"verify/{new['number']}", {"name": "李建华"}).json()["status"] == "valid"

    actions = list(
        AuditEntry.objects.filter(object_type="certificate").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["certificate.issue", "certificate.issue", "certificate.reissue"]
    reissue = AuditEntry.objects.get(action="certificate.reissue")
    assert reissue.reason == "姓名更正" and reissue.after["number"] == new["number"]
    assert reissue.before["name"] == "李建国" and reissue.after["name"] == "李建华"
    r = centre.post(f"certificates/{old['number']}/reissue", {"reason": "再次换发"})
    assert r.status_code == 409 and r.json()["code"] == "already_revoked"


def test_an_issued_certificate_is_frozen(centre, anon, klass, trainee_in):
    reg, trainee, _ = trainee_in(name="陈静")
    number = centre.post(f"registrations/{reg.pk}/certificate").json()["number"]
    cert = Certificate.objects.get(number=number)
    original = bytes(cert.pdf)
    assert hashlib.sha256(original).hexdigest() == cert.pdf_sha256

    Trainee.objects.filter(pk=reg.trainee_id).update(name="陈晶")
    reg.enterprise.name = "改名后的有限公司"
    reg.enterprise.save()
    TrainingClass.objects.filter(pk=klass.pk).update(city="宁波")
    centre.post(f"classes/{klass.pk}/certificates")  # issuing again changes nothing already issued

    cert.refresh_from_db()
    assert bytes(cert.pdf) == original and cert.data["name"] == "陈静" and cert.data["city"] == "杭州"
    download = centre.get(f"certificates/{number}.pdf")
    assert download.status_code == 200 and download.content == original
    assert download["Content-Type"] == "application/pdf"
    assert anon.get(f"verify/{number}", {"name": "陈静"}).json()["status"] == "valid"
    assert anon.get(f"verify/{number}", {"name": "陈晶"}).status_code == 404


def test_class_zip_holds_the_stored_pdfs_of_live_certificates(centre, klass, trainee_in):
    a, _, _ = trainee_in(name="赵一")
    b, _, _ = trainee_in(name="钱二")
    centre.post(f"classes/{klass.pk}/certificates")
    revoked = Certificate.objects.get(registration=b)
    centre.post(f"certificates/{revoked.number}/revoke", {"reason": "测试撤销"})
    r = centre.get(f"classes/{klass.pk}/certificates.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        live = Certificate.objects.get(registration=a)
        assert names == [f"{live.number}_赵一.pdf"]
        assert zf.read(names[0]) == bytes(live.pdf)
    assert AuditEntry.objects.filter(action="certificate.export_zip").count() == 1
    listing = centre.get(f"classes/{klass.pk}/certificates").json()
    assert listing["count"] == 2 and {i["status"] for i in listing["items"]} == {"valid", "revoked"}
    assert listing["items"][0]["class"] == klass.pk


def test_a_name_the_font_cannot_print_is_refused_and_the_rest_are_issued(centre, klass, trainee_in):
    ok, _, _ = trainee_in(name="周明")
    odd, _, _ = trainee_in(name="周\U00030001")  # CJK Extension G: not in Noto Sans CJK
    r = centre.post(f"classes/{klass.pk}/certificates")
    assert r.status_code == 201
    body = r.json()
    assert [i["registration"] for i in body["issued"]] == [ok.pk]
    assert (
        body["skipped"][0]["registration"] == odd.pk and body["skipped"][0]["code"] == "unsupported_character"
    )
    assert "U+30001" in body["skipped"][0]["message"]
    r = centre.post(f"registrations/{odd.pk}/certificate")
    assert r.status_code == 409 and r.json()["code"] == "unsupported_character"
    assert not Certificate.objects.filter(registration=odd).exists()
    assert Registration.objects.get(pk=odd.pk).status == "completed"
