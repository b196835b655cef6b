from django import forms

from lingjun.institutions.models import Institution
from lingjun.reference.models import Region

from .models import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class UserForm(forms.Form):
    # Autocomplete off / new-password: the browser must not fill in the signed-in officer's own credentials.
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    display_name = forms.CharField(label="姓名/单位", max_length=100, required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="至少8位，不能全为数字，不能过于常见。",
    )
    role = forms.ChoiceField(label="角色", choices=[("", "请选择")] + Role.choices)
    region = forms.ChoiceField(label="所属地区（地方主管部门）", required=False)
    institution = forms.ChoiceField(label="所属机构（培训机构）", required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None and actor.role != Role.BUREAU:  # only the bureau creates bureau accounts
            self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] != Role.BUREAU]
        self.fields["region"].choices = [("", "—")] + [(r.code, r.name) for r in Region.objects.all()]
        self.fields["institution"].choices = [("", "—")] + [(i.pk, i.name) for i in Institution.objects.all()]
