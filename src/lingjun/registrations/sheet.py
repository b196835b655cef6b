"""The 附件4 sheet: its fixed columns and how each maps to the registration input (SPEC §3.2)."""

from __future__ import annotations

# (header, input path, kind) in the fixed order regions fill offline. kind: text | bool | number | list | seq
COLUMNS: list[tuple[str, str, str]] = [
    ("序号", "", "seq"),
    ("姓名", "trainee.name", "text"),
    ("性别", "trainee.gender", "text"),
    ("民族", "trainee.ethnicity", "text"),
    ("身份证号", "trainee.id_number", "text"),
    ("政治面貌", "trainee.political_status", "text"),
    ("学历", "trainee.education", "text"),
    ("职务", "trainee.position", "text"),
    ("是否企业主要负责人（一把手）", "trainee.is_principal", "bool"),
    ("非一把手参训说明", "trainee.principal_justification", "text"),
    ("手机", "trainee.mobile", "text"),
    ("电子邮箱", "trainee.email", "text"),
    ("企业名称", "enterprise.name", "text"),
    ("统一社会信用代码", "enterprise.credit_code", "text"),
    ("所属行业代码（GB/T 4754）", "enterprise.industry_division", "text"),
    ("从业人员（人）", "enterprise.employees", "number"),
    ("营业收入（万元）", "enterprise.revenue", "number"),
    ("资产总额（万元）", "enterprise.total_assets", "number"),
    ("企业资质", "enterprise.qualifications", "list"),
    ("企业地址", "enterprise.address", "text"),
    ("意向期次", "preferred_classes", "list"),
    ("本人自愿参训", "declarations.voluntary", "bool"),
    ("无违法犯罪及不良从业记录", "declarations.no_bad_record", "bool"),
    ("身体健康能坚持参训", "declarations.fit_to_attend", "bool"),
]
HEADERS = [c[0] for c in COLUMNS]
HEADER_BY_FIELD = {path: header for header, path, _ in COLUMNS if path}
# Fields an error may name that are not columns themselves.
HEADER_BY_FIELD.update({"region": "推荐地区", "file": "文件"})
SHEET_NAME = "附件4"

POLITICAL_STATUSES = ["中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众"]
EDUCATIONS = ["博士研究生", "硕士研究生", "本科", "大专", "中专", "高中", "其他"]
YES_NO = ["是", "否"]


def column_of(field: str) -> str:
    return HEADER_BY_FIELD.get(field, HEADER_BY_FIELD.get(field.split(".")[0], field))


_PLAN = [
    (i, *path.partition(".")[::2], kind in ("text", "list"))
    for i, (_, path, kind) in enumerate(COLUMNS)
    if path
]


def row_to_input(values: list) -> dict:
    """One sheet row (cells in COLUMNS order) → the nested input `clean_registration` takes."""
    data: dict = {"trainee": {}, "enterprise": {}, "declarations": {}}
    n = len(values)
    for i, head, tail, textual in _PLAN:
        value = values[i] if i < n else ""
        if value.__class__ is str:
            value = value.strip()
        elif textual and isinstance(value, float) and value.is_integer():
            value = str(int(value))  # calamine gives numbers for cells typed as numbers
        if tail:
            data[head][tail] = value
        else:
            data[head] = value
    return data
