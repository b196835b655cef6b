"""PDF documents in Chinese: fpdf2 with an embedded CJK font.

fpdf2's core fonts (Helvetica, Times) have no Chinese glyphs: every document registers one CJK font under the
family name ``cjk`` and embeds the subset it uses, so the PDF reads the same on any machine. The font is
looked up once per process: ``LINGJUN_PDF_FONT`` (``/path/font.ttc`` or ``/path/font.ttc#2`` for a face of a
collection) first, then the usual places of Noto Sans CJK SC / WenQuanYi. Debian and Ubuntu install Noto with
``apt-get install fonts-noto-cjk`` (scripts/test.sh does); its .ttc holds JP, KR, SC, TC, HK in that order, so
the simplified-Chinese face is number 2.
"""

from __future__ import annotations

import datetime
import functools
import os
from pathlib import Path

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .errors import DomainError

FAMILY = "cjk"
# (file, face number in the collection; 0 for a plain .otf/.ttf)
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Debian / Ubuntu fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Arch, Alpine
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Fedora
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
)
INSTALL_HINT = (
    "请在服务器上安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
    "或设置环境变量 LINGJUN_PDF_FONT 指向中文字体文件（.ttc 可写作 路径#序号）。"
)


class FontMissing(DomainError):
    """No CJK font on this server: a PDF would print boxes instead of Chinese, so none is made."""

    status = 503
    code = "pdf_font_missing"
    detail = "服务器缺少中文字体，暂时无法生成 PDF。" + INSTALL_HINT


def _parse(spec: str) -> tuple[str, int]:
    path, _, number = spec.partition("#")
    return path, int(number) if number.isdigit() else 0


@functools.cache
def find_cjk_font() -> tuple[str, int]:
    """(path, face number) of a font with simplified-Chinese glyphs, or FontMissing."""
    configured = os.environ.get("LINGJUN_PDF_FONT", "").strip()
    if configured:
        path, number = _parse(configured)
        if not Path(path).is_file():
            raise FontMissing(detail=f"LINGJUN_PDF_FONT 指向的字体文件不存在：{path}。" + INSTALL_HINT)
        return path, number
    for path, number in CANDIDATES:
        if Path(path).is_file():
            return path, number
    raise FontMissing()


def document(orientation: str = "P", title: str = "", margin: float = 12):
    """An A4 FPDF with the CJK font registered as family ``cjk`` and selected, page numbers in the footer."""
    from fpdf import FPDF

    path, number = find_cjk_font()

    class Document(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font(FAMILY, size=8)
            self.set_text_color(110, 118, 130)
            self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
            self.set_text_color(0, 0, 0)

    pdf = Document(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font(FAMILY, "", path, collection_font_number=number)
    pdf.set_font(FAMILY, size=10)
    pdf.set_title(title)
    pdf.set_creator("领军人才培训管理平台")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.datetime.now(datetime.UTC))
    return pdf


def heading(pdf, title: str, subtitle: str = "") -> None:
    """A centred document title and an optional grey line under it."""
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(FAMILY, size=9)
        pdf.set_text_color(80, 88, 100)
        pdf.multi_cell(0, 5, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font(FAMILY, size=10)


def table_style():
    """Keyword arguments for ``pdf.table()``: grey heading row in the regular face (no bold face is loaded;
    a second CJK face would double the time to make a document)."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    # Chinese has no spaces between words: wrap at any character, and align left (justified CJK lines
    # would be stretched letter by letter).
    return {
        "headings_style": FontFace(emphasis="", fill_color=(232, 237, 245)),
        "line_height": 5.5,
        "padding": 1.2,
        "v_align": "M",
        "text_align": "LEFT",
        "wrapmode": WrapMode.CHAR,
        "first_row_as_headings": True,
        "repeat_headings": 1,
    }


def pdf_response(pdf, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(pdf.output()), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
