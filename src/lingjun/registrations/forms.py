"""Forms of the registration pages. They render the fields and keep what was typed; every rule (required
fields, ID and credit-code checks, size class, declarations, quota, deadline) is the services' business, so a
person sees every problem of one registration at once, worded as the API and the 附件4 import word it."""

from __future__ import annotations

from django import forms

from lingjun.core.errors import DomainError, ValidationFailed
from lingjun.reference.models import IndustrySection, Qualification, Region

from .sheet import EDUCATIONS, POLITICAL_STATUSES

ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 "
    "锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

# Form field → the service's dotted field name (API.md paths, as in validation.py).
SERVICE_FIELD = {
    "name": "trainee.name",
    "id_number": "trainee.id_number",
    "ethnicity": "trainee.ethnicity",
    "political_status": "trainee.political_status",
    "education": "trainee.education",
    "position": "trainee.position",
    "is_principal": "trainee.is_principal",
    "principal_justification": "trainee.principal_justification",
    "mobile": "trainee.mobile",
    "email": "trainee.email",
    "enterprise_name": "enterprise.name",
    "credit_code": "enterprise.credit_code",
    "industry_division": "enterprise.industry_division",
    "employees": "enterprise.employees",
    "revenue": "enterprise.revenue",
    "total_assets": "enterprise.total_assets",
    "qualifications": "enterprise.qualifications",
    "address": "enterprise.address",
    "preferred_classes": "preferred_classes",
    "declared_voluntary": "declarations.voluntary",
    "declared_no_bad_record": "declarations.no_bad_record",
    "declared_fit": "declarations.fit_to_attend",
    "region": "region",
    "late_reason": "late_reason",
}
FORM_FIELD = {v: k for k, v in SERVICE_FIELD.items()}
# The gender is read from the ID number, so a disagreement is the ID number's field.
FORM_FIELD["trainee.gender"] = "id_number"


def show_refusal(form, exc: DomainError) -> None:
    """A refusal of the services on the form: each field's message under that field (dotted service names
    mapped to form fields), and above the form the refusal itself — unless it is only the count of the field
    errors, which the form's error summary lists anyway. A message without a field of its own goes on top."""
    placed = False
    for issue in exc.errors:
        name = FORM_FIELD.get(issue.field)
        if name in form.fields:
            if issue.message not in form.errors.get(name, []):
                form.add_error(name, issue.message)
            placed = True
        elif issue.message != exc.detail:
            form.add_error(None, issue.message)
    if not (isinstance(exc, ValidationFailed) and placed):
        form.add_error(None, exc.detail)


def _choices_with(values, current) -> list[tuple[str, str]]:
    """A select's choices; a stored value that is not in the list (an older import) stays selectable."""
    out = [("", "请选择")] + [(v, v) for v in values]
    if current and current not in values:
        out.append((current, current))
    return out


class RegistrationForm(forms.Form):
    # 学员
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "18位，末位可为X"}
        ),
        help_text="性别与出生日期由身份证号自动识别。",
    )
    ethnicity = forms.CharField(
        label="民族",
        max_length=20,
        initial="汉族",
        widget=forms.TextInput(attrs={"list": "ethnicities", "autocomplete": "off"}),
    )
    political_status = forms.ChoiceField(label="政治面貌")
    education = forms.ChoiceField(label="学历")
    position = forms.CharField(
        label="职务", max_length=60, widget=forms.TextInput(attrs={"placeholder": "如 董事长、总经理"})
    )
    is_principal = forms.ChoiceField(
        label="是否企业主要负责人（一把手）",
        choices=[("1", "是"), ("0", "否")],
        initial="1",
        widget=forms.RadioSelect(attrs={"data-principal": ""}),
    )
    principal_justification = forms.CharField(
        label="非一把手参训说明",
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "如：企业主要负责人因故不能参训，由分管生产的副总经理参训"}
        ),
        help_text="原则上应为企业主要负责人；不是一把手时须写明理由。",
    )
    mobile = forms.CharField(
        label="手机",
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "11位手机号，学员用它登录"}
        ),
    )
    email = forms.CharField(
        label="电子邮箱", max_length=254, widget=forms.EmailInput(attrs={"placeholder": "name@example.cn"})
    )
    # 企业
    enterprise_name = forms.CharField(label="企业名称", max_length=200)
    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "18位"}),
    )
    industry_division = forms.CharField(
        label="所属行业代码（GB/T 4754）",
        max_length=4,
        widget=forms.TextInput(
            attrs={
                "list": "industry-divisions",
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": "如 39",
                "data-industry": "",
            }
        ),
        help_text="2—4位国民经济行业代码；13—43为制造业。",
    )
    employees = forms.CharField(
        label="从业人员（人）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    revenue = forms.CharField(
        label="营业收入（万元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    total_assets = forms.CharField(
        label="资产总额（万元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    qualifications = forms.MultipleChoiceField(label="企业资质", widget=forms.CheckboxSelectMultiple)
    address = forms.CharField(label="企业地址", max_length=300)
    # 报名
    preferred_classes = forms.MultipleChoiceField(
        label="意向期次", widget=forms.CheckboxSelectMultiple, help_text="可多选，编班时尽量照顾。"
    )
    declared_voluntary = forms.BooleanField(label="本人自愿参训")
    declared_no_bad_record = forms.BooleanField(label="无违法犯罪及不良从业记录")
    declared_fit = forms.BooleanField(label="身体健康，能坚持参训")
    region = forms.ChoiceField(label="推荐地区")
    late_reason = forms.CharField(
        label="截止后补报理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="报名已截止；人才交流中心补报须写明理由，理由记入审计记录。",
    )

    OPTIONAL = {"principal_justification", "qualifications", "preferred_classes", "late_reason"}
    TRAINEE = (
        "name",
        "id_number",
        "ethnicity",
        "political_status",
        "education",
        "position",
        "mobile",
        "email",
    )
    ENTERPRISE = (
        "enterprise_name",
        "credit_code",
        "industry_division",
        "employees",
        "revenue",
        "total_assets",
        "address",
    )
    DECLARATIONS = ("declared_voluntary", "declared_no_bad_record", "declared_fit")

    def __init__(
        self,
        *args,
        programme,
        choose_region: bool = False,
        late: bool = False,
        id_on_file: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else self.initial
        self.fields["political_status"].choices = _choices_with(
            POLITICAL_STATUSES, data.get("political_status")
        )
        self.fields["education"].choices = _choices_with(EDUCATIONS, data.get("education"))
        self.fields["qualifications"].choices = [
            (q.code, q.name) for q in Qualification.objects.filter(active=True)
        ]
        self.fields["preferred_classes"].choices = [
            (str(n), f"第{n}期") for n in range(1, programme.planned_classes + 1)
        ]
        if choose_region:
            self.fields["region"].choices = [("", "请选择")] + [
                (r.code, r.name) for r in Region.objects.all()
            ]
        else:
            del self.fields["region"]
        if not late:
            del self.fields["late_reason"]
        if id_on_file:
            # The stored number is never shown in full (SPEC §5): left empty, it is kept.
            f = self.fields["id_number"]
            f.widget.attrs["placeholder"] = f"{id_on_file}（不修改请留空）"
            f.help_text = "已登记的身份证号不完整显示；如需更正，请输入完整的18位号码。"
            self.id_on_file = True
        else:
            self.id_on_file = False
        for name, field in self.fields.items():
            field.required = False
            field.show_required = name not in self.OPTIONAL and not name.startswith("declared_")
        if id_on_file:
            self.fields["id_number"].show_required = False

    @classmethod
    def initial_for(cls, reg) -> dict:
        t, e = reg.trainee, reg.enterprise
        return {
            "name": t.name,
            "ethnicity": t.ethnicity,
            "political_status": t.political_status,
            "education": t.education,
            "position": t.position,
            "is_principal": "1" if reg.is_principal else "0",
            "principal_justification": reg.principal_justification,
            "mobile": t.mobile,
            "email": t.email,
            "enterprise_name": e.name,
            "credit_code": e.credit_code,
            "industry_division": e.industry_division,
            "employees": e.employees,
            "revenue": e.revenue.normalize() if e.revenue % 1 else int(e.revenue),
            "total_assets": e.total_assets.normalize() if e.total_assets % 1 else int(e.total_assets),
            "qualifications": [q.code for q in e.qualifications.all()],
            "address": e.address,
            "preferred_classes": [str(n) for n in reg.preferred_classes],
            "declared_voluntary": reg.declared_voluntary,
            "declared_no_bad_record": reg.declared_no_bad_record,
            "declared_fit": reg.declared_fit,
        }

    def service_data(self, id_number_on_file: str = "") -> dict:
        """The nested input the services take (API.md shape)."""
        d = self.cleaned_data
        return {
            "trainee": {
                "name": d["name"],
                "id_number": d["id_number"] or id_number_on_file,
                "ethnicity": d["ethnicity"],
                "political_status": d["political_status"],
                "education": d["education"],
                "position": d["position"],
                "is_principal": d["is_principal"] != "0",
                "principal_justification": d["principal_justification"],
                "mobile": d["mobile"],
                "email": d["email"],
            },
            "enterprise": {
                "name": d["enterprise_name"],
                "credit_code": d["credit_code"],
                "industry_division": d["industry_division"],
                "employees": d["employees"],
                "revenue": d["revenue"],
                "total_assets": d["total_assets"],
                "qualifications": list(d["qualifications"]),
                "address": d["address"],
            },
            "declarations": {
                "voluntary": d["declared_voluntary"],
                "no_bad_record": d["declared_no_bad_record"],
                "fit_to_attend": d["declared_fit"],
            },
            "preferred_classes": [int(n) for n in d["preferred_classes"]],
        }


def industry_options() -> list[tuple[str, str]]:
    """GB/T 4754 divisions (大类) for the datalist, labelled with their section (门类)."""
    out = []
    for s in IndustrySection.objects.all():
        for d in range(s.division_from, s.division_to + 1):
            out.append((f"{d:02d}", f"{s.section} {s.name}"))
    return out


class ImportForm(forms.Form):
    file = forms.FileField(
        label="附件4工作簿（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    mode = forms.ChoiceField(
        label="有错误行时",
        widget=forms.RadioSelect,
        initial="partial",
        choices=[
            ("partial", "保留正确行：正确的行导入，错误的行退回修改"),
            ("all_or_nothing", "有错全部不导入：改正全部错误后再整体上传"),
        ],
    )
    region = forms.ChoiceField(label="推荐地区")

    def __init__(self, *args, choose_region: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_region:
            self.fields["region"].choices = [("", "请选择")] + [
                (r.code, r.name) for r in Region.objects.all()
            ]
        else:
            del self.fields["region"]
        for field in self.fields.values():
            field.required = False
            field.show_required = True


class AcceptInvitationForm(forms.Form):
    id_number_last6 = forms.CharField(
        label="身份证号后六位",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "text",
                "spellcheck": "false",
                "placeholder": "如 011237 或 01123X",
            }
        ),
    )
    password = forms.CharField(
        label="设置密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少8位，不要与手机号相同；以后用手机号和此密码登录。",
    )
    password2 = forms.CharField(
        label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    voluntary = forms.BooleanField(label="我本人自愿参加培训")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            field.show_required = name != "voluntary"

    def clean(self):
        d = super().clean()
        if not d.get("id_number_last6"):
            self.add_error("id_number_last6", "请填写身份证号后六位。")
        if not d.get("password"):
            self.add_error("password", "请设置密码。")
        elif d.get("password") != d.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        if not d.get("voluntary"):
            self.add_error("voluntary", "参训须出于本人自愿；请勾选后再确认。")
        return d
