"""The institutions page (培训承担机构) through the Django test client (issue #2)."""

import re

import pytest

from lingjun.institutions.models import Institution


def _names(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.findall(r"<tr><td>([^<]+)</td>", body)


@pytest.fixture
def three_institutions(db):
    Institution.objects.create(name="清华大学", kind="university", tracks=["regional"])
    Institution.objects.create(name="浙江大学", kind="university", tracks=["regional", "theme"])
    Institution.objects.create(name="中国中小企业国际合作协会", kind="association", tracks=["theme"])


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_bureau_and_centre_create_an_institution(page_client, role):
    c = page_client(role)
    assert "新增机构" in c.get("/institutions/").content.decode()
    r = c.post("/institutions/", {"name": "复旦大学", "kind": "university", "tracks": ["regional", "theme"]})
    assert r.status_code == 302
    inst = Institution.objects.get(name="复旦大学")
    assert (inst.kind, inst.tracks) == ("university", ["regional", "theme"])
    html = c.get("/institutions/").content.decode()
    assert "已新增培训机构“复旦大学”" in html
    assert "复旦大学" in _names(html)


def test_duplicate_name_keeps_the_form_open_with_the_error(page_client, three_institutions):
    r = page_client("bureau").post(
        "/institutions/", {"name": "清华大学", "kind": "association", "tracks": ["theme"]}
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "同名机构已存在" in html
    assert re.search(r'<input[^>]*name="name"[^>]*value="清华大学"', html)
    assert re.search(r'<option value="association" selected>', html)
    assert "<details" in html and " open>" in html
    assert Institution.objects.filter(name="清华大学").count() == 1


def test_missing_name_and_kind_are_field_errors(page_client, db):
    r = page_client("centre").post("/institutions/", {"name": "", "kind": ""})
    assert r.status_code == 200
    html = r.content.decode()
    assert len(re.findall(r'class="field field-(name|kind)[^"]*has-error', html)) == 2
    assert not Institution.objects.exists()


def test_filter_by_kind_and_name(page_client, three_institutions):
    c = page_client("centre")
    assert sorted(_names(c.get("/institutions/?kind=university").content.decode())) == sorted(
        ["清华大学", "浙江大学"]
    )
    assert _names(c.get("/institutions/?q=协会").content.decode()) == ["中国中小企业国际合作协会"]
    assert _names(c.get("/institutions/?kind=association&q=大学").content.decode()) == []
    html = c.get("/institutions/?kind=talent_centre").content.decode()
    assert "没有符合条件的培训机构" in html and 'href="?">清除筛选' in html
    assert re.search(r'<option value="talent_centre" selected>', html)


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_other_roles_see_the_list_without_the_form_and_cannot_post(page_client, three_institutions, role):
    c = page_client(role)
    r = c.get("/institutions/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "新增机构" not in html and "清华大学" in html
    r = c.post("/institutions/", {"name": "冒名机构", "kind": "other"})
    assert r.status_code == 403
    assert not Institution.objects.filter(name="冒名机构").exists()
