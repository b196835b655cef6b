"""The evaluation report as the SME Bureau reads it: an xlsx workbook and a PDF with bar charts.

Both are drawn from `services.report` (already scoped and thresholded for the reader), so an institution's
download can never hold more than its page shows.
"""

from __future__ import annotations

from lingjun.core.exports import Sheet, xlsx_response
from lingjun.core.pdf import FAMILY, document, heading, pdf_response, table_style

from .models import DIMENSIONS

DIM_HEADERS = [label for _, label in DIMENSIONS]


def _fmt(value):
    return "—" if value is None else f"{value:.2f}"


def _dims(row) -> list:
    return [row.get(f) for f, _ in DIMENSIONS] + [row.get("overall")]


def sheets(data: dict) -> list[Sheet]:
    year = data["year"]
    note = f"机构只能看到至少 {data['min_answers']} 份评价支撑的数字；少于该数的行显示为空。评分为 1–5 分的平均值。"
    return [
        Sheet(
            "按机构",
            ["培训机构", "评价份数", *DIM_HEADERS, "综合"],
            [[r["name"], r["responses"], *_dims(r)] for r in data["by_institution"]],
            title=f"{year}年度培训评价汇总（按机构）",
            footnote=note,
            widths=[30, 10, 10, 10, 10, 10, 10],
        ),
        Sheet(
            "按班级",
            ["期次", "城市", "培训机构", "评价份数", *DIM_HEADERS, "综合"],
            [
                [f"第{r['number']}期", r["city"], r["institution"], r["responses"], *_dims(r)]
                for r in data["by_class"]
            ],
            title=f"{year}年度培训评价汇总（按班级）",
            footnote=note,
        ),
        Sheet(
            "按师资",
            ["授课教师", "工作单位", "评价人数", "评分次数", "平均分"],
            [
                [r["name"], r["affiliation"], r["responses"], r["ratings"], r["average"]]
                for r in data["by_faculty"]
            ],
            title=f"{year}年度课程评分（按师资）",
            footnote=note,
            widths=[14, 30, 10, 10, 10],
        ),
        Sheet(
            "按专题",
            ["专题", "评价人数", "评分次数", "平均分"],
            [[r["name"], r["responses"], r["ratings"], r["average"]] for r in data["by_topic"]],
            title=f"{year}年度课程评分（按专题）",
            footnote=note,
            widths=[30, 10, 10, 10],
        ),
        Sheet(
            "按形式",
            ["授课形式", "评价人数", "评分次数", "平均分"],
            [[r["name"], r["responses"], r["ratings"], r["average"]] for r in data["by_format"]],
            title=f"{year}年度课程评分（按授课形式）",
            footnote=note,
            widths=[16, 10, 10, 10],
        ),
    ]


def xlsx(data: dict):
    return xlsx_response(f"{data['year']}年度培训评价汇总.xlsx", sheets(data))


def _bar_chart(pdf, title: str, items: list[tuple[str, float | None]], scale_max: float = 5.0) -> None:
    """Horizontal bars, one per item, with the value printed at the end of each bar."""
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=8)
    label_w, bar_w, h = 52, pdf.epw - 52 - 14, 5.2
    for label, value in items:
        if pdf.get_y() + h + 2 > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, h, label[:22], align="R")
        x0 = pdf.l_margin + label_w
        pdf.set_fill_color(236, 239, 244)
        pdf.rect(x0, y + 0.6, bar_w, h - 1.2, style="F")
        if value is not None:
            pdf.set_fill_color(31, 94, 168)
            pdf.rect(x0, y + 0.6, bar_w * max(0.0, min(value, scale_max)) / scale_max, h - 1.2, style="F")
        pdf.set_xy(x0 + bar_w + 1, y)
        pdf.cell(12, h, _fmt(value))
        pdf.set_y(y + h + 0.6)
    pdf.ln(3)
    pdf.set_fill_color(255, 255, 255)  # tables drawn next must not inherit the bar colour
    pdf.set_font(FAMILY, size=10)


def _table(pdf, headers: list[str], rows: list[list]) -> None:
    with pdf.table(**table_style()) as table:
        table.row(headers)
        for row in rows:
            table.row(["—" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)) for v in row])
    pdf.ln(4)


def pdf(data: dict):
    year = data["year"]
    doc = document(title=f"{year}年度中小企业经营管理领军人才培训评价报告")
    doc.add_page()
    total = data["total"]
    heading(
        doc,
        f"{year}年度培训评价报告",
        f"共收到学员评价 {total['responses']} 份 · 评分 1–5 分 · 机构仅见至少 {data['min_answers']} 份评价支撑的数字",
    )
    _bar_chart(
        doc,
        "一、总体评价（各维度平均分）",
        [(label, total.get(field)) for field, label in DIMENSIONS] + [("综合", total.get("overall"))],
    )
    _bar_chart(doc, "二、各培训机构综合评分", [(r["name"], r["overall"]) for r in data["by_institution"]])
    _table(
        doc,
        ["培训机构", "份数", *DIM_HEADERS, "综合"],
        [[r["name"], r["responses"], *_dims(r)] for r in data["by_institution"]],
    )
    _bar_chart(
        doc,
        "三、各期综合评分",
        [(f"第{r['number']}期（{r['city']}）", r["overall"]) for r in data["by_class"]],
    )
    if data["by_faculty"]:
        _bar_chart(
            doc,
            "四、授课教师课程评分（前 15 位）",
            [(r["name"], r["average"]) for r in data["by_faculty"][:15]],
        )
    if data["by_topic"]:
        _bar_chart(doc, "五、专题课程评分", [(r["name"], r["average"]) for r in data["by_topic"]])
    if data["by_format"]:
        _bar_chart(doc, "六、授课形式评分", [(r["name"], r["average"]) for r in data["by_format"]])
    return pdf_response(doc, f"{year}年度培训评价报告.pdf")
