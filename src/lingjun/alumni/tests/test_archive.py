"""信息档案: who is in it, search, and scoping from the wrong side."""

import pytest

from lingjun.certificates.models import Certificate
from lingjun.reference.models import Qualification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(klass, make_reg):
    zj_done = make_reg("completed", "330000", training_class=klass)
    zj_failed = make_reg("not_completed", "330000", training_class=klass)
    bj_enrolled = make_reg("enrolled", "110000", training_class=klass, manufacturing=False)
    not_trained = [
        make_reg("approved", "330000"),
        make_reg("withdrawn", "330000"),
        make_reg("submitted", "110000"),
    ]
    Certificate.objects.create(
        number="2030-01-001",
        registration=zj_done,
        training_class=klass,
        sequence=1,
        data={},
        pdf=b"",
        pdf_sha256="x",
        signature="s",
        template_version="1",
        issued_on=klass.end_date,
        issued_at=zj_done.created_at,
    )
    return {"zj_done": zj_done, "zj_failed": zj_failed, "bj": bj_enrolled, "not_trained": not_trained}


def ids(body):
    return {item["registration"] for item in body["items"]}


def test_archive_holds_those_who_took_part_with_masked_ids_and_certificate(api_as, people):
    body = api_as("centre").get("alumni").json()
    assert body["count"] == 3
    assert ids(body) == {people["zj_done"].pk, people["zj_failed"].pk, people["bj"].pk}
    done = next(i for i in body["items"] if i["registration"] == people["zj_done"].pk)
    assert done["certificate_number"] == "2030-01-001" and done["outcome_label"] == "已结业"
    assert "*" in done["person"]["id_number"] and done["classes"][0]["number"] == 1
    assert done["enterprise"]["credit_code"] == people["zj_done"].enterprise.credit_code
    failed = next(i for i in body["items"] if i["registration"] == people["zj_failed"].pk)
    assert failed["certificate_number"] is None and failed["outcome"] == "not_completed"


def test_revoked_certificate_is_not_shown(api_as, people):
    Certificate.objects.filter(number="2030-01-001").update(
        revoked_at=people["zj_done"].created_at, revoke_reason="错"
    )
    body = api_as("centre").get("alumni").json()
    assert all(i["certificate_number"] is None for i in body["items"])


def test_search_by_name_enterprise_credit_code_year_industry_qualification(api_as, people):
    client = api_as("bureau")
    reg = people["zj_done"]
    assert ids(client.get("alumni", {"q": reg.trainee.name}).json()) >= {reg.pk}
    assert ids(client.get("alumni", {"q": reg.enterprise.name[:6]}).json()) >= {reg.pk}
    assert ids(client.get("alumni", {"q": reg.enterprise.credit_code.lower()}).json()) == {reg.pk}
    assert client.get("alumni", {"year": 2030}).json()["count"] == 3
    assert client.get("alumni", {"year": 2029}).json()["count"] == 0
    assert people["bj"].pk not in ids(client.get("alumni", {"industry": "C"}).json())
    division = people["bj"].enterprise.industry_division
    assert people["bj"].pk in ids(client.get("alumni", {"industry": division}).json())
    reg.enterprise.qualifications.set([Qualification.objects.get(code="single_champion")])
    assert ids(client.get("alumni", {"qualification": "single_champion"}).json()) == {reg.pk}


def test_paging(api_as, people):
    body = api_as("centre").get("alumni", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 1


def test_region_officer_sees_only_its_own_region(api_as, people):
    zj = api_as("region", region="330000")
    assert ids(zj.get("alumni").json()) == {people["zj_done"].pk, people["zj_failed"].pk}
    # Asking for another region finds nothing rather than leaking it.
    assert zj.get("alumni", {"region": "110000"}).json()["count"] == 0
    assert zj.get("alumni", {"q": people["bj"].enterprise.credit_code}).json()["count"] == 0
    bj = api_as("region", region="110000")
    assert ids(bj.get("alumni").json()) == {people["bj"].pk}


def test_bureau_filters_by_region(api_as, people):
    assert ids(api_as("bureau").get("alumni", {"region": "110000"}).json()) == {people["bj"].pk}


@pytest.mark.parametrize("role", ["trainee", "institution", "assessor"])
def test_other_roles_are_refused(api_as, role):
    assert api_as(role).get("alumni").status_code == 403


def test_archive_page_with_filters_and_scoping(page_client, people):
    html = page_client("region", region="330000").get("/alumni/").content.decode()
    assert people["zj_done"].trainee.name in html and people["bj"].enterprise.name not in html
    assert "2030-01-001" in html and "邀请复训" not in html
    centre = (
        page_client("centre").get("/alumni/", {"q": people["bj"].enterprise.credit_code}).content.decode()
    )
    assert people["bj"].enterprise.name in centre and people["zj_done"].enterprise.name not in centre
    assert page_client("institution").get("/alumni/").status_code == 403


def test_common_search_terms_give_the_same_rows(api_as, people, monkeypatch):
    """Beyond SEARCH_ID_LIMIT matching people the search scans registrations instead: same answer."""
    from lingjun.alumni import archive

    client = api_as("centre")
    term = people["zj_done"].enterprise.name[:3]
    by_id = ids(client.get("alumni", {"q": term}).json())
    monkeypatch.setattr(archive, "SEARCH_ID_LIMIT", 0)
    assert ids(client.get("alumni", {"q": term}).json()) == by_id and people["zj_done"].pk in by_id
    zj = api_as("region", region="330000")
    assert people["bj"].pk not in ids(zj.get("alumni", {"q": people["bj"].trainee.name}).json())
