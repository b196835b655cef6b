"""Helpers shared by the test suites of several apps."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "pdf"


def pdf_text(content: bytes, tmp_path, keep_as: str | None = None) -> str | None:
    """The PDF's text by poppler's pdftotext (None when it is not installed). `keep_as` also leaves the PDF and
    a 60 dpi PNG of each page in test-artifacts/pdf/ for people to look at (Chinese must not be boxes)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    if keep_as:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{keep_as}.pdf").write_bytes(content)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / keep_as)], check=True)
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def enrol_trainee(make_user, klass, region: str = "330000", status: str = "enrolled", rng=None):
    """A registration of `region` placed in `klass` with `status`, its trainee able to log in as a new user:
    → (registration, trainee user, region officer). The region's quota is raised so any number fit."""
    import random

    from django.utils import timezone

    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    rng = rng or random.Random()
    Quota.objects.filter(programme=klass.programme, region_id=region).update(amount=500)
    officer = make_user("region", region=region)
    reg = reg_services.create_registration(
        officer, klass.programme_id, fakes.registration_payload(rng, region)
    )
    trainee = make_user("trainee")
    reg.trainee.user = trainee
    reg.trainee.save()
    Registration.objects.filter(pk=reg.pk).update(
        status=status, training_class=klass, confirmed_at=timezone.now(), holds_seat=status != "withdrawn"
    )
    reg.refresh_from_db()
    return reg, trainee, officer
