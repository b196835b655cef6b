"""The one export helper (lingjun.core.exports): formula injection is neutralised in XLSX and CSV."""

import csv
import io

import openpyxl

from lingjun.core.exports import Sheet, build_csv, build_xlsx, neutralise

DANGEROUS = [
    "=1+1",
    "+8613800138000",
    "-2+3",
    "@SUM(A1:A9)",
    '=HYPERLINK("http://evil","点击")',
    "\tTAB",
    "\rCR",
]
SAFE = ["北京市", "1+1", "a=b", "", "name@example.cn"]


def test_neutralise_prefixes_only_dangerous_text():
    for value in DANGEROUS:
        assert neutralise(value) == "'" + value
    for value in SAFE:
        assert neutralise(value) == value
    assert neutralise(-5) == -5 and neutralise(None) is None and neutralise(1.5) == 1.5


def test_xlsx_cells_are_neutralised_and_numbers_stay_numbers():
    sheet = Sheet(
        name="测试",
        title="标题",
        headers=["文本", "数字"],
        rows=[[v, -i] for i, v in enumerate(DANGEROUS + SAFE, 1)],
        total_row=["=SUM(B3:B9)", -99],
    )
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx([sheet])))
    ws = wb["测试"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "标题" and rows[1] == ("文本", "数字")
    data = rows[2 : 2 + len(DANGEROUS) + len(SAFE)]
    for value, row in zip(DANGEROUS, data, strict=False):
        assert row[0].replace("_x000D_", "\r") == "'" + value  # XLSX stores a carriage return as _x000D_
    for value, row in zip(SAFE, data[len(DANGEROUS) :], strict=True):
        assert (row[0] or "") == value
    assert [row[1] for row in data] == [-i for i in range(1, len(data) + 1)]
    assert rows[2 + len(data)] == ("'=SUM(B3:B9)", -99)
    # no cell anywhere holds a live formula
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_csv_cells_are_neutralised_and_readable_by_excel():
    raw = build_csv(["姓名", "备注"], [[v, v] for v in DANGEROUS + SAFE] + [[None, True], [3, False]])
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["姓名", "备注"]
    for value, row in zip(DANGEROUS + SAFE, rows[1:], strict=False):
        expected = "'" + value if value in DANGEROUS else value
        assert row == [expected, expected]
    assert rows[-2] == ["", "是"] and rows[-1] == ["3", "否"]
