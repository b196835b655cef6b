"""Sign-in, sign-out, navigation and the users page, through the Django test client (issue #2)."""

import re

import pytest
from django.test import Client

from lingjun.accounts.models import User
from lingjun.conftest import PASSWORD


def _input_value(html: str, name: str) -> str | None:
    """The value attribute of the input called `name` in the page, or None if it has none."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r">([^<]+)</a>", nav.group(1)) if nav else []


# --- sign-in --------------------------------------------------------------------------------------------


def test_login_page_renders_in_chinese(client, db):
    r = client.get("/login/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>登录</h1>" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    r = client.get("/programmes/")
    assert r.status_code == 302
    assert r.url.startswith("/login/?next=/programmes/")


def test_correct_password_signs_in_and_follows_next(client, make_user):
    make_user("centre", username="zhang")
    r = client.post("/login/?next=/institutions/", {"username": "zhang", "password": PASSWORD})
    assert r.status_code == 302 and r.url == "/institutions/"
    assert client.get("/").status_code == 200


def test_next_pointing_to_another_site_is_ignored(client, make_user):
    make_user("centre", username="zhang")
    r = client.post("/login/?next=https://evil.example/", {"username": "zhang", "password": PASSWORD})
    assert r.url == "/"


def test_wrong_password_shows_chinese_error_and_keeps_username(client, make_user):
    make_user("region", username="li_officer")
    r = client.post("/login/", {"username": "li_officer", "password": "not-the-password"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "用户名或密码不正确" in html
    assert _input_value(html, "username") == "li_officer"
    assert _input_value(html, "password") is None  # a password is never sent back
    assert "_auth_user_id" not in client.session


def test_empty_login_form_shows_field_errors(client, db):
    r = client.post("/login/", {"username": "", "password": ""})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('class="errorlist"') == 2
    assert "这个字段是必填项" in html


def test_sixth_attempt_after_five_failures_is_refused_with_429_even_with_the_right_password(
    client, make_user
):
    make_user("region", username="wang")
    for _ in range(5):
        r = client.post("/login/", {"username": "wang", "password": "wrong-password"})
        assert r.status_code == 200
    r = client.post("/login/", {"username": "wang", "password": PASSWORD})
    assert r.status_code == 429
    html = r.content.decode()
    assert "登录失败次数过多" in html and "分钟后再试" in html
    assert _input_value(html, "username") == "wang"
    assert "_auth_user_id" not in client.session


def test_throttling_is_per_account_so_a_colleague_can_still_sign_in(client, make_user):
    make_user("region", username="wang")
    make_user("region", username="zhao")
    for _ in range(5):
        client.post("/login/", {"username": "wang", "password": "wrong-password"})
    r = client.post("/login/", {"username": "zhao", "password": PASSWORD})
    assert r.status_code == 302


def test_signed_in_user_opening_login_goes_home(page_client):
    c = page_client("bureau")
    r = c.get("/login/")
    assert r.status_code == 302 and r.url == "/"


# --- sign-out -------------------------------------------------------------------------------------------


def test_logout_is_a_post(page_client):
    c = page_client("centre")
    r = c.get("/logout/")
    assert r.status_code == 200  # a page with the button, not a sign-out
    assert 'method="post"' in r.content.decode()
    assert c.get("/").status_code == 200  # still signed in

    r = c.post("/logout/")
    assert r.status_code == 302 and r.url == "/login/"
    assert c.get("/").status_code == 302  # signed out
    assert "您已安全退出" in c.get("/login/").content.decode()


def test_every_page_has_a_logout_form_not_a_link(page_client):
    html = page_client("region").get("/").content.decode()
    assert re.search(r'<form method="post" action="/logout/"', html)
    assert 'href="/logout/"' not in html


# --- navigation -----------------------------------------------------------------------------------------

# Per role: menu entries that must be there, and entries of other roles' work that must not. (Other features
# add entries of their own, so the lists are not exhaustive.)
FOUNDATION_ENTRIES = {
    "首页",
    "我的培训",
    "年度计划",
    "名额分配",
    "工作信息",
    "工作信息（附件3）",
    "培训机构",
    "用户管理",
    "审计记录",
}
NAV = {
    "bureau": {"首页", "年度计划", "名额分配", "工作信息", "培训机构", "用户管理", "审计记录"},
    "centre": {"首页", "年度计划", "工作信息", "培训机构", "用户管理", "审计记录"},
    "region": {"首页", "年度计划", "工作信息（附件3）"},
    "institution": {"首页", "年度计划", "培训机构"},
    "assessor": {"首页", "培训机构"},
    "trainee": {"我的培训"},
}


@pytest.mark.parametrize("role", list(NAV))
def test_navigation_shows_only_the_links_of_the_role(page_client, role):
    r = page_client(role).get("/")
    assert r.status_code == 200
    labels = _nav_labels(r.content.decode())
    assert len(labels) == len(set(labels))
    assert set(labels) & FOUNDATION_ENTRIES == NAV[role]


@pytest.mark.parametrize("role", list(NAV))
def test_every_navigation_link_opens_for_its_role(page_client, programme, role):
    c = page_client(role)
    html = c.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    for url in re.findall(r'href="([^"]+)"', nav):
        r = c.get(url, follow=True)
        assert r.status_code == 200, (role, url)


def test_menu_marks_the_section_of_the_page(page_client, programme):
    c = page_client("bureau")
    html = c.get(f"/programmes/{programme.pk}/quotas/").content.decode()
    assert re.search(r'class="active" aria-current="page">名额分配<', html)
    html = c.get(f"/programmes/{programme.pk}/work-info/").content.decode()
    assert re.search(r'class="active" aria-current="page">工作信息<', html)
    html = c.get(f"/programmes/{programme.pk}/").content.decode()
    assert re.search(r'class="active" aria-current="page">年度计划<', html)


# --- users page -----------------------------------------------------------------------------------------


def test_bureau_sees_users_and_creates_one(page_client):
    c = page_client("bureau")
    r = c.get("/accounts/users/")
    assert r.status_code == 200
    assert "新建用户" in r.content.decode()
    r = c.post(
        "/accounts/users/",
        {
            "username": "gd_li",
            "display_name": "广东省工信厅 李明",
            "role": "region",
            "region": "440000",
            "institution": "",
            "password": "Guangdong-2030",
        },
    )
    assert r.status_code == 302
    user = User.objects.get(username="gd_li")
    assert (user.role, user.region_id, user.display_name) == ("region", "440000", "广东省工信厅 李明")
    assert user.check_password("Guangdong-2030")
    page = c.get("/accounts/users/").content.decode()
    assert "已创建用户 gd_li" in page and "广东省工信厅 李明" in page


def test_refused_user_form_keeps_values_and_shows_field_errors(page_client):
    c = page_client("bureau")
    r = c.post(
        "/accounts/users/",
        {
            "username": "sc_wang",
            "display_name": "四川省经信厅 王芳",
            "role": "region",
            "region": "",
            "institution": "",
            "password": "12345678",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert not User.objects.filter(username="sc_wang").exists()
    assert _input_value(html, "username") == "sc_wang"
    assert _input_value(html, "display_name") == "四川省经信厅 王芳"
    assert "地方主管部门账户须指定有效的地区代码" in html
    assert "密码强度不足" in html
    assert "<details" in html and " open>" in html  # the form is unfolded to show the errors


def test_duplicate_username_is_a_field_error(page_client, make_user):
    make_user("centre", username="taken")
    c = page_client("bureau")
    r = c.post("/accounts/users/", {"username": "taken", "role": "assessor", "password": "Assess-2030-ok"})
    assert r.status_code == 200
    assert "该用户名已被使用" in r.content.decode()


def test_centre_is_not_offered_the_bureau_role(page_client):
    html = page_client("centre").get("/accounts/users/").content.decode()
    role_select = re.search(r'<select[^>]*id="id_role"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert 'value="bureau"' not in role_select and 'value="centre"' in role_select


def test_users_page_filters_by_role(page_client, make_user):
    make_user("assessor", username="assess_one")
    make_user("trainee", username="trainee_one")
    html = page_client("centre").get("/accounts/users/?role=assessor").content.decode()
    assert "assess_one" in html and "trainee_one" not in html


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_users_page_is_403_for_other_roles(page_client, role):
    c = page_client(role)
    r = c.get("/accounts/users/")
    assert r.status_code == 403
    assert "无权访问" in r.content.decode()
    r = c.post("/accounts/users/", {"username": "sneaky", "role": "bureau", "password": "Sneaky-pass-2030"})
    assert r.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_unknown_url_is_a_chinese_404_page(page_client):
    r = page_client("bureau").get("/no-such-page/")
    assert r.status_code == 404
    assert "页面不存在" in r.content.decode()


def test_pages_carry_no_inline_script(page_client, programme):
    """CSP is script-src 'self': a <script> without src would be blocked, so none may exist."""
    c = page_client("bureau")
    for url in [
        "/",
        "/programmes/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/quotas/",
        f"/programmes/{programme.pk}/work-info/",
        "/institutions/",
        "/accounts/users/",
        "/programmes/new/",
    ]:
        html = c.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=\"", html), url  # no inline event handlers either
        assert not re.search(r'(src|href)="(https?:)?//', html), url  # no CDN or other-site assets


def test_anonymous_client_sees_no_menu(db):
    html = Client().get("/login/").content.decode()
    assert "mainnav" not in html
