"""The dashboard's tables as xlsx sheets (each table on its own, or all in one workbook)."""

from lingjun.core.errors import field_error
from lingjun.core.exports import Sheet, xlsx_response

TABLES = {"regions": "各地区报名情况", "mix": "学员结构", "classes": "班级与出勤", "all": "全部"}


def _pct(value):
    return None if value is None else round(value * 100, 1)


def region_sheet(data) -> Sheet:
    rows = [
        (
            r["region"],
            r["region_name"],
            r["quota"],
            r["submitted"],
            r["approved"],
            r["enrolled"],
            r["completed"],
            _pct(r["quota_used_share"]),
        )
        for r in data["by_region"]
    ]
    t = data["totals"]
    return Sheet(
        name="各地区",
        title=f"{data['year']}年 各地区名额与报名情况",
        subtitle=f"目标 {data['target']} 人；累计口径（已编班者同时计入已提交、已通过）",
        headers=["地区代码", "地区", "名额", "已提交", "审核通过", "已编班", "已结业", "名额使用率（%）"],
        rows=rows,
        total_row=[
            "",
            "全国合计",
            t["quota"],
            t["submitted"],
            t["approved"],
            t["enrolled"],
            t["completed"],
            _pct(data["target_share"]),
        ],
        widths=[10, 24, 8, 8, 10, 8, 8, 14],
        text_columns={0},
    )


def mix_sheets(data) -> list[Sheet]:
    share = _pct(data["manufacturing_share"])
    minimum = _pct(data["min_manufacturing_share"])
    out = [
        Sheet(
            name="制造业占比",
            headers=["指标", "数值"],
            rows=[
                ("制造业企业学员（人）", data["manufacturing"]),
                ("已提交学员（人）", data["totals"]["submitted"]),
                ("制造业占比（%）", share),
                ("最低要求（%）", minimum),
            ],
        )
    ]
    for key, name in (("qualification", "企业资质"), ("size", "企业规模"), ("industry", "所属行业")):
        out.append(
            Sheet(
                name=name,
                headers=[name, "人数"],
                rows=[(e["label"], e["count"]) for e in data["mix"][key]],
                widths=[30, 10],
            )
        )
    return out


def class_sheet(data) -> Sheet:
    rows = [
        (c["label"], c["institution"], c["capacity"], c["trainees"], _pct(c["fill"])) for c in data["classes"]
    ]
    a, comp = data["attendance"], data["completion"]
    return Sheet(
        name="班级与出勤",
        title=f"{data['year']}年 班级、出勤与结业",
        subtitle=(
            f"出勤率 {_pct(a['rate']) if a['rate'] is not None else '—'}%；"
            f"结业率 {_pct(comp['rate']) if comp['rate'] is not None else '—'}%"
            f"（结业 {comp['completed']} 人，未结业 {comp['not_completed']} 人）"
        ),
        headers=["班级", "承办机构", "容量", "学员", "满班率（%）"],
        rows=rows,
        total_row=[
            "合计",
            "",
            data["class_fill"]["capacity"],
            data["class_fill"]["trainees"],
            _pct(data["class_fill"]["fill"]),
        ],
        widths=[24, 30, 8, 8, 12],
    )


def stats_response(data, table: str):
    if table not in TABLES:
        raise field_error("table", "invalid_table", "table 须为 regions、mix、classes 或 all。")
    sheets = []
    if table in ("regions", "all"):
        sheets.append(region_sheet(data))
    if table in ("mix", "all"):
        sheets.extend(mix_sheets(data))
    if table in ("classes", "all"):
        sheets.append(class_sheet(data))
    return xlsx_response(f"{data['year']}年统计-{TABLES[table]}.xlsx", sheets)
