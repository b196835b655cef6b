"""Forms of the class pages. They only render the fields and keep what was typed: presence, format and the
rules (dates, suspended institutions, overlaps, faculty conflicts) are judged by `classes.services` in one
pass, with Chinese messages naming the field, exactly as for API clients."""

from __future__ import annotations

import datetime

from django import forms

from lingjun.institutions.models import Institution, Track
from lingjun.reference.models import Topic

from .models import AffiliationKind, ClassStatus, Faculty, SessionFormat

WEEKDAYS = "一二三四五六日"


def _not_required(form):
    for field in form.fields.values():
        if field.required:
            field.required = False
            field.show_required = True


class ClassForm(forms.Form):
    number = forms.CharField(
        label="期次（第N期）",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    track = forms.ChoiceField(label="培训方向", choices=[("", "请选择")] + list(Track.choices))
    institution = forms.ChoiceField(label="培训承担机构")
    city = forms.CharField(label="城市", max_length=40)
    venue = forms.CharField(
        label="培训地点",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 某某大学继续教育学院报告厅"}),
    )
    start_date = forms.CharField(label="开班日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.CharField(
        label="结业日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    capacity = forms.CharField(
        label="容量（人）", max_length=5, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    head_teacher = forms.CharField(label="班主任", max_length=50, required=False)
    head_teacher_phone = forms.CharField(
        label="班主任手机", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, programme=None, suspended=(), with_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {}
        for inst in Institution.objects.order_by("name"):
            labels[str(inst.pk)] = inst.name + ("（本年度已暂停）" if inst.pk in suspended else "")
        self.fields["institution"].choices = [("", "请选择")] + list(labels.items())
        if programme is not None:
            self.fields["end_date"].help_text = f"留空则按每期 {programme.days_per_class} 天自动计算。"
            offered = [t for t in programme.tracks or [] if t in Track.values]
            if offered:  # the programme's tracks first; the others stay choosable
                rest = [c for c in Track.choices if c[0] not in offered]
                self.fields["track"].choices = (
                    [("", "请选择")] + [c for c in Track.choices if c[0] in offered] + rest
                )
        if with_status:
            self.fields["status"] = forms.ChoiceField(label="状态", choices=ClassStatus.choices)
        _not_required(self)

    def service_data(self) -> dict:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}


class FacultySelect(forms.Select):
    """Each teacher's option carries the codes of the topics they teach (data-topics), so the page script can
    narrow the list to the chosen topic; without the script the whole list stays usable."""

    def __init__(self, *args, topics_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics_of = topics_of or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        codes = self.topics_of.get(str(value))
        if codes is not None:
            option["attrs"]["data-topics"] = " ".join(codes)
        return option


class SessionForm(forms.Form):
    date = forms.ChoiceField(label="日期")
    start = forms.CharField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    end = forms.CharField(label="结束时间", widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    format = forms.ChoiceField(label="形式", choices=[("", "请选择")] + list(SessionFormat.choices))
    title = forms.CharField(label="课程名称", max_length=200)
    topic = forms.ChoiceField(label="专题")
    place = forms.CharField(
        label="上课地点",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "留空则为本班培训地点"}),
    )
    faculty = forms.ChoiceField(label="授课师资", required=False)
    required = forms.BooleanField(label="必修（计入考勤）", required=False, initial=True)

    def __init__(self, *args, training_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        tc = training_class
        days = [
            tc.start_date + datetime.timedelta(days=i) for i in range((tc.end_date - tc.start_date).days + 1)
        ]
        self.fields["date"].choices = [("", "请选择")] + [
            (d.isoformat(), f"第{i}天 {d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}")
            for i, d in enumerate(days, 1)
        ]
        self.fields["topic"].choices = [("", "请选择")] + [
            (t.code, t.name) for t in Topic.objects.order_by("sort")
        ]
        faculty = list(Faculty.objects.prefetch_related("topics").order_by("name"))
        topics_of = {str(f.pk): sorted(t.code for t in f.topics.all()) for f in faculty}
        self.fields["faculty"].widget = FacultySelect(topics_of=topics_of, attrs={"data-faculty-select": ""})
        self.fields["faculty"].choices = [("", "暂不指定")] + [
            (str(f.pk), f"{f.name}（{f.affiliation}{'，' + f.title if f.title else ''}）") for f in faculty
        ]
        self.fields["topic"].widget.attrs["data-topic-select"] = ""
        _not_required(self)

    def service_data(self) -> dict:
        d = {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}
        d["faculty"] = d.get("faculty") or None
        return d


class FacultyForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    affiliation = forms.CharField(label="工作单位", max_length=120)
    affiliation_kind = forms.ChoiceField(
        label="单位类别", choices=[("", "请选择")] + list(AffiliationKind.choices)
    )
    title = forms.CharField(label="职务/职称", max_length=80, required=False)
    topics = forms.MultipleChoiceField(label="擅长专题", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.code, t.name) for t in Topic.objects.order_by("sort")]
        _not_required(self)
