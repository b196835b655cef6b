"""Row scoping in the ORM (lingjun.core.scoping): forgetting the scope fails loudly; a scope filters rows."""

import datetime

import pytest

from lingjun.core import scoping
from lingjun.programmes.models import Programme, WorkInfo


@pytest.fixture
def two_forms(db):
    p = Programme.objects.create(
        year=2034,
        title="计划",
        target_trainees=10,
        planned_classes=1,
        registration_deadline=datetime.date(2034, 8, 31),
    )
    fields = dict(
        department="局",
        leader_name="王",
        leader_position="局长",
        leader_phone="010-55579001",
        liaison_name="李",
        liaison_position="科员",
        liaison_phone="010-55579002",
        liaison_mobile="13800138000",
        liaison_email="a@b.cn",
    )
    WorkInfo.objects.create(programme=p, region_id="110000", **fields)
    WorkInfo.objects.create(programme=p, region_id="310000", **fields)
    return p


def test_a_query_with_no_scope_active_raises(two_forms):
    token = scoping._active.set(None)
    try:
        with pytest.raises(scoping.ScopeError):
            WorkInfo.objects.count()
        with pytest.raises(scoping.ScopeError):
            list(WorkInfo.objects.filter(region_id="110000"))
    finally:
        scoping._active.reset(token)


def test_a_region_scope_shows_only_that_regions_rows(two_forms):
    with scoping.scope(region="110000"):
        assert WorkInfo.objects.count() == 1
        assert list(WorkInfo.objects.values_list("region_id", flat=True)) == ["110000"]
        assert not WorkInfo.objects.filter(region_id="310000").exists()
    with scoping.scope(region="310000"):
        assert list(WorkInfo.objects.values_list("region_id", flat=True)) == ["310000"]
    with scoping.scopes_disabled():
        assert WorkInfo.objects.count() == 2


def test_scopes_that_do_not_apply_to_a_model_show_nothing(two_forms):
    with scoping.scope(institution=5):
        assert WorkInfo.objects.count() == 0
    with scoping.scope(region=scoping.NOTHING):
        assert WorkInfo.objects.count() == 0


@pytest.mark.parametrize(
    "role, visible",
    [("bureau", 2), ("centre", 2), ("region", 1), ("institution", 0), ("assessor", 0), ("trainee", 0)],
)
def test_user_scopes_by_role(two_forms, make_user, role, visible):
    user = make_user(role)  # region officers are bound to 110000
    with scoping.user_scope(user):
        assert WorkInfo.objects.count() == visible


def test_the_scope_is_reset_after_each_request(two_forms, api_as):
    token = scoping._active.set(None)
    try:
        client = api_as("region", region="110000")
        assert client.get(f"programmes/{two_forms.pk}/work-info/110000").json()["submitted"] is True
        with pytest.raises(scoping.ScopeError):
            WorkInfo.objects.count()
    finally:
        scoping._active.reset(token)
