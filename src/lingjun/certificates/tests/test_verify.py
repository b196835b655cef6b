"""Public verification: no data leaks, signatures, rate limit, logging (SPEC §3.5)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from lingjun.certificates import services
from lingjun.certificates.models import Certificate, VerificationLog


@pytest.fixture
def issued(centre, klass, trainee_in):
    reg, user, officer = trainee_in(name="张三丰")
    number = centre.post(f"registrations/{reg.pk}/certificate").json()["number"]
    return Certificate.objects.get(number=number)


def test_verification_shows_a_masked_name_and_nothing_personal(anon, issued):
    r = anon.get(f"verify/{issued.number}", {"name": "张三丰"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"status", "number", "name", "class", "issued_on", "revoked_on"}
    assert body["status"] == "valid" and body["name"] == "张**" and body["revoked_on"] is None
    assert body["class"] == "2030年中小企业经营管理领军人才培训第1期（杭州）"
    assert body["issued_on"] == issued.issued_on.isoformat()
    text = r.content.decode()
    assert "张三丰" not in text and issued.data["enterprise"] not in text
    assert services.mask_name("𠀋𠮷明") == "𠀋**" and services.mask_name("阿卜杜·买买提") == "阿******"


def test_unknown_number_and_wrong_name_are_indistinguishable(anon, issued):
    wrong_name = anon.get(f"verify/{issued.number}", {"name": "张三"})
    unknown = anon.get("verify/LJ2030-01-999", {"name": "张三丰"})
    garbage = anon.get("verify/not-a-number", {"name": "张三丰"})
    no_name = anon.get(f"verify/{issued.number}")
    bad_sig = anon.get(f"verify/{issued.number}", {"name": "张三丰", "s": "AAAAAAAAAAAAAAAA"})
    for r in (wrong_name, unknown, garbage, no_name, bad_sig):
        assert r.status_code == 404
        assert r.content == unknown.content
    assert unknown.json()["code"] == "not_found" and set(unknown.json()) == {"code", "detail", "errors"}
    # Same name written with spaces or a different middle dot still matches.
    assert anon.get(f"verify/{issued.number}", {"name": " 张 三丰 "}).status_code == 200
    assert anon.get(f"verify/{issued.number.lower()}", {"name": "张三丰"}).status_code == 200


def test_every_verification_is_logged_with_its_real_outcome(anon, issued):
    anon.get(f"verify/{issued.number}", {"name": "张三丰"})
    anon.get(f"verify/{issued.number}", {"name": "李四"})
    anon.get("verify/LJ2030-01-777", {"name": "张三丰"})
    Client(REMOTE_ADDR="10.1.2.3").post("/verify/", {"number": issued.number, "name": "张三丰"})
    logs = list(VerificationLog.objects.order_by("id").values_list("number", "result", "ip", "channel"))
    assert logs == [
        (issued.number, "valid", "127.0.0.1", "api"),
        (issued.number, "name_mismatch", "127.0.0.1", "api"),
        ("LJ2030-01-777", "not_found", "127.0.0.1", "api"),
        (issued.number, "valid", "10.1.2.3", "page"),
    ]
    assert not any("张三丰" in str(v) for row in VerificationLog.objects.values() for v in row.values())


def test_verification_is_rate_limited_per_client(settings, issued):
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 3
    a, b = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    path = f"/api/v1/verify/{issued.number}"
    for _ in range(3):
        assert a.get(path, {"name": "张三丰"}).status_code == 200
    r = a.get(path, {"name": "张三丰"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_requests" and r["Retry-After"]
    assert a.get("/verify/").status_code == 200  # the empty form is not a verification
    page = a.post("/verify/", {"number": issued.number, "name": "张三丰"})
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    assert b.get(path, {"name": "张三丰"}).status_code == 200
    assert VerificationLog.objects.filter(ip="10.0.0.1", result="rate_limited").count() == 2


def test_the_qr_link_is_signed_and_an_altered_link_is_detected(issued):
    url = issued.data["verify_url"]
    parts = urlsplit(url)
    assert url.startswith("https://lingjun.example.cn/verify/" + issued.number + "/?")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["name"] == "张三丰" and query["s"] == issued.signature
    client = Client()
    ok = client.get(parts.path, query)
    assert ok.status_code == 200 and "证书有效" in ok.content.decode()
    assert "张**" in ok.content.decode() and "张三丰" not in ok.content.decode()

    forged_sig = client.get(
        parts.path, query | {"s": "A" + query["s"][1:] if query["s"][0] != "A" else "B" + query["s"][1:]}
    )
    assert forged_sig.status_code == 404 and "证书有效" not in forged_sig.content.decode()
    assert "签名不符" in forged_sig.content.decode()
    other_name = client.get(parts.path, query | {"name": "张三"})
    assert other_name.status_code == 404 and "证书有效" not in other_name.content.decode()
    forged_number = client.get(f"/verify/{issued.number[:-1]}9/", query)
    assert forged_number.status_code == 404 and "证书有效" not in forged_number.content.decode()
    no_sig = client.get(parts.path, {"name": "张三丰", "s": ""})
    assert no_sig.status_code == 404

    # A signature is bound to number, name and date: it cannot be made without the server's key.
    assert services.sign(issued.number, "张三丰", issued.issued_on) == issued.signature
    assert services.sign(issued.number, "张三", issued.issued_on) != issued.signature


def test_a_tampered_record_no_longer_verifies(anon, issued):
    data = dict(issued.data, name="李四")
    Certificate.objects.filter(pk=issued.pk).update(data=data)
    assert anon.get(f"verify/{issued.number}", {"name": "李四"}).status_code == 404
    assert VerificationLog.objects.latest("id").result == "bad_signature"


def test_the_verification_page_works_by_hand(issued):
    client = Client()
    form = client.get("/verify/")
    html = form.content.decode()
    assert (
        form.status_code == 200 and "结业证书查询" in html and 'name="number"' in html and "viewport" in html
    )
    valid = client.post("/verify/", {"number": issued.number, "name": "张三丰"})
    assert valid.status_code == 200 and "证书有效" in valid.content.decode()
    wrong = client.post("/verify/", {"number": issued.number, "name": "张三"})
    unknown = client.post("/verify/", {"number": "LJ2030-09-001", "name": "张三丰"})
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda r: r.content.decode().replace(issued.number, "").replace("LJ2030-09-001", "")  # noqa: E731
    assert strip(wrong) == strip(unknown)
    empty = client.post("/verify/", {"number": "", "name": ""})
    assert empty.status_code == 422 and "请填写" in empty.content.decode()


def test_revoked_certificate_page_says_so(centre, issued):
    centre.post(f"certificates/{issued.number}/revoke", {"reason": "违反培训纪律"})
    r = Client().post("/verify/", {"number": issued.number, "name": "张三丰"})
    html = r.content.decode()
    assert r.status_code == 200 and "证书已撤销" in html and "撤销日期" in html and "证书有效" not in html
    assert "违反培训纪律" not in html


def test_rotating_the_secret_key_keeps_printed_certificates_valid_with_the_old_key_as_fallback(
    anon, issued, settings
):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789-abcdefghij"
    settings.SECRET_KEY_FALLBACKS = [old]
    r = anon.get(f"verify/{issued.number}", {"name": "张三丰"})
    assert r.status_code == 200 and r.json()["status"] == "valid"
    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped too early: the printed certificate no longer verifies
    assert anon.get(f"verify/{issued.number}", {"name": "张三丰"}).status_code == 404
