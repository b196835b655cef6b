"""The API publishes its contract: OpenAPI schema and interactive docs (API.md)."""

import pytest

CONTRACT = [  # API.md: "Health and identity" and "Programme, quotas, work information, institutions"
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/regions"),
    ("post", "/api/v1/programmes"),
    ("get", "/api/v1/programmes/{programme_id}"),
    ("patch", "/api/v1/programmes/{programme_id}"),
    ("put", "/api/v1/programmes/{programme_id}/quotas"),
    ("get", "/api/v1/programmes/{programme_id}/quotas"),
    ("post", "/api/v1/programmes/{programme_id}/quotas/propose"),
    ("get", "/api/v1/programmes/{programme_id}/quotas.xlsx"),
    ("put", "/api/v1/programmes/{programme_id}/work-info/{region}"),
    ("get", "/api/v1/programmes/{programme_id}/work-info/{region}"),
    ("post", "/api/v1/institutions"),
    ("get", "/api/v1/institutions"),
]


@pytest.fixture
def schema(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_openapi_lists_every_contract_path(schema):
    assert schema["openapi"].startswith("3.")
    for method, path in CONTRACT:
        assert path in schema["paths"], path
        assert method in schema["paths"][path], (method, path)


def test_openapi_documents_the_error_model_and_bearer_auth(schema):
    op = schema["paths"]["/api/v1/programmes"]["post"]
    assert {"201", "403", "409", "422"} <= set(op["responses"])
    assert any(
        "Bearer" in str(v) or v.get("scheme") == "bearer"
        for v in schema["components"]["securitySchemes"].values()
    )
    token_op = schema["paths"]["/api/v1/auth/token"]["post"]
    assert not token_op.get("security")  # signing in needs no token


def test_interactive_docs_are_served(client, db):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert b"openapi.json" in r.content


def test_healthz_answers_without_signing_in(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
