"""Who sees and does what with registrations (SPEC §5 Confidentiality; API.md conventions: out of scope → 404,
a role that may never act → 403)."""

from __future__ import annotations

import pytest

from lingjun.registrations.models import ImportBatch, Registration, Trainee

from .conftest import assert_error, confirm, created, payload, registrations_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seats_match_quota")]


@pytest.fixture
def two_regions(api_as, quota10):
    beijing = api_as("region", region="110000")
    zhejiang = api_as("region", region="330000")
    bj = [created(beijing, quota10)["id"] for _ in range(2)]
    zj = created(zhejiang, quota10, payload("330000"))["id"]
    return beijing, zhejiang, bj, zj


def test_region_lists_only_its_own_region(two_regions, quota10):
    beijing, zhejiang, bj, zj = two_regions
    body = beijing.get(registrations_url(quota10)).json()
    assert sorted(i["id"] for i in body["items"]) == sorted(bj) and body["count"] == 2
    assert {i["region"] for i in body["items"]} == {"110000"}
    sneaky = beijing.get(registrations_url(quota10), {"region": "330000"}).json()
    assert sneaky == {"items": [], "count": 0}
    assert [i["id"] for i in zhejiang.get(registrations_url(quota10)).json()["items"]] == [zj]


def test_region_cannot_see_another_regions_registration(two_regions):
    beijing, _, _, zj = two_regions
    body = assert_error(beijing.get(f"registrations/{zj}"), 404, "not_found")
    assert "330000" not in str(body)


@pytest.mark.parametrize("action,data", [("submit", {}), ("withdraw", {"reason": "x"}), ("invite", None)])
def test_region_cannot_act_on_another_regions_registration(two_regions, action, data):
    beijing, _, _, zj = two_regions
    assert_error(beijing.post(f"registrations/{zj}/{action}", data), 404, "not_found")
    assert Registration.objects.get(pk=zj).status == "submitted"


def test_region_cannot_edit_another_regions_registration(two_regions, api_as):
    beijing, _, _, zj = two_regions
    api_as("centre").post(f"registrations/{zj}/return", {"comment": "请更正"})
    assert_error(beijing.put(f"registrations/{zj}", payload("330000")), 404, "not_found")
    assert Registration.objects.get(pk=zj).status == "returned"


def test_region_cannot_register_for_another_region(region_api, quota10):
    r = region_api.post(registrations_url(quota10), payload("330000", region="330000"))
    assert_error(r, 404, "not_found")
    assert Registration.objects.count() == 0


def test_region_export_contains_only_its_region(two_regions, quota10):
    from lingjun.core.tests.api_helpers import open_xlsx, sheet_rows

    beijing, *_ = two_regions
    rows = sheet_rows(open_xlsx(beijing.get(f"programmes/{quota10.pk}/registrations.xlsx")).active)
    regions = [r[24] for r in rows if isinstance(r[0], int | float)]
    assert regions == ["北京市", "北京市"]


def test_region_cannot_read_another_regions_import_errors(two_regions, quota10):
    beijing, *_ = two_regions
    batch = ImportBatch.objects.create(
        programme=quota10, region_id="330000", file_name="a.xlsx", file_sha256="0" * 64, mode="partial"
    )
    assert_error(beijing.get(f"imports/{batch.pk}/errors.xlsx"), 404, "not_found")


@pytest.mark.parametrize("role", ["institution", "assessor"])
def test_institution_and_assessor_may_not_list_or_read(api_as, two_regions, quota10, role):
    client = api_as(role)
    _, _, bj, _ = two_regions
    assert_error(client.get(registrations_url(quota10)), 403, "forbidden")
    assert_error(client.get(f"registrations/{bj[0]}"), 403, "forbidden")
    assert_error(client.get(f"programmes/{quota10.pk}/registrations.xlsx"), 403, "forbidden")
    assert_error(client.post(registrations_url(quota10), payload()), 403, "forbidden")


def test_trainee_sees_only_their_own(api_as, make_user, two_regions, quota10):
    _, _, bj, zj = two_regions
    user = make_user("trainee")
    Trainee.objects.filter(registrations__pk=bj[0]).update(user=user)
    trainee = api_as(user)
    body = trainee.get(registrations_url(quota10)).json()
    assert [i["id"] for i in body["items"]] == [bj[0]] and body["count"] == 1
    assert trainee.get(f"registrations/{bj[0]}").status_code == 200
    for rid in (bj[1], zj):
        assert_error(trainee.get(f"registrations/{rid}"), 404, "not_found")
    assert_error(trainee.post(registrations_url(quota10), payload()), 403, "forbidden")
    assert_error(trainee.post(f"registrations/{bj[0]}/submit"), 403, "forbidden")
    assert_error(trainee.get(f"programmes/{quota10.pk}/registrations.xlsx"), 403, "forbidden")


def test_bureau_sees_everything_but_does_not_review_or_register(api_as, two_regions, quota10):
    _, _, bj, zj = two_regions
    bureau = api_as("bureau")
    body = bureau.get(registrations_url(quota10)).json()
    assert sorted(i["id"] for i in body["items"]) == sorted(bj + [zj])
    assert bureau.get(f"registrations/{zj}").status_code == 200
    confirm(zj)
    assert_error(bureau.post(f"registrations/{zj}/approve"), 403, "forbidden")
    assert_error(bureau.post(registrations_url(quota10), payload(region="110000")), 403, "forbidden")
    assert_error(bureau.get(f"programmes/{quota10.pk}/registrations-with-ids.xlsx"), 403, "forbidden")
    assert Registration.objects.get(pk=zj).status == "submitted"


def test_region_cannot_approve_even_its_own(two_regions):
    beijing, _, bj, _ = two_regions
    confirm(bj[0])
    assert_error(beijing.post(f"registrations/{bj[0]}/approve"), 403, "forbidden")
    assert Registration.objects.get(pk=bj[0]).status == "submitted"


def test_centre_sees_all_regions(api_as, two_regions, quota10):
    _, _, bj, zj = two_regions
    body = api_as("centre").get(registrations_url(quota10), {"region": "330000"}).json()
    assert [i["id"] for i in body["items"]] == [zj]


def test_anonymous_gets_nothing(anon, two_regions, quota10):
    _, _, bj, _ = two_regions
    for r in (
        anon.get(registrations_url(quota10)),
        anon.get(f"registrations/{bj[0]}"),
        anon.post(registrations_url(quota10), payload()),
    ):
        assert_error(r, 401, "not_authenticated")
