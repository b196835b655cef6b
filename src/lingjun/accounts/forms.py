from django import forms

from lingjun.institutions.models import Institution
from lingjun.reference.models import Region

from .models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名/单位", max_length=100, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = forms.ChoiceField(label="所属地区（地方主管部门）", required=False)
    institution = forms.ChoiceField(label="所属机构（培训机构）", required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(render_value=True),
                               help_text="至少8位，不能全为数字，不能过于常见。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [(r.code, r.name) for r in Region.objects.all()]
        self.fields["institution"].choices = [("", "—")] + [(i.pk, i.name) for i in Institution.objects.all()]
