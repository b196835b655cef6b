from lingjun.core.tests.api_helpers import fast_password_hasher  # noqa: F401  (autouse fixture)
