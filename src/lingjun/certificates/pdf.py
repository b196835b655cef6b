"""The certificate as a one-page PDF (A4 landscape), drawn with fpdf2 from the frozen certificate data.

`render(data)` is a pure function of the data the certificate was issued with (see `services.frozen_data`): the
bytes are stored with the certificate, so a later change of a name, a class or this layout never changes a
certificate already issued. TEMPLATE_VERSION is recorded with each certificate for that reason.

Text is set in Noto Sans CJK SC through `fonts` (embedded, rare Extension B characters included, extractable
as text). The QR code in the corner carries the absolute verification URL with the server's signature.
"""

from __future__ import annotations

import datetime
import logging

from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image

from . import fonts, qr

log = logging.getLogger("lingjun.certificates")

TEMPLATE_VERSION = "1"
PAGE_W, PAGE_H = 297.0, 210.0
RED = (139, 26, 26)
GOLD = (176, 134, 52)
INK = (33, 33, 33)
GREY = (110, 110, 110)
# Closing punctuation may hang past the right edge rather than start a line (simple kinsoku).
NO_LINE_START = set("，。、；：？！）》」』”’％.,;:!?)")
NO_LINE_END = set("（《「『“‘(")
FIXED_TEXT = (
    "结业证书中小企业经营管理领军人才培训同志：于至参加，完成规定的培训课程经考核合格准予结业。工作单位证书编号"
    "发证日期扫码验证真伪工业和信息化部人才交流中心年月日第期（）方向班0123456789-LJ"
)


def cn_date(value) -> str:
    d = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日"


def period(start: str, end: str) -> str:
    s, e = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    if s == e:
        return cn_date(s)
    if s.year == e.year:
        return f"{cn_date(s)}至{e.month}月{e.day}日"
    return f"{cn_date(s)}至{cn_date(e)}"


def body_text(data: dict) -> str:
    track = f"，{data['track']}方向" if data.get("track") else ""
    place = f"（{data['city']}{track}）" if data.get("city") else ""
    return (
        f"于{period(data['start_date'], data['end_date'])}参加{data['programme_title']}第{data['class_number']}期"
        f"{place}，完成规定的培训课程，经考核合格，准予结业。"
    )


def all_text(data: dict) -> str:
    """Every character the page will print (to check the font covers it before issuing)."""
    return "".join(
        [
            data["name"],
            data["enterprise"],
            body_text(data),
            data["number"],
            data["issuer"],
            cn_date(data["issued_on"]),
            FIXED_TEXT,
        ]
    )


def wrap(pdf: FPDF, text: str, width: float, first_indent: float = 0) -> list[str]:
    """Greedy CJK line breaking by character: closing punctuation never starts a line, opening never ends one."""
    cw, scale = pdf.current_font.cw, pdf.font_size_pt / 1000 / pdf.k
    lines, line, used = [], "", first_indent
    for ch in text:
        w = cw[ord(ch)] * scale
        if line and used + w > width and ch not in NO_LINE_START:
            carry = ""
            while len(line) > 1 and line[-1] in NO_LINE_END:  # an opening bracket moves to the next line
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line, used = carry, sum(cw[ord(c)] * scale for c in carry)
        line += ch
        used += w
    if line:
        lines.append(line)
    return lines


def render(data: dict) -> bytes:
    """The certificate PDF for `data` (fast embedded font; fpdf2's standard embedding if that fails)."""
    missing = fonts.face().missing(all_text(data))
    if missing:
        raise fonts.MissingGlyphs(missing)
    try:
        pdf = _draw(data, fast=True)
        return fonts.output(pdf)
    except fonts.DomainError:
        raise
    except Exception:  # pragma: no cover - only if fpdf2's internals change under the fast path
        log.warning("fast CJK embedding failed; using fpdf2's standard embedding", exc_info=True)
        return bytes(_draw(data, fast=False).output())


PARALLEL_FROM = 24  # documents; below this, starting worker processes costs more than it saves


def render_many(records: list[dict]):
    """`render` for a batch: yields the PDFs in the same order. Large batches are drawn by a pool of forked
    worker processes (settings.CERTIFICATE_RENDER_PROCESSES, default one per CPU; 1 = in this process):
    rendering is pure CPU work on plain data, the children inherit the parsed font and never touch the
    database, and the caller stores each result as it arrives while the others are still being drawn.
    Glyphs are converted here first, so the cache outlives the pool."""
    if not records:
        return
    face = fonts.face()
    face.warm("".join(all_text(r) for r in records))
    workers = _workers(len(records))
    if workers <= 1:
        for r in records:
            yield render(r)
        return
    import concurrent.futures
    import multiprocessing

    chunk = max(1, len(records) // (workers * 4))
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        yield from pool.map(render, records, chunksize=chunk)


def _workers(n: int) -> int:
    import multiprocessing
    import os

    from django.conf import settings

    configured = getattr(settings, "CERTIFICATE_RENDER_PROCESSES", None)
    wanted = configured if configured is not None else (os.cpu_count() or 1)
    if n < PARALLEL_FROM or wanted <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(wanted, max(1, n // (PARALLEL_FROM // 2)))


def _draw(data: dict, fast: bool) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    family = fonts.use_cjk_font(pdf) if fast else fonts.fallback_font(pdf)
    issued = datetime.date.fromisoformat(data["issued_on"])
    pdf.set_title(f"结业证书 {data['number']}")
    pdf.set_author(data["issuer"])
    pdf.set_subject(f"{data['programme_title']} 结业证书")
    pdf.set_creator("领军人才培训管理平台")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.datetime(issued.year, issued.month, issued.day, tzinfo=datetime.UTC))
    pdf.add_page()
    _frame(pdf)

    # Title, letter-spaced and slightly emboldened by stroking the outline (in its own graphics state: the
    # text rendering mode would otherwise stay in force for all later text).
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.35, draw_color=RED, text_color=RED):
        pdf.set_font(family, size=40)
        pdf.set_char_spacing(12)
        _centred(pdf, "结业证书", 52)
        pdf.set_char_spacing(0)
    pdf.set_font(family, size=13)
    pdf.set_text_color(*GOLD)
    pdf.set_char_spacing(3)
    _centred(pdf, "中小企业经营管理领军人才培训", 63)
    pdf.set_char_spacing(0)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(108, 68.5, 189, 68.5)

    left, right = 42.0, 255.0
    pdf.set_font(family, size=21)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.12, draw_color=INK, text_color=INK):
        pdf.text(left, 92, data["name"])
    name_w = _width(pdf, data["name"])
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.25)
    pdf.line(left - 1, 94.5, left + name_w + 1, 94.5)
    pdf.set_font(family, size=16)
    pdf.text(left + name_w + 3, 92, "同志：")

    pdf.set_font(family, size=16)
    indent = _width(pdf, "同志")
    y = 110.0
    for i, line in enumerate(wrap(pdf, body_text(data), right - left, first_indent=indent)):
        pdf.text(left + (indent if i == 0 else 0), y, line)
        y += 10.5
    pdf.set_font(family, size=13)
    pdf.set_text_color(*GREY)
    label = "工作单位："
    label_w = _width(pdf, label)
    y += 3
    for i, line in enumerate(wrap(pdf, data["enterprise"], right - left - label_w)):
        if i == 0:
            pdf.text(left, y, label)
        pdf.set_text_color(*INK)
        pdf.text(left + label_w, y, line)
        y += 7

    # Issuer and date, centred over the same axis, left of the QR code.
    pdf.set_text_color(*INK)
    pdf.set_font(family, size=15)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.1, draw_color=INK, text_color=INK):
        _centred(pdf, data["issuer"], 163, axis=192)
    pdf.set_font(family, size=13)
    _centred(pdf, cn_date(issued), 172, axis=192)

    pdf.set_font(family, size=10.5)
    pdf.set_text_color(*GREY)
    pdf.text(left, 185, f"证书编号：{data['number']}")
    pdf.text(left, 191, f"发证日期：{cn_date(issued)}")

    _qr(pdf, data["verify_url"], x=241, y=144, size=34)
    pdf.set_font(family, size=8.5)
    _centred(pdf, "扫码验证真伪", 186.5, axis=241 + 34 / 2)
    return pdf


def _width(pdf: FPDF, text: str) -> float:
    """Width in mm of `text` in the current font and size, letter spacing between characters only (what
    `get_string_width` computes, without its text-shaping and markdown machinery)."""
    cw = pdf.current_font.cw
    return (
        sum(cw[ord(c)] for c in text) * pdf.font_size_pt / 1000 + pdf.char_spacing * (len(text) - 1)
    ) / pdf.k


def _centred(pdf: FPDF, text: str, y: float, axis: float = PAGE_W / 2) -> None:
    pdf.text(axis - _width(pdf, text) / 2, y, text)


def _frame(pdf: FPDF) -> None:
    pdf.set_fill_color(253, 250, 243)
    pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.45)
    pdf.rect(12.5, 12.5, PAGE_W - 25, PAGE_H - 25)
    pdf.set_line_width(0.25)
    pdf.rect(14, 14, PAGE_W - 28, PAGE_H - 28)
    # Corner ornaments: small gold squares set on the inner frame.
    pdf.set_fill_color(*GOLD)
    for cx, cy in ((14, 14), (PAGE_W - 14, 14), (14, PAGE_H - 14), (PAGE_W - 14, PAGE_H - 14)):
        pdf.rect(cx - 2.2, cy - 2.2, 4.4, 4.4, style="F")
    pdf.set_fill_color(*RED)
    for cx, cy in ((14, 14), (PAGE_W - 14, 14), (14, PAGE_H - 14), (PAGE_W - 14, PAGE_H - 14)):
        pdf.rect(cx - 1, cy - 1, 2, 2, style="F")


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code (level M, `qr.encode`: the same symbol segno draws, ten times faster) as a one-pixel-per-
    module greyscale image — crisp when scaled, since PDF images are not interpolated unless asked — on a
    white quiet zone of four modules."""
    n, modules = qr.encode(url)
    quiet = 4 * size / n  # the standard's quiet zone: four modules
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x - quiet, y - quiet, size + 2 * quiet, size + 2 * quiet, style="F")
    pdf.image(Image.frombytes("L", (n, n), modules.translate(_DARK_IS_BLACK)), x=x, y=y, w=size, h=size)


_DARK_IS_BLACK = bytes([255, 0] + [0] * 254)  # module 1 (dark) → black pixel, 0 → white
