"""The certificate's QR encoder draws exactly what segno (a complete, tested QR library) draws."""

import random

import pytest
import segno

from lingjun.certificates import pdf, qr

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789%/:?=&-_.ABCXYZ"


def _segno(text: str) -> bytes:
    code = segno.make(text, error="m", mask=qr.MASK, boost_error=False, mode="byte", micro=False)
    return code.version, b"".join(bytes(row) for row in code.matrix)


@pytest.mark.parametrize(
    "length",
    [
        0,
        1,
        13,
        14,
        15,
        42,
        62,
        84,
        106,
        107,
        122,
        152,
        180,
        213,
        271,
        321,
        367,
        461,
        586,
        718,
        1000,
        1600,
        2331,
    ],
)
def test_same_symbol_as_segno_for_every_size_class(length):
    text = "".join(random.Random(length).choice(ALPHABET) for _ in range(length))
    version, modules = _segno(text)
    size, ours = qr.encode(text)
    assert qr.version_for(text.encode()) == version and size == version * 4 + 17
    assert ours == modules


def test_same_symbol_for_certificate_links():
    from lingjun.certificates import services

    for name in ("张三", "𠀋𠮷明", "阿卜杜热合曼·买买提"):
        url = services.verify_url("https://lingjun.example.cn", "LJ2030-01-001", name, "ABCDEFGHIJKLMNOP")
        assert qr.encode(url)[1] == _segno(url)[1]


def test_parallel_rendering_gives_the_same_pdfs(settings):
    settings.CERTIFICATE_RENDER_PROCESSES = 2
    base = {
        "number": "LJ2030-01-001",
        "name": "王芳",
        "enterprise": "某某科技有限公司",
        "programme_year": 2030,
        "programme_title": "2030年中小企业经营管理领军人才培训",
        "class_number": 1,
        "class_label": "2030年第1期（杭州）",
        "city": "杭州",
        "track": "专精特新",
        "start_date": "2030-03-10",
        "end_date": "2030-03-13",
        "issued_on": "2030-03-20",
        "issuer": "工业和信息化部人才交流中心",
        "signature": "X",
        "verify_url": "https://example.cn/verify/LJ2030-01-001/?name=x&s=X",
        "template": "1",
    }
    records = [
        dict(base, number=f"LJ2030-01-{i:03d}", name=f"王{'芳明𠮷'[i % 3]}{i}")
        for i in range(1, pdf.PARALLEL_FROM + 7)
    ]
    assert pdf._workers(len(records)) == 2
    assert list(pdf.render_many(records)) == [pdf.render(r) for r in records]
