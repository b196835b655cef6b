"""附件4 template and registration exports (through the one export helper)."""

from __future__ import annotations

from django.utils import timezone

from lingjun.core import audit
from lingjun.core.exports import Sheet, xlsx_response
from lingjun.reference.models import Qualification

from . import identity
from .sheet import COLUMNS, EDUCATIONS, HEADERS, POLITICAL_STATUSES, SHEET_NAME, YES_NO

EXAMPLE = [
    "1",
    "张三",
    "男",
    "汉族",
    "110101198001011237",
    "中共党员",
    "硕士研究生",
    "董事长",
    "是",
    "",
    "13800138000",
    "zhangsan@example.cn",
    "北京示例精密机械有限公司",
    "91110000MA01ABCD2X",
    "34",
    "120",
    "8000",
    "6000",
    "专精特新“小巨人”企业、高新技术企业",
    "北京市海淀区示例路1号",
    "3、5",
    "是",
    "是",
    "是",
]


def _col(header: str) -> int:
    return HEADERS.index(header)


def template_sheets(programme) -> list[Sheet]:
    validations = {_col("性别"): ["男", "女"], _col("政治面貌"): POLITICAL_STATUSES, _col("学历"): EDUCATIONS}
    for header, _path, kind in COLUMNS:
        if kind == "bool":
            validations[_col(header)] = YES_NO
    quals = "、".join(Qualification.objects.filter(active=True).values_list("name", flat=True))
    text_cols = {
        _col(h) for h in ("身份证号", "手机", "统一社会信用代码", "所属行业代码（GB/T 4754）", "意向期次")
    }
    main = Sheet(
        name=SHEET_NAME,
        title=f"{programme.year}年中小企业经营管理领军人才培训学员推荐表（附件4）",
        headers=HEADERS,
        rows=[],
        validations=validations,
        text_columns=text_cols,
        widths=[6, 10, 6, 8, 22, 12, 12, 14, 12, 24, 14, 24, 30, 22, 12, 12, 14, 14, 30, 30, 10, 10, 14, 14],
    )
    notes = Sheet(
        name="填写说明",
        headers=["列", "填写要求"],
        rows=[
            ["身份证号", "18位，末位可为X；请保持文本格式，不要让Excel转为数字。"],
            ["是否企业主要负责人（一把手）", "填“是”或“否”；填“否”时须填写“非一把手参训说明”。"],
            ["统一社会信用代码", "18位，系统校验GB 32100及其中组织机构代码（GB 11714）的校验码。"],
            ["所属行业代码（GB/T 4754）", "2—4位国民经济行业代码，如“39”计算机、通信和其他电子设备制造业。"],
            ["从业人员、营业收入、资产总额", "用于按《中小企业划型标准规定》判断企业规模，金额单位为万元。"],
            ["企业资质", f"可填多项，用顿号“、”分隔：{quals}。"],
            ["意向期次", "填期次编号，多个用顿号分隔，如“3、5”。"],
            ["三项声明", "本人自愿参训、无违法犯罪及不良从业记录、身体健康能坚持参训，均须填“是”。"],
            ["每家企业", "每家企业每年只能推荐一人参加一期培训。同一文件重复上传不会重复报名。"],
            ["示例（请勿照抄）", "　".join(f"{h}：{v}" for h, v in zip(HEADERS, EXAMPLE, strict=True) if v)],
        ],
        widths=[28, 100],
    )
    return [main, notes]


def template_response(programme):
    return xlsx_response(f"附件4_{programme.year}年学员推荐表模板.xlsx", template_sheets(programme))


def _row(i, reg, unmasked: bool, qual_names: dict) -> list:
    t, e = reg.trainee, reg.enterprise
    id_number = identity.decrypt_id(t.id_number_encrypted) if unmasked else t.id_number_masked
    return [
        i,
        t.name,
        t.get_gender_display(),
        t.ethnicity,
        id_number,
        t.political_status,
        t.education,
        t.position,
        "是" if reg.is_principal else "否",
        reg.principal_justification,
        t.mobile,
        t.email,
        e.name,
        e.credit_code,
        e.industry_division,
        e.employees,
        float(e.revenue),
        float(e.total_assets),
        "、".join(qual_names.get(q.code, q.code) for q in e.qualifications.all()),
        e.address,
        "、".join(str(n) for n in reg.preferred_classes),
        "是" if reg.declared_voluntary else "否",
        "是" if reg.declared_no_bad_record else "否",
        "是" if reg.declared_fit else "否",
        reg.region.name,
        reg.get_status_display(),
        "已确认" if reg.confirmed_at else "未确认",
        e.get_size_class_display(),
        "是" if e.is_manufacturing else "否",
    ]


def registrations_response(actor, programme, qs, *, unmasked: bool):
    """Export registrations in 附件4 order plus status columns. ID numbers are masked except in the
    centre-only export; every export of personal data is audited (SPEC §5)."""
    regs = list(qs.select_related("region", "trainee", "enterprise"))
    qual_names = dict(Qualification.objects.values_list("code", "name"))
    audit.record(
        actor,
        "registration.export_ids" if unmasked else "registration.export",
        programme,
        object_type="programme",
        after={"rows": len(regs), "unmasked": unmasked},
    )
    sheet = Sheet(
        name=SHEET_NAME,
        title=f"{programme.year}年中小企业经营管理领军人才培训学员名单",
        subtitle=f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"
        + ("（含完整身份证号，注意保密）" if unmasked else ""),
        headers=HEADERS + ["推荐地区", "状态", "本人确认", "企业规模", "制造业"],
        rows=(_row(i, r, unmasked, qual_names) for i, r in enumerate(regs, 1)),
        text_columns={HEADERS.index("身份证号"), HEADERS.index("统一社会信用代码")},
    )
    suffix = "_含身份证号" if unmasked else ""
    return xlsx_response(f"{programme.year}年学员名单{suffix}.xlsx", [sheet])
