from django import forms

from lingjun.institutions.models import Track


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=200)
    notice_number = forms.CharField(
        label="文号",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 工信厅企业函〔2024〕333号"}),
    )
    target_trainees = forms.IntegerField(label="目标培训人数", min_value=1)
    min_manufacturing_share = forms.DecimalField(
        label="制造业企业最低占比（%）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text="如 30 表示不少于30%；不设要求请留空。",
    )
    registration_deadline = forms.DateField(
        label="报名截止日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_classes = forms.IntegerField(label="计划期数", min_value=1)
    days_per_class = forms.IntegerField(label="每期天数", min_value=1, initial=4)
    tracks = forms.MultipleChoiceField(
        label="培训方向", choices=Track.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        share = d.get("min_manufacturing_share")
        d["min_manufacturing_share"] = None if share is None else share / 100
        return d


class WorkInfoForm(forms.Form):
    """附件3. Presence and format are checked by the service (one pass, Chinese messages), so a person sees every
    problem at once instead of the empty fields first and the malformed ones on the next try; the form only renders
    the fields, marks them required and keeps what was typed."""

    department = forms.CharField(label="单位名称", max_length=100)
    leader_name = forms.CharField(label="分管负责人姓名", max_length=40)
    leader_position = forms.CharField(label="分管负责人职务", max_length=60)
    leader_phone = forms.CharField(
        label="分管负责人办公电话",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "010-68205300", "inputmode": "tel"}),
    )
    liaison_name = forms.CharField(label="联系人姓名", max_length=40)
    liaison_position = forms.CharField(label="联系人职务", max_length=60)
    liaison_phone = forms.CharField(
        label="联系人办公电话", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    liaison_mobile = forms.CharField(
        label="联系人手机",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "13800138000"}),
    )
    liaison_email = forms.CharField(
        label="联系人电子邮箱",
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": "name@example.cn"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.show_required = True
