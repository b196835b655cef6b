"""Well-formed fake people and enterprises (valid GB 11643 IDs, GB 32100 codes) for tests, benchmarks and
demo data. Deterministic for a given seed."""

from __future__ import annotations

import datetime
import random

from stdnum.cn import ric, uscc

from .identity import organisation_code_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰凤海波宁文斌辉鹏飞宇浩然晨阳欣怡子涵梓萱诗琪雨泽"
PLACE = "华东南北中新恒瑞泰丰盛达通宏远博创科智联鼎金银星光明德信安康"
TRADE = [
    "精密机械",
    "智能装备",
    "新材料",
    "电子科技",
    "生物医药",
    "汽车零部件",
    "软件",
    "环保科技",
    "食品",
    "纺织",
]
AREA_BY_REGION = {
    "110000": "110101",
    "310000": "310101",
    "330000": "330106",
    "440000": "440106",
    "510000": "510104",
    "320000": "320102",
    "370000": "370102",
    "420000": "420102",
}


def id_number(
    rng: random.Random, region: str = "110000", birth: datetime.date | None = None, female=None
) -> str:
    area = AREA_BY_REGION.get(region, region[:2] + "0101")
    if birth is None:
        birth = datetime.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(0, 99)
    sex = (
        rng.randint(0, 9)
        if female is None
        else (rng.choice((0, 2, 4, 6, 8)) if female else rng.choice((1, 3, 5, 7, 9)))
    )
    body = f"{area}{birth:%Y%m%d}{seq:02d}{sex}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(rng: random.Random, region: str = "110000") -> str:
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org_body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = org_body + organisation_code_check_char(org_body)
    if any(c not in alnum for c in org):  # GB 32100 excludes I, O, Z, S, V
        return credit_code(rng, region)
    body = "91" + region[:6] + org
    return body + uscc.calc_check_digit(body)


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def registration_payload(rng: random.Random, region: str = "110000", *, manufacturing=True) -> dict:
    """An API body (API.md shape) for a valid SME registration."""
    division = (
        rng.choice(["39", "34", "26", "27", "36", "18"]) if manufacturing else rng.choice(["65", "51", "72"])
    )
    name = person_name(rng)
    return {
        "trainee": {
            "name": name,
            "gender": None,
            "ethnicity": "汉族",
            "id_number": id_number(rng, region),
            "political_status": rng.choice(["中共党员", "群众", "民主党派"]),
            "education": rng.choice(["本科", "硕士研究生", "博士研究生", "大专"]),
            "position": "董事长",
            "is_principal": True,
            "principal_justification": None,
            "mobile": mobile(rng),
            "email": f"u{rng.randint(10000, 99999999)}@example.cn",
        },
        "enterprise": {
            "name": f"{rng.choice(PLACE)}{rng.choice(PLACE)}{rng.choice(TRADE)}有限公司{rng.randint(1, 99999)}",
            "credit_code": credit_code(rng, region),
            "industry_division": division,
            "employees": rng.randint(20, 290),
            "revenue": rng.randint(500, 30000),
            "total_assets": rng.randint(500, 30000),
            "qualifications": rng.sample(
                ["little_giant", "provincial_specialized", "innovative_sme", "high_tech"], k=rng.randint(0, 2)
            ),
            "address": "某市某区某路1号",
        },
        "declarations": {"voluntary": True, "no_bad_record": True, "fit_to_attend": True},
        "preferred_classes": sorted(rng.sample(range(1, 11), k=2)),
        "submit": True,
    }


QUALIFICATION_LABELS = {
    "little_giant": "专精特新“小巨人”企业",
    "high_tech": "高新技术企业",
    "innovative_sme": "创新型中小企业",
    "provincial_specialized": "省级专精特新中小企业",
}


def workbook(n: int, rng: random.Random, region: str = "330000") -> bytes:
    """A filled-in 附件4 workbook of `n` valid rows for `region` (distinct people and enterprises), as a region
    officer would upload it. Used by benchmarks and load scripts."""
    import io

    import xlsxwriter

    from .sheet import HEADERS

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet("附件4")
    ws.write_row(0, 0, HEADERS)
    used = set()
    for i in range(1, n + 1):
        p = registration_payload(rng, region)
        t, e = p["trainee"], p["enterprise"]
        while e["credit_code"] in used or t["id_number"] in used:
            e["credit_code"], t["id_number"] = credit_code(rng, region), id_number(rng, region)
        used.update((e["credit_code"], t["id_number"]))
        ws.write_row(
            i,
            0,
            [
                i,
                t["name"],
                "",
                t["ethnicity"],
                t["id_number"],
                t["political_status"],
                t["education"],
                t["position"],
                "是",
                "",
                t["mobile"],
                t["email"],
                e["name"],
                e["credit_code"],
                e["industry_division"],
                e["employees"],
                e["revenue"],
                e["total_assets"],
                "、".join(QUALIFICATION_LABELS[q] for q in e["qualifications"]),
                e["address"],
                "3、5",
                "是",
                "是",
                "是",
            ],
        )
    wb.close()
    return buf.getvalue()
