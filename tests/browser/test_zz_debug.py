import pytest
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_a():
    from lingjun.reference.models import Region
    from django.db import connection
    print("A regions", Region.objects.count(), hasattr(connection, "_test_serialized_contents"), len(getattr(connection, "_test_serialized_contents", "")))

def test_b():
    from lingjun.reference.models import Region
    from django.db import connection
    print("B regions", Region.objects.count(), hasattr(connection, "_test_serialized_contents"))
