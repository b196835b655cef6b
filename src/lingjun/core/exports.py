"""One export helper for every sheet the platform hands out (xlsx and CSV from rows).

Every text the platform writes into a sheet (cells, headers, titles, footnotes; the import error workbook
too) passes through `write_cell` / `neutralise`, which defuses spreadsheet formula injection: a value that
starts with = + - @ (or a tab / carriage return, or their full-width forms, which WPS and Excel's IME input
treat alike, possibly after blanks) is prefixed with an apostrophe, as OWASP advises, so a trainee called
“=HYPERLINK(...)” is shown, never executed (Indico does the same in util/spreadsheets.py). Numbers are written
as numbers, so a negative amount is not touched.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def new_workbook(buffer) -> xlsxwriter.Workbook:
    """Workbooks never turn strings into formulas or links; `write_cell` does the rest."""
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


@dataclass
class Sheet:
    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    title: str | None = None
    subtitle: str | None = None
    total_row: Sequence | None = None
    widths: Sequence[int] | None = None
    footnote: str | None = None
    validations: dict[int, list[str]] = field(default_factory=dict)  # column index -> allowed values
    text_columns: set[int] = field(
        default_factory=set
    )  # stored as text (ID numbers must never become numbers)


def write_cell(ws, row, col, value, fmt=None, *, text: bool = False):
    """The one way a value reaches a sheet: neutralised, typed; `text` keeps numbers as text (ID numbers)."""
    value = neutralise(value)
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float | decimal.Decimal) and not text:
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, datetime.datetime | datetime.date):
        ws.write_string(row, col, value.isoformat()[:16].replace("T", " "), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def build_xlsx(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    title_fmt = wb.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    subtitle_fmt = wb.add_format({"align": "left", "font_name": "宋体"})
    head_fmt = wb.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "bg_color": "#EEF2F7",
            "text_wrap": True,
            "font_name": "宋体",
        }
    )
    cell_fmt = wb.add_format({"border": 1, "valign": "vcenter", "font_name": "宋体"})
    total_fmt = wb.add_format({"bold": True, "border": 1, "font_name": "宋体"})
    text_fmt = wb.add_format({"num_format": "@", "font_name": "宋体"})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name[:31])
        ncols = len(sheet.headers)
        r = 0
        if sheet.title:
            if ncols > 1:
                ws.merge_range(r, 0, r, ncols - 1, None, title_fmt)
            write_cell(ws, r, 0, sheet.title, title_fmt)
            ws.set_row(r, 32)
            r += 1
        if sheet.subtitle:
            write_cell(ws, r, 0, sheet.subtitle, subtitle_fmt)
            r += 1
        header_row = r
        for c, h in enumerate(sheet.headers):
            write_cell(ws, r, c, h, head_fmt)
        r += 1
        for values in sheet.rows:
            for c, v in enumerate(values):
                write_cell(ws, r, c, v, cell_fmt)
            r += 1
        last_data_row = r - 1
        if sheet.total_row is not None:
            for c, v in enumerate(sheet.total_row):
                write_cell(ws, r, c, v, total_fmt)
            r += 1
        if sheet.footnote:
            write_cell(ws, r + 1, 0, sheet.footnote, subtitle_fmt)
        widths = sheet.widths or [max(8, min(40, len(h) * 2 + 4)) for h in sheet.headers]
        for c, w in enumerate(widths):
            ws.set_column(c, c, w, text_fmt if c in sheet.text_columns else None)
        for col, values in sheet.validations.items():
            ws.data_validation(
                header_row + 1,
                col,
                max(last_data_row, header_row + 1000),
                col,
                {"validate": "list", "source": [neutralise(v) for v in values]},
            )
        ws.freeze_panes(header_row + 1, 0)
        ws.repeat_rows(header_row)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
    wb.close()
    return buffer.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    return _attachment(HttpResponse(build_xlsx(sheets), content_type=XLSX_MIME), filename)


def build_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for values in rows:
        writer.writerow(
            [
                "" if v is None else neutralise(v if not isinstance(v, bool) else ("是" if v else "否"))
                for v in values
            ]
        )
    # BOM so that Excel on Windows opens the UTF-8 file with Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    return _attachment(
        HttpResponse(build_csv(headers, rows), content_type="text/csv; charset=utf-8"), filename
    )
