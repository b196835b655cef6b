from lingjun.reference.models import Qualification


def test_bureau_renames_a_tier_and_the_code_stays(api_as):
    bureau = api_as("bureau")
    r = bureau.patch("qualifications/little_giant", {"name": "专精特新“小巨人”企业（国家级）"})
    assert r.status_code == 200, r.content
    assert Qualification.objects.get(code="little_giant").name == "专精特新“小巨人”企业（国家级）"


def test_bureau_adds_a_tier_that_registrations_then_accept(api_as):
    from lingjun.registrations.validation import Context, clean_enterprise

    bureau = api_as("bureau")
    r = bureau.post("qualifications", {"code": "gazelle", "name": "瞪羚企业", "sort": 70})
    assert r.status_code == 201, r.content
    errors = []
    clean_enterprise(
        {
            "name": "x",
            "credit_code": "91110000XYKPB7XX27",
            "industry_division": "39",
            "employees": 50,
            "revenue": 1000,
            "total_assets": 1000,
            "qualifications": "瞪羚企业",
            "address": "北京",
        },
        Context(),
        errors,
    )
    assert not [e for e in errors if e.field == "enterprise.qualifications"]


def test_deactivated_tier_is_refused_in_new_registrations(api_as):
    from lingjun.registrations.validation import Context, clean_enterprise

    assert api_as("bureau").patch("qualifications/unicorn", {"active": False}).status_code == 200
    errors = []
    clean_enterprise({"qualifications": ["unicorn"]}, Context(), errors)
    assert any(e.code == "unknown_qualification" for e in errors)


def test_only_the_bureau_manages_qualifications(api_as):
    for role in ("centre", "region", "institution", "assessor", "trainee"):
        client = api_as(role)
        assert client.post("qualifications", {"code": "x_tier", "name": "某资质"}).status_code == 403
        assert client.patch("qualifications/little_giant", {"name": "改名"}).status_code == 403
        assert client.get("qualifications").status_code == 200
    assert Qualification.objects.get(code="little_giant").name == "专精特新“小巨人”企业"


def test_bad_code_and_duplicate_are_refused(api_as):
    bureau = api_as("bureau")
    assert bureau.post("qualifications", {"code": "Bad Code", "name": "x"}).json()["code"] == "invalid_code"
    r = bureau.post("qualifications", {"code": "little_giant", "name": "重复"})
    assert r.status_code == 409 and r.json()["code"] == "qualification_exists"
