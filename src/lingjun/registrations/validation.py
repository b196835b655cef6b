"""Cleaning of one registration's input (附件4 row, web form or API body) — SPEC §3.2 R4, R5.

One function serves the form, the API and the sheet import, so a rule is written once. Field names are the
API's dotted paths (`trainee.id_number`); the importer maps them to 附件4 column headers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lingjun.core.errors import FieldIssue
from lingjun.core.validators import check_email, check_mobile, check_required
from lingjun.reference import sizing

from .identity import IdentityError, check_credit_code, check_id_number

GENDERS = {"M": "M", "F": "F", "男": "M", "女": "F"}


@dataclass
class CleanTrainee:
    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: datetime.date
    political_status: str
    education: str
    position: str
    mobile: str
    email: str


@dataclass
class CleanEnterprise:
    name: str
    credit_code: str
    industry_division: str
    employees: int
    revenue: Decimal
    total_assets: Decimal
    qualifications: list[str]
    address: str
    size_class: str = ""
    is_manufacturing: bool = False


@dataclass
class CleanRegistration:
    trainee: CleanTrainee | None
    enterprise: CleanEnterprise | None
    is_principal: bool
    principal_justification: str
    declarations: dict
    preferred_classes: list[int]
    errors: list[FieldIssue] = field(default_factory=list)


class Context:
    """What cleaning needs from the database, loaded once (an import cleans thousands of rows)."""

    def __init__(self, size_version: str | None = None, today: datetime.date | None = None):
        from lingjun.reference.models import IndustrySection, Qualification

        self.size_version = size_version or sizing.latest_version()
        self.today = today or datetime.date.today()
        sections = list(IndustrySection.objects.all())
        self.divisions = {
            f"{d:02d}": s.section for s in sections for d in range(s.division_from, s.division_to + 1)
        }
        quals = list(Qualification.objects.filter(active=True))
        self.qualification_codes = {q.code for q in quals}
        self.qualification_by_name = {q.name: q.code for q in quals}


def _text(errors, data, key, fname, label, max_length, required=True):
    value = data.get(key)
    if not required and (value is None or str(value).strip() == ""):
        return ""
    return check_required(errors, fname, value, label, max_length)


def _number(errors, fname, value, label, integer=False):
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldIssue(fname, "required", f"请填写{label}。"))
        return None
    if isinstance(value, bool):
        errors.append(FieldIssue(fname, "invalid_number", f"{label}须为数字。"))
        return None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors.append(FieldIssue(fname, "invalid_number", f"{label}须为数字。"))
        return None
    if not d.is_finite() or d < 0 or d > Decimal("1e11"):
        errors.append(FieldIssue(fname, "invalid_number", f"{label}须为不小于0的数。"))
        return None
    if integer:
        if d != d.to_integral_value():
            errors.append(FieldIssue(fname, "invalid_integer", f"{label}须为整数。"))
            return None
        return int(d)
    return d.quantize(Decimal("0.01"))


def clean_trainee(data: dict, ctx: Context, errors: list) -> CleanTrainee | None:
    n = len(errors)
    name = _text(errors, data, "name", "trainee.name", "姓名", 50)
    id_number, birth, id_gender = "", None, ""
    try:
        id_number, birth, id_gender = check_id_number(data.get("id_number"), today=ctx.today)
    except IdentityError as exc:
        errors.append(
            FieldIssue("trainee.id_number", exc.code if exc.code != "required" else "required", exc.message)
        )
    gender = data.get("gender")
    if gender not in (None, ""):
        g = GENDERS.get(str(gender).strip())
        if g is None:
            errors.append(FieldIssue("trainee.gender", "invalid_choice", "性别须为“男”或“女”。"))
        elif id_gender and g != id_gender:
            errors.append(FieldIssue("trainee.gender", "gender_mismatch", "性别与身份证号不一致，请核对。"))
    ethnicity = _text(errors, data, "ethnicity", "trainee.ethnicity", "民族", 20)
    political = _text(errors, data, "political_status", "trainee.political_status", "政治面貌", 20)
    education = _text(errors, data, "education", "trainee.education", "学历", 20)
    position = _text(errors, data, "position", "trainee.position", "职务", 60)
    mobile = check_mobile(errors, "trainee.mobile", data.get("mobile"), "手机")
    email = check_email(errors, "trainee.email", data.get("email"), "电子邮箱")
    if len(errors) > n:
        return None
    return CleanTrainee(
        name, id_gender, ethnicity, id_number, birth, political, education, position, mobile, email
    )


def clean_enterprise(data: dict, ctx: Context, errors: list) -> CleanEnterprise | None:
    n = len(errors)
    name = _text(errors, data, "name", "enterprise.name", "企业名称", 200)
    credit_code = ""
    try:
        credit_code = check_credit_code(data.get("credit_code"))
    except IdentityError as exc:
        errors.append(FieldIssue("enterprise.credit_code", exc.code, exc.message))
    division = str(data.get("industry_division") or "").strip()
    if division.endswith(".0"):  # a spreadsheet turned "39" into 39.0
        division = division[:-2]
    if len(division) == 1 and division.isdigit():
        division = "0" + division
    if not division:
        errors.append(
            FieldIssue("enterprise.industry_division", "required", "请填写所属行业代码（GB/T 4754）。")
        )
    elif not (division.isdigit() and 2 <= len(division) <= 4 and division[:2] in ctx.divisions):
        errors.append(
            FieldIssue(
                "enterprise.industry_division",
                "invalid_industry",
                "所属行业代码须为 GB/T 4754-2017 的2—4位行业代码，如制造业“39”。",
            )
        )
    employees = _number(errors, "enterprise.employees", data.get("employees"), "从业人员", integer=True)
    revenue = _number(errors, "enterprise.revenue", data.get("revenue"), "营业收入（万元）")
    assets = _number(errors, "enterprise.total_assets", data.get("total_assets"), "资产总额（万元）")
    quals_raw = data.get("qualifications") or []
    if not isinstance(quals_raw, list | tuple):  # one scalar (a JSON number, a spreadsheet cell)
        quals_raw = str(quals_raw)
    if isinstance(quals_raw, str):
        quals_raw = [q for q in quals_raw.replace("，", "、").replace(",", "、").split("、")]
    quals = []
    for q in quals_raw:
        q = str(q).strip()
        if not q:
            continue
        code = q if q in ctx.qualification_codes else ctx.qualification_by_name.get(q)
        if code is None:
            errors.append(
                FieldIssue("enterprise.qualifications", "unknown_qualification", f"未知的企业资质“{q}”。")
            )
        elif code not in quals:
            quals.append(code)
    address = _text(errors, data, "address", "enterprise.address", "企业地址", 300)
    if len(errors) > n:
        return None
    ent = CleanEnterprise(name, credit_code, division, employees, revenue, assets, quals, address)
    ent.size_class = sizing.classify(ctx.size_version, division, employees, revenue, assets)
    ent.is_manufacturing = ctx.divisions.get(division[:2]) == "C"
    if ent.size_class == "large":
        errors.append(
            FieldIssue(
                "enterprise.employees",
                "not_sme",
                "按《中小企业划型标准规定》，该企业的从业人员、营业收入或资产总额超出中小企业标准，不能报名。",
            )
        )
        return None
    return ent


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return None
    v = str(value).strip().lower()
    if v in ("是", "true", "1", "yes", "y", "on"):
        return True
    if v in ("否", "false", "0", "no", "n", "off"):
        return False
    return None


def clean_registration(data: dict, ctx: Context, *, require_declarations: bool) -> CleanRegistration:
    errors: list[FieldIssue] = []
    trainee_data = data.get("trainee") or {}
    enterprise_data = data.get("enterprise") or {}
    trainee = clean_trainee(trainee_data, ctx, errors)
    enterprise = clean_enterprise(enterprise_data, ctx, errors)
    raw = trainee_data.get("is_principal")
    is_principal = True if raw in (None, "") else _bool(raw)
    if is_principal is None:
        errors.append(
            FieldIssue("trainee.is_principal", "invalid_boolean", "是否企业主要负责人须填“是”或“否”。")
        )
        is_principal = True
    justification = str(trainee_data.get("principal_justification") or "").strip()
    if not is_principal and not justification:
        # R4: the notice asks for the principal leader “in principle”; anyone else needs a written reason.
        errors.append(
            FieldIssue(
                "trainee.principal_justification",
                "justification_required",
                "学员不是企业主要负责人（一把手）时，须填写参训说明。",
            )
        )
    decl_data = data.get("declarations") or {}
    declarations = {}
    labels = {
        "voluntary": "本人自愿参训",
        "no_bad_record": "无违法犯罪及不良从业记录",
        "fit_to_attend": "身体健康能坚持参训",
    }
    for key, label in labels.items():
        v = _bool(decl_data.get(key))
        declarations[key] = bool(v)
        if require_declarations and v is not True:
            errors.append(
                FieldIssue(f"declarations.{key}", "declaration_required", f"须确认“{label}”后才能提交。")
            )
    preferred = []
    raw_pref = data.get("preferred_classes") or []
    if not isinstance(raw_pref, list | tuple):  # one scalar: 3, or a cell Excel turned into a date
        raw_pref = str(raw_pref)
    if isinstance(raw_pref, str):
        raw_pref = [p for p in raw_pref.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    for p in raw_pref:
        try:
            n = int(str(p).strip().removeprefix("第").removesuffix("期"))
            if n < 1 or n > 500:
                raise ValueError
            if n not in preferred:
                preferred.append(n)
        except (TypeError, ValueError):
            errors.append(
                FieldIssue(
                    "preferred_classes", "invalid_preferred_classes", "意向期次须为期次编号，如“3、5”。"
                )
            )
            break
    return CleanRegistration(
        trainee, enterprise, is_principal, justification, declarations, preferred[:5], errors
    )
