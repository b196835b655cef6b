"""Quotas (附件2): PUT/GET /programmes/{id}/quotas and the quotas.xlsx sheet (SPEC §3.1)."""

import pytest

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import ROLES, assert_error, open_xlsx, sheet_rows
from lingjun.programmes.models import Programme, Quota


def url(programme, suffix="quotas"):
    return f"programmes/{programme.pk}/{suffix}"


def stored(programme):
    return dict(Quota.objects.filter(programme=programme).values_list("region_id", "amount"))


# --- PUT ----------------------------------------------------------------------------------------------


def test_bureau_sets_quotas_and_gets_totals(api_as, programme):
    bureau = api_as("bureau")
    r = bureau.put(
        url(programme), {"quotas": {"110000": 30, "310000": 20, "660000": 5}, "reason": "按通知分配"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert len(body["quotas"]) == 37
    assert body["quotas"]["110000"] == 30 and body["quotas"]["310000"] == 20 and body["quotas"]["440300"] == 0
    assert body["total"] == 55 and body["target"] == 800
    assert bureau.get(url(programme)).json()["quotas"] == body["quotas"]
    entry = AuditEntry.objects.get(
        action="quota.update", object_type="programme", object_id=str(programme.pk)
    )
    assert entry.actor == bureau.user and entry.reason == "按通知分配"
    assert entry.before == {"110000": 0, "310000": 0, "660000": 0}
    assert entry.after == {"110000": 30, "310000": 20, "660000": 5}


def test_put_replaces_the_whole_table(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 30}})
    body = bureau.put(url(programme), {"quotas": {"310000": 5}}).json()
    assert body["quotas"]["110000"] == 0 and body["quotas"]["310000"] == 5 and body["total"] == 5


def test_total_different_from_target_is_accepted_with_a_warning(api_as, programme):
    body = api_as("bureau").put(url(programme), {"quotas": {"110000": 30}}).json()
    codes = [w["code"] for w in body["warnings"]]
    assert codes == ["quota_total_differs_from_target"]
    assert "800" in body["warnings"][0]["message"] and "30" in body["warnings"][0]["message"]
    assert stored(programme)["110000"] == 30


def test_total_equal_to_target_has_no_warning(api_as, programme):
    codes = sorted(stored(programme))
    quotas = {c: 21 for c in codes}  # 37 × 21 = 777
    quotas[codes[0]] += 23
    body = api_as("bureau").put(url(programme), {"quotas": quotas}).json()
    assert body["total"] == 800 and body["warnings"] == []
    assert api_as("centre").get(url(programme)).json()["warnings"] == []


def test_numeric_strings_and_whole_floats_are_read_as_integers(api_as, programme):
    r = api_as("bureau").put(url(programme), {"quotas": {"110000": "12", "120000": 7.0}})
    assert r.status_code == 200
    assert stored(programme)["110000"] == 12 and stored(programme)["120000"] == 7


def test_unknown_region_is_422_naming_the_field_and_nothing_is_stored(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 10}})
    before = bureau.get(url(programme)).json()
    r = bureau.put(url(programme), {"quotas": {"110000": 99, "999999": 3}})
    assert_error(r, 422, "unknown_region", {"quotas.999999": "unknown_region"})
    assert bureau.get(url(programme)).json() == before


@pytest.mark.parametrize("value", [-1, 2.5, True, False, "abc", "", None, [3], {"n": 3}, "1e3"])
def test_bad_quota_values_are_422_invalid_quota_and_nothing_partial_is_stored(api_as, programme, value):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 10, "120000": 10}})
    before = bureau.get(url(programme)).json()
    r = bureau.put(url(programme), {"quotas": {"110000": 50, "120000": value, "130000": 8}})
    assert_error(r, 422, "invalid_quota", {"quotas.120000": "invalid_quota"})
    assert bureau.get(url(programme)).json() == before
    assert AuditEntry.objects.filter(action="quota.update").count() == 1


def test_all_bad_entries_are_reported_at_once(api_as, programme):
    r = api_as("bureau").put(url(programme), {"quotas": {"110000": -3, "999999": 1, "120000": 1.5}})
    body = assert_error(r, 422, "invalid_quota")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("quotas.110000", "invalid_quota"),
        ("quotas.999999", "unknown_region"),
        ("quotas.120000", "invalid_quota"),
    }


def test_quotas_must_be_an_object(api_as, programme):
    r = api_as("bureau").put(url(programme), {"quotas": [30, 20]})
    assert r.status_code == 422
    assert_error(r, 422, r.json()["code"])
    assert sum(stored(programme).values()) == 0


@pytest.mark.parametrize("role", ["centre", "region", "institution", "assessor", "trainee"])
def test_only_the_bureau_sets_quotas(api_as, programme, role):
    before = stored(programme)
    assert_error(api_as(role).put(url(programme), {"quotas": {"110000": 30}}), 403, "forbidden")
    assert stored(programme) == before


def test_quotas_of_an_unknown_programme_are_404(api_as, programme):
    bureau = api_as("bureau")
    assert_error(bureau.put(f"programmes/{programme.pk + 99}/quotas", {"quotas": {}}), 404, "not_found")
    assert_error(bureau.get(f"programmes/{programme.pk + 99}/quotas"), 404, "not_found")


def test_quotas_of_an_archived_programme_are_frozen(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 30}})
    Programme.objects.filter(pk=programme.pk).update(status="archived")
    before = stored(programme)
    assert_error(bureau.put(url(programme), {"quotas": {"110000": 31}}), 409, "programme_archived")
    assert stored(programme) == before


def test_a_quota_cannot_go_below_used(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 10, "310000": 10}})
    Quota.objects.filter(programme=programme, region_id="110000").update(used=6)
    before = bureau.get(url(programme)).json()
    r = bureau.put(url(programme), {"quotas": {"110000": 5, "310000": 40, "440000": 9}})
    body = assert_error(r, 409, "quota_below_used", {"quotas.110000": "quota_below_used"})
    assert len(body["errors"]) == 1 and "6" in body["errors"][0]["message"]
    assert bureau.get(url(programme)).json() == before
    assert Quota.objects.get(programme=programme, region_id="110000").used == 6
    # exactly the used count is fine
    r = bureau.put(url(programme), {"quotas": {"110000": 6, "310000": 40}})
    assert r.status_code == 200 and r.json()["quotas"]["110000"] == 6


def test_leaving_out_a_region_with_registrations_is_refused_too(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(url(programme), {"quotas": {"110000": 10}})
    Quota.objects.filter(programme=programme, region_id="110000").update(used=2)
    assert_error(
        bureau.put(url(programme), {"quotas": {"310000": 10}}),
        409,
        "quota_below_used",
        {"quotas.110000": "quota_below_used"},
    )
    assert stored(programme)["110000"] == 10 and stored(programme)["310000"] == 0


# --- GET ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_any_role_reads_quotas(api_as, programme, role):
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=25)
    r = api_as(role).get(url(programme))
    assert r.status_code == 200
    body = r.json()
    assert body["quotas"]["330000"] == 25 and body["total"] == 25 and body["target"] == 800
    assert len(body["quotas"]) == 37


def test_anonymous_cannot_read_quotas(db, anon, programme):
    assert_error(anon.get(url(programme)), 401, "not_authenticated")


# --- 附件2 sheet ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_quota_sheet_is_the_attachment_2_table(api_as, programme, role):
    api_as("bureau").put(url(programme), {"quotas": {"110000": 30, "440300": 12, "660000": 4}})
    r = api_as(role).get(url(programme, "quotas.xlsx"))
    wb = open_xlsx(r)
    assert "2030" in r["Content-Disposition"]
    rows = sheet_rows(wb.active)
    assert rows[0][0] == "2030年中小企业经营管理领军人才培训名额分配表"
    header_at = next(i for i, row in enumerate(rows) if row[:3] == ["序号", "地区", "名额"])
    data = rows[header_at + 1 : header_at + 38]
    assert len(data) == 37
    assert [row[0] for row in data] == list(range(1, 38))
    by_name = {row[1]: row[2] for row in data}
    assert by_name["北京市"] == 30 and by_name["深圳市"] == 12 and by_name["新疆生产建设兵团"] == 4
    assert sum(row[2] for row in data) == 46
    total_row = rows[header_at + 38]
    assert total_row[0] == "合计" and total_row[2] == 46
    assert all(not any(row) for row in rows[header_at + 39 :])


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_quota_sheet_is_for_bureau_and_centre_only(api_as, programme, role):
    assert_error(api_as(role).get(url(programme, "quotas.xlsx")), 403, "forbidden")
