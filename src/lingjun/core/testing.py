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
