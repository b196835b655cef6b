def test_healthz_answers_ok_when_database_answers(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_regions_lists_the_37_quota_units(api_as):
    r = api_as("trainee").get("regions")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 37
    codes = {x["code"] for x in body["items"]}
    assert {"110000", "660000", "440300"} <= codes
    assert {"code": "660000", "name": "新疆生产建设兵团", "kind": "corps"}.items() <= next(
        x for x in body["items"] if x["code"] == "660000"
    ).items()


def test_production_hasher_is_argon2():
    import importlib

    import lingjun.settings as production

    importlib.reload(production)
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
