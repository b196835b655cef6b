"""Class documents: GET /classes/{id}/timetable.ics and /classes/{id}/{roster,signin,contacts,timetable}.xlsx
(SPEC §3.3: rosters, sign-in sheets and timetables export to xlsx, timetables also to iCalendar; IDs masked)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error, open_xlsx, sheet_rows
from lingjun.institutions.models import Institution
from lingjun.registrations import identity
from lingjun.registrations.models import Registration

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def timetable(klass, make_session, faculty):
    """Three sessions over two days, deliberately created out of order."""
    return [
        make_session(
            klass,
            "14:00",
            "17:00",
            title="企业家精神与传承",
            topic="entrepreneurship",
            format="discussion",
            place="研讨室A",
        ),
        make_session(klass, "09:00", "12:00", title="数字化转型", faculty=faculty),
        make_session(
            klass,
            "08:30",
            "11:30",
            date=klass.start_date + datetime.timedelta(days=1),
            title="现场教学：智能工厂",
            format="field_teaching",
            place="某智能工厂",
        ),
    ]


@pytest.fixture
def enrolled(klass, make_registration):
    """Three trainees enrolled in `klass` (and one who withdrew, who must not be listed)."""
    regs = []
    for region in ("330000", "110000", "440000"):
        reg = make_registration(region=region)
        Registration.objects.filter(pk=reg.pk).update(
            status="enrolled", training_class=klass, placement_note="第1志愿"
        )
        reg.refresh_from_db()
        regs.append(reg)
    gone = make_registration(region="310000")
    Registration.objects.filter(pk=gone.pk).update(status="withdrawn", training_class=klass, holds_seat=False)
    return regs, gone


def full_id(reg) -> str:
    return identity.decrypt_id(reg.trainee.id_number_encrypted)


def all_text(wb) -> str:
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )


# --- iCalendar ----------------------------------------------------------------------------------------------


def test_timetable_ics_parses_in_a_standard_parser(api_as, klass, timetable):
    r = api_as("centre").get(f"classes/{klass.pk}/timetable.ics")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    assert "attachment" in r["Content-Disposition"] and ".ics" in r["Content-Disposition"]
    cal = Calendar.from_ical(r.content)
    assert cal["VERSION"] == "2.0" and cal.get("PRODID")
    events = cal.walk("VEVENT")
    assert len(events) == 3
    assert [str(e["SUMMARY"]) for e in events] == ["数字化转型", "企业家精神与传承", "现场教学：智能工厂"]
    first = events[0]
    assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert first["DTEND"].params["TZID"] == "Asia/Shanghai"
    start = first.decoded("DTSTART")
    assert start == datetime.datetime(2030, 10, 12, 9, 0, tzinfo=SHANGHAI)
    assert start.utcoffset() == datetime.timedelta(hours=8)
    assert first.decoded("DTEND") == datetime.datetime(2030, 10, 12, 12, 0, tzinfo=SHANGHAI)
    assert events[2].decoded("DTSTART") == datetime.datetime(2030, 10, 13, 8, 30, tzinfo=SHANGHAI)
    assert "王教授" in str(first["DESCRIPTION"]) and "数字化转型" in str(first["DESCRIPTION"])
    assert str(events[1]["LOCATION"]) == "研讨室A"
    assert str(first["LOCATION"]) == "杭州西湖国宾馆"  # no place: the class venue
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == 3 and all(uid.startswith("session-") for uid in uids)
    assert all(e.get("DTSTAMP") for e in events)


def test_timetable_ics_carries_its_time_zone_definition(api_as, klass, timetable):
    """RFC 5545 §3.2.19: every TZID used must have its VTIMEZONE in the calendar (Outlook relies on it)."""
    cal = Calendar.from_ical(api_as("centre").get(f"classes/{klass.pk}/timetable.ics").content)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Shanghai"]


def test_empty_timetable_is_a_valid_calendar(api_as, klass):
    cal = Calendar.from_ical(api_as("centre").get(f"classes/{klass.pk}/timetable.ics").content)
    assert cal.walk("VEVENT") == []


def test_timetable_ics_is_scoped(api_as, make_user, institution, klass, timetable):
    own = api_as(make_user("institution", institution=institution))
    assert len(Calendar.from_ical(own.get(f"classes/{klass.pk}/timetable.ics").content).walk("VEVENT")) == 3
    stranger = api_as(
        make_user("institution", institution=Institution.objects.create(name="别的学院", kind="other"))
    )
    assert_error(stranger.get(f"classes/{klass.pk}/timetable.ics"), 404, "not_found")
    # A region officer or a trainee may read the timetable, and sees every session of it.
    for role in ("region", "trainee", "bureau"):
        r = api_as(role).get(f"classes/{klass.pk}/timetable.ics")
        assert r.status_code == 200, role
        assert len(Calendar.from_ical(r.content).walk("VEVENT")) == 3, role


def test_timetable_ics_needs_a_login(anon, klass):
    assert anon.get(f"classes/{klass.pk}/timetable.ics").status_code == 401


# --- xlsx -----------------------------------------------------------------------------------------------


def test_roster_lists_trainees_with_masked_ids_only(api_as, klass, enrolled):
    regs, gone = enrolled
    wb = open_xlsx(api_as("centre").get(f"classes/{klass.pk}/roster.xlsx"))
    text = all_text(wb)
    for reg in regs:
        assert reg.trainee.name in text
        assert reg.trainee.id_number_masked in text
        assert "*" in reg.trainee.id_number_masked
        assert full_id(reg) not in text
    assert gone.trainee.name not in text
    assert full_id(gone) not in text
    rows = sheet_rows(wb.worksheets[0])
    header = next(row for row in rows if row and row[0] == "序号")
    assert "身份证号" in header and "姓名" in header
    assert sum(1 for row in rows if row and isinstance(row[0], int | float)) == 3


@pytest.mark.parametrize("kind", ["signin", "contacts", "timetable"])
def test_other_sheets_never_carry_a_full_id_number(api_as, klass, enrolled, timetable, kind):
    regs, _ = enrolled
    wb = open_xlsx(api_as("centre").get(f"classes/{klass.pk}/{kind}.xlsx"))
    text = all_text(wb)
    for reg in regs:
        assert full_id(reg) not in text
        if kind != "timetable":
            assert reg.trainee.name in text
    if kind == "contacts":
        assert all(reg.trainee.mobile in text for reg in regs)
    if kind == "timetable":
        assert all(s.title in text for s in timetable)
        assert "王教授" in text


def test_institution_gets_its_own_class_documents(api_as, make_user, institution, klass, enrolled, timetable):
    staff = api_as(make_user("institution", institution=institution))
    for kind in ("roster", "signin", "contacts", "timetable"):
        text = all_text(open_xlsx(staff.get(f"classes/{klass.pk}/{kind}.xlsx")))
        if kind != "timetable":
            assert all(reg.trainee.name in text for reg in enrolled[0]), kind
    stranger = api_as(make_user("institution"))
    for kind in ("roster", "signin", "contacts", "timetable"):
        assert_error(stranger.get(f"classes/{klass.pk}/{kind}.xlsx"), 404, "not_found")


@pytest.mark.parametrize("kind", ["roster", "contacts", "signin"])
@pytest.mark.parametrize("role", ["region", "bureau", "trainee", "assessor"])
def test_personal_documents_are_centre_and_institution_only(api_as, klass, kind, role):
    assert_error(api_as(role).get(f"classes/{klass.pk}/{kind}.xlsx"), 403, "forbidden")


def test_region_reads_the_timetable_sheet(api_as, klass, timetable):
    wb = open_xlsx(api_as("region").get(f"classes/{klass.pk}/timetable.xlsx"))
    assert "数字化转型" in all_text(wb)


def test_unknown_document_is_404(api_as, klass):
    assert api_as("centre").get(f"classes/{klass.pk}/salaries.xlsx").status_code == 404


def test_roster_and_contacts_downloads_are_audited(api_as, klass, enrolled):
    centre = api_as("centre")
    centre.get(f"classes/{klass.pk}/roster.xlsx")
    centre.get(f"classes/{klass.pk}/contacts.xlsx")
    actions = set(
        AuditEntry.objects.filter(object_id=str(klass.pk), object_type="trainingclass").values_list(
            "action", flat=True
        )
    )
    assert {"class.export_roster", "class.export_contacts"} <= actions
    entry = AuditEntry.objects.get(action="class.export_contacts")
    assert entry.actor_id == centre.user.pk
