"""API.md's alumni, enterprise and statistics rows are published in the OpenAPI schema."""

import pytest

CONTRACT = [
    ("get", "/api/v1/alumni"),
    ("post", "/api/v1/enterprises/{credit_code}/reports"),
    ("get", "/api/v1/enterprises/{credit_code}/reports"),
    ("post", "/api/v1/enterprises/{credit_code}/services"),
    ("get", "/api/v1/enterprises/{credit_code}/services"),
    ("get", "/api/v1/programmes/{programme_id}/stats"),
    ("get", "/api/v1/me/personal-data"),
    ("post", "/api/v1/alumni/{registration_id}/retrain"),
]


@pytest.mark.django_db
def test_openapi_lists_the_rows(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for method, path in CONTRACT:
        assert method in paths.get(path, {}), (method, path)
    assert {"201", "404", "409", "422"} <= set(
        paths["/api/v1/enterprises/{credit_code}/reports"]["post"]["responses"]
    )


@pytest.mark.django_db
def test_anonymous_requests_are_401(anon):
    for _, path in CONTRACT:
        if "{" not in path and path.endswith(("alumni", "personal-data")):
            assert anon.get(path).status_code == 401
    assert anon.get("/api/v1/programmes/1/stats").status_code == 401
    assert anon.get("/api/v1/enterprises/91330000MA00000000/reports").status_code == 401
