"""Display helpers of the class pages."""

from django import template

from lingjun.institutions.models import Track

register = template.Library()
TRACKS = dict(Track.choices)


@register.filter
def track_label(code) -> str:
    """“specialized” → “专精特新”."""
    return TRACKS.get(code, code or "")


@register.filter
def class_days(tc) -> int:
    return (tc.end_date - tc.start_date).days + 1
