"""The PDF itself (embedded font, rare characters extractable, renders) and who may fetch what."""

import io
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest
from django.test import Client
from fontTools.ttLib import TTFont

from lingjun.certificates import fonts, pdf
from lingjun.certificates.models import Certificate

RARE_NAME = "𠀋𠮷明"  # U+2000B, U+20BB7: CJK Extension B, in real use in names
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed"
)


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def rare(centre, klass, trainee_in):
    reg, user, officer = trainee_in(name=RARE_NAME)
    number = centre.post(f"registrations/{reg.pk}/certificate").json()["number"]
    return Certificate.objects.get(number=number), user, officer


@needs_poppler
def test_pdf_embeds_the_font_and_the_extension_b_name_extracts_as_text(rare, tmp_path):
    cert, _, _ = rare
    path = tmp_path / "c.pdf"
    path.write_bytes(bytes(cert.pdf))
    text = _run("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert RARE_NAME in text
    for expected in (
        "结业证书",
        "工业和信息化部人才交流中心",
        cert.number,
        cert.data["enterprise"][:6],
        "准予结业",
    ):
        assert expected in text.replace("\n", ""), expected
    info = _run("pdffonts", str(path))
    font_lines = [line for line in info.splitlines()[2:] if line.strip()]
    assert font_lines, info
    for line in font_lines:  # every font embedded (emb = yes), subset, with a ToUnicode map
        assert "CID TrueType" in line and line.split()[-5:-2] == ["yes", "yes", "yes"], line


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
def test_pdf_renders_one_landscape_page_with_ink(rare, tmp_path):
    from PIL import Image

    cert, _, _ = rare
    src = tmp_path / "c.pdf"
    src.write_bytes(bytes(cert.pdf))
    _run("pdftoppm", "-png", "-r", "40", "-singlefile", str(src), str(tmp_path / "page"))
    image = Image.open(tmp_path / "page.png").convert("L")
    assert image.width > image.height  # A4 landscape
    dark = sum(image.histogram()[:100])
    assert dark > 2000, dark  # text, frame and QR code are drawn, not blank boxes
    # For people to look at (gitignored), as the classes' PDFs are.
    artifacts = Path(__file__).resolve().parents[4] / "test-artifacts" / "pdf"
    artifacts.mkdir(parents=True, exist_ok=True)
    _run("pdftoppm", "-png", "-r", "80", "-singlefile", str(src), str(artifacts / "certificate"))


def test_embedded_font_is_a_valid_truetype_with_the_rare_glyphs(rare):
    cert, _, _ = rare
    data = bytes(cert.pdf)
    start = data.index(b"/FontFile2")
    ref = int(data[start:].split()[1])
    obj = data.index(f"\n{ref} 0 obj".encode()) + 1
    stream = data.index(b"stream\n", obj) + len(b"stream\n")
    end = data.index(b"endstream", stream)
    font = TTFont(io.BytesIO(zlib.decompress(data[stream:end].rstrip(b"\r\n"))))
    cmap = font.getBestCmap()
    assert 0x2000B in cmap and 0x20BB7 in cmap and ord("证") in cmap
    assert font["maxp"].numGlyphs == len(font.getGlyphOrder()) < 200
    glyph = font["glyf"][cmap[0x20BB7]]
    assert glyph.numberOfContours > 0


def test_truetype_builder_round_trips_through_fonttools():
    face = fonts.face()
    names = [None] + [face.cmap[ord(c)] for c in "结业𠀋A"]
    data = face.truetype(names, {ord(c): i + 1 for i, c in enumerate("结业𠀋A")})
    font = TTFont(io.BytesIO(data))
    assert font.getBestCmap()[0x2000B] == font.getGlyphOrder()[3]
    assert font["hmtx"][font.getGlyphOrder()[1]][0] == face.metrics[face.cmap[ord("结")]][0]
    with tempfile.TemporaryDirectory() as d:  # fontTools re-compiles it without complaint
        font.save(Path(d) / "x.ttf")


def test_render_is_deterministic_for_the_same_data():
    data = {
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
        "verify_url": "https://example.cn/verify/LJ2030-01-001/?name=%E7%8E%8B%E8%8A%B3&s=X",
        "template": "1",
    }
    assert pdf.render(data) == pdf.render(data)
    lines = pdf.wrap(_sized_pdf(), "参加培训（杭州，专精特新方向），完成" * 4, 60)
    assert all(not line.startswith(("，", "）")) and not line.endswith("（") for line in lines)


def _sized_pdf():
    from fpdf import FPDF

    doc = FPDF()
    fonts.use_cjk_font(doc)
    doc.set_font(fonts.FAMILY, size=15)
    return doc


# --- who may fetch what ----------------------------------------------------------------------------------


def test_the_trainee_and_their_region_may_download_others_may_not(rare, api_as, make_user):
    cert, trainee, officer = rare
    path = f"certificates/{cert.number}.pdf"
    for client in (api_as(trainee), api_as(officer), api_as("centre")):
        r = client.get(path)
        assert r.status_code == 200 and r.content == bytes(cert.pdf)
    assert api_as("trainee").get(path).status_code == 404  # another trainee: does not exist for them
    assert api_as("region", region="110000").get(path).status_code == 404  # another region
    for role in ("bureau", "institution", "assessor"):
        assert api_as(role).get(path).status_code == 403
    assert Client().get(f"/api/v1/{path}").status_code == 401
    assert api_as(trainee).get(f"certificates/{cert.number}").json()["name"] == RARE_NAME


def test_only_the_centre_issues_revokes_reissues_and_exports(rare, api_as, klass):
    cert, trainee, officer = rare
    for client in (api_as(trainee), api_as(officer), api_as("bureau"), api_as("institution")):
        assert client.post(f"classes/{klass.pk}/certificates").status_code == 403
        assert client.post(f"registrations/{cert.registration_id}/certificate").status_code == 403
        assert client.post(f"certificates/{cert.number}/revoke", {"reason": "x"}).status_code == 403
        assert client.post(f"certificates/{cert.number}/reissue", {"reason": "x"}).status_code == 403
        assert client.get(f"classes/{klass.pk}/certificates.zip").status_code == 403
    assert Client().post(f"/api/v1/classes/{klass.pk}/certificates").status_code == 401
    cert.refresh_from_db()
    assert cert.revoked_at is None


def test_lists_are_scoped(rare, api_as, klass, trainee_in, centre):
    cert, trainee, officer = rare
    other, other_user, _ = trainee_in(region="110000")
    centre.post(f"classes/{klass.pk}/certificates")
    assert centre.get(f"classes/{klass.pk}/certificates").json()["count"] == 2
    assert [i["number"] for i in api_as(officer).get(f"classes/{klass.pk}/certificates").json()["items"]] == [
        cert.number
    ]
    assert [i["number"] for i in api_as(trainee).get(f"classes/{klass.pk}/certificates").json()["items"]] == [
        cert.number
    ]


def test_centre_pages(rare, page_client, klass, trainee_in):
    cert, trainee, officer = rare
    trainee_in(name="孙悟")
    centre = page_client("centre")
    page = centre.get(f"/certificates/classes/{klass.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and cert.number in html and "孙悟" in html and "颁发证书（1 人）" in html
    r = centre.post(f"/certificates/classes/{klass.pk}/", {"action": "issue"})
    assert r.status_code == 302
    assert Certificate.objects.filter(training_class=klass, revoked_at__isnull=True).count() == 2
    r = centre.post(
        f"/certificates/classes/{klass.pk}/",
        {"action": "revoke", "number": cert.number, "reason": ""},
        follow=True,
    )
    assert "请填写理由" in r.content.decode()
    r = centre.post(
        f"/certificates/classes/{klass.pk}/",
        {"action": "reissue", "number": cert.number, "reason": "单位名称更正"},
        follow=True,
    )
    assert "已换发" in r.content.decode()
    new = Certificate.objects.get(registration=cert.registration, revoked_at__isnull=True)
    centre.post(
        f"/certificates/classes/{klass.pk}/", {"action": "revoke", "number": new.number, "reason": "测试"}
    )
    r = centre.post(f"/certificates/classes/{klass.pk}/", {"action": "issue"}, follow=True)
    assert "没有需要新颁发的证书" in r.content.decode() and "已撤销" in r.content.decode()
    assert "重新颁发理由" in r.content.decode()
    r = centre.post(
        f"/certificates/classes/{klass.pk}/",
        {"action": "regrant", "registration": cert.registration_id, "reason": "复核后恢复"},
        follow=True,
    )
    assert "已重新颁发证书" in r.content.decode()
    assert Certificate.objects.filter(registration=cert.registration, revoked_at__isnull=True).count() == 1
    assert (
        centre.get(f"/certificates/classes/{klass.pk}/certificates.zip")["Content-Type"] == "application/zip"
    )
    assert centre.get(f"/certificates/{cert.number}.pdf")["Content-Type"] == "application/pdf"
    assert centre.get("/certificates/").status_code == 200
    assert page_client(officer).get(f"/certificates/classes/{klass.pk}/").status_code == 403
    own = page_client(trainee).get(f"/certificates/{cert.number}.pdf")
    assert own.status_code == 200


def test_without_the_font_issuing_answers_503_and_changes_nothing(settings, centre, klass, trainee_in):
    reg, _, _ = trainee_in()
    settings.CJK_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"
    r = centre.post(f"classes/{klass.pk}/certificates")
    assert r.status_code == 503 and r.json()["code"] == "pdf_font_missing"
    assert "LINGJUN_CJK_FONT" in r.json()["detail"]
    assert not Certificate.objects.exists()


def test_trainee_finds_the_certificate_download_on_the_home_page(rare):
    from django.test import Client

    cert, user, _ = rare
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert f"/certificates/{cert.number}.pdf" in html and "下载结业证书" in html
    r = client.get(f"/certificates/{cert.number}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
