"""CJK text in fpdf2 documents, fast enough to print certificates in bulk.

The problem. Real names need rare ideographs (CJK Extension B, e.g. U+2000B 𠀋, U+20BB7 𠮷). Debian's Noto Sans
CJK has them, but it is a 20 MB collection of CFF fonts: ReportLab cannot embed CFF at all, and fpdf2 can, but
`add_font` parses the whole face for every document (~1 s) and `output()` runs fontTools' subsetter over it
(~1 s more). Even a font already cut down to the ~100 glyphs of one certificate costs fpdf2 30-50 ms per
document in fontTools' generic machinery (subset, compile, save). Printing a class of certificates — or
2,000 of them — that way is out of the question.

What we do instead:

* Once per process, fpdf2 parses the face (`add_font`) into a *master* `TTFFont`. Each document gets a
  shallow clone of it with a fresh `SubsetMap`, so fpdf2 lays out text exactly as usual (widths, codes)
  without parsing anything again.
* When a glyph is first needed, its outline is converted once to a TrueType glyph (cubic → quadratic with
  fontTools' cu2qu, within 1/1000 em) and kept in memory. CFF outlines cannot be cut apart without
  re-subroutinising; TrueType glyphs are independent byte strings.
* At `output()`, fpdf2's documented `output_producer_class` hook embeds our clones: a tiny TrueType font is
  assembled directly as bytes from the cached glyphs, with glyph id = the code fpdf2 assigned, so the PDF
  uses `/CIDToGIDMap /Identity`, a `/W` widths array and a `/ToUnicode` CMap (with UTF-16 surrogate pairs,
  so Extension B characters are extracted as text). Every other font goes through fpdf2's own path.

The result is a self-contained PDF (font embedded, "CID TrueType", Identity-H) that renders on any viewer and
costs a few milliseconds. `use_cjk_font(pdf)` is the only call a document needs; if the fast path ever fails
(for instance after an fpdf2 upgrade changes its internals) `render()` falls back to fpdf2's standard
embedding of the same face, slower but correct, and logs a warning.

The font file comes from settings.CJK_FONT (env LINGJUN_CJK_FONT; for a collection the face is the "#n" suffix,
settings.CJK_FONT_INDEX or the one whose family name ends in "SC"), else from `lingjun.core.pdf.find_cjk_font`,
which the other PDF documents use. `scripts/system-deps.sh` (run by `make setup`) installs fonts-noto-cjk.
"""

from __future__ import annotations

import array
import functools
import hashlib
import logging
import struct
import sys
import threading
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import PDFFontDescriptor, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFContentStream, PDFFont, PDFFontStream
from fpdf.syntax import Name, PDFArray

from lingjun.core.errors import DomainError
from lingjun.core.pdf import INSTALL_HINT, FontMissing, find_cjk_font

log = logging.getLogger("lingjun.certificates")

FAMILY = "lingjuncjk"
MAX_CURVE_ERROR = 1.0  # font units (1/1000 em for Noto): invisible at any print size


class MissingGlyphs(DomainError):
    status = 409
    code = "unsupported_character"

    def __init__(self, chars: list[str]):
        self.chars = chars
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in chars[:5])
        super().__init__(detail=f"证书字体中没有以下字符：{shown}。请核对姓名或单位名称的写法。")


def font_source() -> tuple[Path, int]:
    """(font file, face index): settings.CJK_FONT (env LINGJUN_CJK_FONT, ``/path/font.ttc`` or
    ``/path/font.ttc#2``), else the platform's PDF font (`lingjun.core.pdf.find_cjk_font`: LINGJUN_PDF_FONT,
    then the usual places of Noto Sans CJK SC)."""
    return _font_source(getattr(settings, "CJK_FONT", "") or "", getattr(settings, "CJK_FONT_INDEX", None))


@functools.cache
def _font_source(configured: str, index) -> tuple[Path, int]:
    if configured:
        path, _, number = configured.partition("#")
        if not Path(path).is_file():
            raise FontMissing(detail=f"LINGJUN_CJK_FONT 指向的字体文件不存在：{path}。" + INSTALL_HINT)
        if number.isdigit():
            index = int(number)
        return Path(path), int(index) if index is not None else _simplified_chinese_face(Path(path))
    path, number = find_cjk_font()
    return Path(path), int(index) if index is not None else number


def _simplified_chinese_face(path: Path) -> int:
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for i, face in enumerate(collection.fonts):
            family = face["name"].getBestFamilyName() or ""
            if family.endswith(" SC") and "Mono" not in family:
                return i
    finally:
        collection.close()
    return 0


# --- glyph cache and TrueType assembly ------------------------------------------------------------------


def _checksum(data: bytes) -> int:
    """OpenType table checksum: the sum of big-endian uint32s, the data zero-padded to a multiple of 4."""
    words = array.array("I", _pad4(data))
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


class CJKFace:
    """One parsed face: the master fpdf2 font, its raw tables and the converted-glyph cache."""

    def __init__(self, path: Path, index: int):
        self.path, self.index = path, index
        self.mtime = path.stat().st_mtime
        pdf = FPDF()
        pdf.add_font(FAMILY, fname=str(path), collection_font_number=index)
        self.master: TTFFont = pdf.fonts[FAMILY]
        tt = self.master.ttfont
        self.cmap: dict[int, str] = self.master.cmap
        self.metrics = tt["hmtx"].metrics
        self._glyph_set = tt.getGlyphSet()
        self._raw = {tag: tt.reader[tag] for tag in ("head", "hhea", "OS/2", "post") if tag in tt.reader}
        self._glyphs: dict[str, tuple[bytes, int, int, int]] = {}
        self._lock = threading.RLock()
        self.family_name = self.master.name

    def missing(self, text: str) -> list[str]:
        """Characters of `text` the face cannot draw (controls and spaces aside)."""
        out = []
        for ch in dict.fromkeys(text):
            if ord(ch) not in self.cmap and not ch.isspace() and ch.isprintable():
                out.append(ch)
        return out

    def glyph(self, name: str) -> tuple[bytes, int, int, int]:
        """(glyf bytes, xMin, points, contours) of a source glyph, converted once."""
        hit = self._glyphs.get(name)
        if hit is not None:
            return hit
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.recordingPen import DecomposingRecordingPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        with self._lock:  # fontTools' lazy tables are not thread-safe
            hit = self._glyphs.get(name)
            if hit is not None:
                return hit
            recording = DecomposingRecordingPen(self._glyph_set)
            self._glyph_set[name].draw(recording)
            pen = TTGlyphPen(None)
            recording.replay(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=self.master.is_cff))
            g = pen.glyph()
            if g.numberOfContours:
                data = g.compile(None)
                hit = (data, g.xMin, len(g.coordinates), g.numberOfContours)
            else:
                hit = (b"", 0, 0, 0)
            self._glyphs[name] = hit
            return hit

    def warm(self, text: str) -> None:
        for ch in set(text):
            name = self.cmap.get(ord(ch))
            if name:
                self.glyph(name)

    def truetype(self, order: list[str | None], unicodes: dict[int, int]) -> bytes:
        """A minimal TrueType font whose glyph id i is source glyph `order[i]` (None → empty glyph);
        `unicodes` maps code points to glyph ids for the font's own cmap."""
        glyf, loca, hmtx = [], [0], []
        offset = max_points = max_contours = 0
        for name in order:
            data, xmin, points, contours = self.glyph(name) if name else (b"", 0, 0, 0)
            data = _pad4(data)
            glyf.append(data)
            offset += len(data)
            loca.append(offset)
            advance = self.metrics[name][0] if name else 0
            hmtx.append(struct.pack(">Hh", advance, xmin))
            max_points, max_contours = max(max_points, points), max(max_contours, contours)
        n = len(order)
        head = bytearray(self._raw["head"][:54])
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        head[52:54] = struct.pack(">h", 0)
        hhea = bytearray(self._raw["hhea"][:36])
        hhea[34:36] = struct.pack(">H", n)
        post = bytearray(self._raw["post"][:32]) if "post" in self._raw else bytearray(32)
        post[0:4] = struct.pack(">I", 0x00030000)
        tables = {
            b"cmap": _cmap(unicodes),
            b"glyf": b"".join(glyf),
            b"head": bytes(head),
            b"hhea": bytes(hhea),
            b"hmtx": b"".join(hmtx),
            b"loca": struct.pack(f">{n + 1}I", *loca),
            b"maxp": struct.pack(
                ">IHHHHHHHHHHHHHH", 0x00010000, n, max_points, max_contours, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0
            ),
            b"name": _name_table("LingjunCJK"),
            b"post": bytes(post),
        }
        if "OS/2" in self._raw:
            tables[b"OS/2"] = self._raw["OS/2"]
        return _sfnt(tables)


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    num = len(tags)
    power = 1 << (num.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, num, power * 16, power.bit_length() - 1, num * 16 - power * 16)
    offset = 12 + 16 * num
    records, body, total, head_at = [], [], 0, 0
    for tag in tags:
        data = _pad4(tables[tag])
        checksum = _checksum(data)
        total += checksum
        if tag == b"head":
            head_at = offset
        records.append(struct.pack(">4sIII", tag, checksum, offset, len(tables[tag])))
        body.append(data)
        offset += len(data)
    directory = header + b"".join(records)
    font = bytearray(directory + b"".join(body))
    # The whole font's checksum is the sum of its (padded) parts: no second pass over the glyph data.
    adjustment = (0xB1B0AFBA - (total + _checksum(directory))) & 0xFFFFFFFF
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _cmap(unicodes: dict[int, int]) -> bytes:
    """cmap with a format 4 (BMP) and a format 12 (all planes) subtable for Windows Unicode."""
    items = sorted(unicodes.items())
    bmp = [(c, g) for c, g in items if c <= 0xFFFF and c != 0xFFFF] + [(0xFFFF, 0)]
    seg = len(bmp)
    power = 1 << (seg.bit_length() - 1)
    ends = [c for c, _ in bmp]
    deltas = [((g - c) & 0xFFFF) if c != 0xFFFF else 1 for c, g in bmp]
    f4 = struct.pack(">HHH", 4, 16 + 8 * seg, 0) + struct.pack(
        ">HHHH", seg * 2, power * 2, power.bit_length() - 1, seg * 2 - power * 2
    )
    f4 += struct.pack(f">{seg}H", *ends) + b"\0\0" + struct.pack(f">{seg}H", *ends)
    f4 += struct.pack(f">{seg}H", *deltas) + struct.pack(f">{seg}H", *([0] * seg))
    groups = []
    for c, g in items:
        if groups and groups[-1][1] == c - 1 and groups[-1][2] + (c - groups[-1][0]) == g:
            groups[-1][1] = c
        else:
            groups.append([c, c, g])
    f12 = struct.pack(">HHIII", 12, 0, 16 + 12 * len(groups), 0, len(groups))
    f12 += b"".join(struct.pack(">III", *grp) for grp in groups)
    head = struct.pack(">HH", 0, 2) + struct.pack(">HHI", 3, 1, 20) + struct.pack(">HHI", 3, 10, 20 + len(f4))
    return head + f4 + f12


def _name_table(family: str) -> bytes:
    strings = [(1, family), (2, "Regular"), (4, family), (6, family)]
    encoded = [s.encode("utf-16-be") for _, s in strings]
    storage_at = 6 + 12 * len(strings)
    out, at = [struct.pack(">HHH", 0, len(strings), storage_at)], 0
    for (name_id, _), data in zip(strings, encoded, strict=True):
        out.append(struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(data), at))
        at += len(data)
    return b"".join(out) + b"".join(encoded)


# --- fpdf2 integration -----------------------------------------------------------------------------------


class FastCJKFont(TTFFont):
    """A per-document clone of the master font; embedded by `CJKOutputProducer`, not by fpdf2's subsetter."""

    __slots__ = ("face",)


_face: CJKFace | None = None
_face_lock = threading.Lock()


def face() -> CJKFace:
    """The process-wide face, parsed on first use (about a second) and re-read if the file changes."""
    global _face
    path, index = font_source()
    current = _face
    if (
        current is not None
        and current.path == path
        and current.index == index
        and current.mtime == path.stat().st_mtime
    ):
        return current
    with _face_lock:
        if _face is None or (_face.path, _face.index, _face.mtime) != (path, index, path.stat().st_mtime):
            _face = CJKFace(path, index)
        return _face


def use_cjk_font(pdf: FPDF, family: str = FAMILY, face_: CJKFace | None = None) -> str:
    """Make the CJK face available in `pdf` as `family` (for `pdf.set_font(family, ...)`)."""
    f = face_ or face()
    master = f.master
    clone = FastCJKFont.__new__(FastCJKFont)
    for slot in TTFFont.__slots__:
        if hasattr(master, slot):
            setattr(clone, slot, getattr(master, slot))
    clone.face = f
    clone.i = len(pdf.fonts) + 1
    clone.fontkey = family
    clone.is_cff = clone.is_cid_keyed = False
    clone.cff_ros = None
    clone._hbfont = None
    clone.color_font = None
    clone.missing_glyphs = []
    clone.biggest_size_pt = 0
    clone.subset = SubsetMap(clone)
    pdf.fonts[family] = clone
    return family


class CJKOutputProducer(OutputProducer):
    """fpdf2's output, except that `FastCJKFont`s are embedded from the glyph cache (see module docstring)."""

    def _add_fonts(self, *args, **kwargs):
        fonts = self.fpdf.fonts
        fast = [f for f in fonts.values() if isinstance(f, FastCJKFont)]
        if not fast:
            return super()._add_fonts(*args, **kwargs)
        everything = dict(fonts)  # fpdf2's registry itself (a read-only property): hide ours, then restore
        for key in [k for k, f in everything.items() if isinstance(f, FastCJKFont)]:
            del fonts[key]
        try:
            objs = super()._add_fonts(*args, **kwargs)
        finally:
            fonts.clear()
            fonts.update(everything)
        for font in fast:
            objs[font.i] = self._embed_fast(font)
        return objs

    def _embed_fast(self, font: FastCJKFont) -> PDFFont:
        used = sorted((code, glyph) for glyph, code in font.subset.items() if glyph is not None)
        order: list[str | None] = [None] * (used[-1][0] + 1 if used else 1)
        unicodes, widths, bfchar = {}, [], []
        for code, glyph in used:
            order[code] = glyph.glyph_name
            widths.append((code, glyph.glyph_width))
            chars = glyph.unicode if isinstance(glyph.unicode, tuple) else (glyph.unicode,)
            if len(chars) == 1 and chars[0] > 0:
                unicodes.setdefault(chars[0], code)
            if chars and chars != (0,):
                bfchar.append(f"<{code:04X}> <{''.join(_utf16_hex(c) for c in chars)}>\n")
        data = font.face.truetype(order, unicodes)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        fontname = f"{tag}+{font.name}"

        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2", base_font=fontname, d_w=font.desc.missing_width, w=_widths_array(widths)
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        to_unicode = PDFContentStream(_to_unicode_cmap(bfchar).encode("latin-1"), compress=True)
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        d = font.desc
        descriptor = PDFFontDescriptor(
            ascent=d.ascent,
            descent=d.descent,
            cap_height=d.cap_height,
            flags=d.flags,
            font_b_box=d.font_b_box,
            italic_angle=d.italic_angle,
            stem_v=d.stem_v,
            missing_width=d.missing_width,
        )
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        cid_font.c_i_d_to_g_i_d_map = Name("Identity")
        stream = PDFFontStream(contents=data)
        self._add_pdf_obj(stream, "fonts")
        descriptor.font_file2 = stream
        font.subset.pick.cache_clear()  # fpdf2's per-method caches would otherwise keep every document alive
        font.subset.get_glyph.cache_clear()
        return composite


def _utf16_hex(code: int) -> str:
    if code > 0xFFFF:
        code -= 0x10000
        return f"{0xD800 | (code >> 10):04X}{0xDC00 | (code & 0x3FF):04X}"
    return f"{code:04X}"


def _widths_array(widths: list[tuple[int, int]]) -> str:
    runs: list[tuple[int, list[int]]] = []
    for code, width in widths:
        if runs and runs[-1][0] + len(runs[-1][1]) == code:
            runs[-1][1].append(width)
        else:
            runs.append((code, [width]))
    return "[" + " ".join(f"{start} [{' '.join(str(w) for w in ws)}]" for start, ws in runs) + "]"


def _to_unicode_cmap(bfchar: list[str]) -> str:
    blocks = "".join(
        f"{len(bfchar[i : i + 100])} beginbfchar\n{''.join(bfchar[i : i + 100])}endbfchar\n"
        for i in range(0, len(bfchar), 100)
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )


def output(pdf: FPDF) -> bytes:
    """The finished document, with fast CJK fonts embedded."""
    return bytes(pdf.output(output_producer_class=CJKOutputProducer))


def fallback_font(pdf: FPDF, family: str = FAMILY) -> str:
    """fpdf2's standard embedding of the same face (about two seconds per document)."""
    path, index = font_source()
    pdf.add_font(family, fname=str(path), collection_font_number=index)
    return family
