from django import forms

from .models import InstitutionKind, Track


class InstitutionForm(forms.Form):
    name = forms.CharField(label="机构名称", max_length=100)
    kind = forms.ChoiceField(label="机构类别", choices=InstitutionKind.choices)
    tracks = forms.MultipleChoiceField(
        label="承担方向", choices=Track.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
