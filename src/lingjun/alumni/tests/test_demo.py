import pytest
from django.core.management import call_command

from lingjun.alumni.models import OperationReport, ServiceRecord
from lingjun.registrations.models import Registration


@pytest.mark.django_db
def test_demo_data_has_alumni_with_a_trend_and_is_idempotent():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert (
        Registration.objects.filter(programme__year=2024, status__in=("completed", "not_completed")).count()
        == 6
    )
    assert list(OperationReport.objects.values_list("period", flat=True).order_by("period")) == [
        "2023",
        "2024",
        "2025",
    ]
    assert ServiceRecord.objects.count() == 1
