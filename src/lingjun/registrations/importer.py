"""Bulk registration from the 附件4 workbook (SPEC §3.2; issue #3).

Every row is cleaned by the same function as the web form and the API. Errors come back per row and column.
`partial` keeps the valid rows, `all_or_nothing` stores nothing when any row fails. Uploading the same file
again creates nothing new: a row whose enterprise (credit code) already has a live registration of the same
person in this programme counts as `unchanged`. The quota (R2) is taken with one conditional UPDATE for the
whole batch after the quota row is locked; the database CHECK used <= amount is the backstop.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lingjun.core import audit, permissions
from lingjun.core.bulk import insert_rows, update_rows
from lingjun.core.errors import FieldIssue, NotFound, RuleViolation, ValidationFailed
from lingjun.core.exports import XLSX_MIME, new_workbook, write_cell
from lingjun.core.models import AuditEntry
from lingjun.core.scoping import scopes_disabled
from lingjun.programmes.models import Quota
from lingjun.reference.models import Qualification

from . import identity, services
from .models import LIVE_STATUSES, Enterprise, ImportBatch, Registration, Trainee
from .sheet import COLUMNS, HEADERS, SHEET_NAME, column_of, row_to_input
from .validation import Context, clean_registration

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 60000
MODES = ("partial", "all_or_nothing")
ID_COL = HEADERS.index("身份证号")
USCC_COL = HEADERS.index("统一社会信用代码")

# Columns the import writes, in the order its value rows are built (known rows are updated with the same).
ENTERPRISE_FIELDS = (
    "name",
    "region_id",
    "address",
    "industry_division",
    "employees",
    "revenue",
    "total_assets",
    "size_class",
    "size_standard_id",
    "is_manufacturing",
    "updated_at",
)
TRAINEE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "political_status",
    "education",
    "position",
    "mobile",
    "email",
    "id_number_masked",
    "updated_at",
)


def _file_error(code: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldIssue("file", code, message)])


def _zip_bomb() -> ValidationFailed:
    return _file_error(
        "file_too_large", "工作簿解压后过大（超过 200 MB），疑似异常文件，已拒绝。请确认文件内容后重新上传。"
    )


def _refuse_zip_bombs(data: bytes) -> None:
    """Refuse a workbook that inflates beyond MAX_UNCOMPRESSED_BYTES before any parser expands it.

    The sizes a zip declares can lie (a bomb declares a few KB and inflates to gigabytes), so every member is
    actually inflated here, in bounded chunks, and the output counted; nothing is kept. Only the two methods
    an .xlsx uses are accepted."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.infolist()
        if sum(i.file_size for i in members) > MAX_UNCOMPRESSED_BYTES or len(members) > 10_000:
            raise _zip_bomb()
        for info in members:
            start = info.header_offset
            if data[start : start + 4] != b"PK\x03\x04":
                raise _file_error("not_xlsx", "无法读取该工作簿，请确认是有效的 .xlsx 文件。")
            name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
            begin = start + 30 + name_len + extra_len
            raw = memoryview(data)[begin : begin + info.compress_size]
            if info.compress_type == zipfile.ZIP_STORED:
                total += len(raw)
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                for i in range(0, len(raw), 64 * 1024):
                    pending = bytes(raw[i : i + 64 * 1024])
                    while pending:
                        total += len(inflater.decompress(pending, 1024 * 1024))
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise _zip_bomb()
                        pending = inflater.unconsumed_tail
            else:
                raise _file_error(
                    "not_xlsx",
                    "文件不是 Excel 工作簿（.xlsx）。如为 .xls 或 WPS 格式，请另存为 .xlsx 后上传。",
                )
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _zip_bomb()


def read_rows(data: bytes) -> tuple[int, list[list]]:
    """→ (Excel row number of the header, data rows as lists). Refuses anything that is not a sane 附件4."""
    from python_calamine import CalamineWorkbook

    if not data:
        raise _file_error("empty_file", "上传的文件是空的。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error("file_too_large", "文件超过 10 MB，请拆分后上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise _file_error(
            "not_xlsx", "文件不是 Excel 工作簿（.xlsx）。如为 .xls 或 WPS 格式，请另存为 .xlsx 后上传。"
        )
    try:
        _refuse_zip_bombs(data)
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means an unreadable workbook
        raise _file_error("not_xlsx", "无法读取该工作簿，请确认是有效的 .xlsx 文件。") from None
    names = wb.sheet_names
    if SHEET_NAME in names:
        sheet_name = SHEET_NAME
    elif len(names) == 1:
        sheet_name = names[0]
    else:
        raise _file_error(
            "sheet_not_found",
            f"工作簿中没有名为“{SHEET_NAME}”的工作表，且含有多个工作表，无法确定读取哪一个。",
        )
    rows = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    header_at = None
    for i, row in enumerate(rows[:6]):
        if row and str(row[0]).strip() == "序号":
            header_at = i
            break
    if header_at is None:
        raise _file_error("header_not_found", "未找到表头行（第一列应为“序号”）。请使用平台提供的附件4模板。")
    header = [str(c).strip() for c in rows[header_at]]
    while header and header[-1] == "":
        header.pop()
    if header[: len(HEADERS)] != HEADERS:
        missing = [h for h in HEADERS if h not in header]
        if missing:
            raise _file_error(
                "missing_columns", "缺少列：" + "、".join(missing) + "。请使用平台提供的附件4模板。"
            )
        raise _file_error("wrong_column_order", "列的顺序与附件4模板不一致，请使用平台提供的模板。")
    if len(header) > len(HEADERS) and any(header[len(HEADERS) :]):
        raise _file_error(
            "extra_columns",
            "表头多出了模板以外的列：" + "、".join(h for h in header[len(HEADERS) :] if h) + "。",
        )
    body = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = list(row[: len(HEADERS)])
        if not any(str(c).strip() for c in cells[1:]):
            continue
        body.append((offset, cells))
    if not body:
        raise _file_error("no_rows", "工作簿中没有学员数据。")
    if len(body) > MAX_ROWS:
        raise _file_error("too_many_rows", f"一次最多导入 {MAX_ROWS} 行。")
    return header_at + 1, body


def import_workbook(actor, programme_id, upload, *, mode: str = "partial", region_code=None) -> dict:
    permissions.check(actor, "registration.import")
    if mode not in MODES:
        raise ValidationFailed(
            [
                FieldIssue(
                    "mode",
                    "invalid_mode",
                    "导入方式须为 partial（保留正确行）或 all_or_nothing（有错则全部不导入）。",
                )
            ]
        )
    programme = services._programme(programme_id)
    region = services._region_for(actor, region_code)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    sha = hashlib.sha256(data).hexdigest()
    _, body = read_rows(data)
    reason = services.check_open_for_submission(actor, programme, "")
    with transaction.atomic():
        return _import(
            actor, programme, region, body, mode, sha, getattr(upload, "name", "") or "upload.xlsx", reason
        )


def _import(actor, programme, region, body, mode, sha, file_name, reason) -> dict:
    ctx = Context(programme.size_standard_id)
    errors: list[dict] = []
    bad_rows: dict[int, list] = {}
    valid = []  # (row_no, clean, id_hash)

    def fail(row_no, cells, field, code, message):
        errors.append({"row": row_no, "column": column_of(field), "code": code, "message": message})
        bad_rows[row_no] = cells

    seen_codes: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for row_no, cells in body:
        if isinstance(cells[ID_COL], float) or isinstance(cells[USCC_COL], float):
            field = "trainee.id_number" if isinstance(cells[ID_COL], float) else "enterprise.credit_code"
            fail(
                row_no,
                cells,
                field,
                "stored_as_number",
                "该单元格被Excel存成了数字，末几位可能已丢失。请把该列设为“文本”格式后重新填写。",
            )
            continue
        clean = clean_registration(row_to_input(cells), ctx, require_declarations=True)
        if clean.errors:
            for issue in clean.errors:
                fail(row_no, cells, issue.field, issue.code, issue.message)
            continue
        code = clean.enterprise.credit_code
        h = identity.id_lookup_hash(clean.trainee.id_number)
        if code in seen_codes:
            fail(
                row_no,
                cells,
                "enterprise.credit_code",
                "duplicate_in_file",
                f"与第 {seen_codes[code]} 行是同一家企业；每家企业每年只能推荐一人。",
            )
            continue
        if h in seen_ids:
            fail(
                row_no,
                cells,
                "trainee.id_number",
                "duplicate_in_file",
                f"与第 {seen_ids[h]} 行是同一名学员。",
            )
            continue
        seen_codes[code], seen_ids[h] = row_no, h
        valid.append((row_no, cells, clean, h))

    with scopes_disabled():
        # R1 across regions: any live registration of these enterprises or people in this programme.
        live = Registration.objects.filter(programme=programme, status__in=LIVE_STATUSES)
        by_code = {
            c: (r, h, rid)
            for c, r, h, rid in live.filter(enterprise__credit_code__in=seen_codes).values_list(
                "enterprise__credit_code", "region_id", "trainee__id_number_hash", "id"
            )
        }
        ids_taken = set(
            live.filter(trainee__id_number_hash__in=list(seen_ids.values())).values_list(
                "trainee__id_number_hash", flat=True
            )
        )
        earlier: dict[str, list[int]] = {}  # R8: credit code -> earlier years it was trained in
        if programme.earlier_training_policy != "allow":
            for c, y in (
                Registration.objects.filter(
                    enterprise__credit_code__in=seen_codes,
                    programme__year__lt=programme.year,
                    status__in=("enrolled", "completed", "not_completed"),
                )
                .values_list("enterprise__credit_code", "programme__year")
                .distinct()
                .order_by("programme__year")
            ):
                earlier.setdefault(c, []).append(y)

    unchanged = 0
    fresh = []
    for row_no, cells, clean, h in valid:
        code = clean.enterprise.credit_code
        if code in by_code:
            reg_region, reg_hash, _ = by_code[code]
            if reg_hash == h and reg_region == region.code:
                unchanged += 1
            else:
                fail(
                    row_no,
                    cells,
                    "enterprise.credit_code",
                    "enterprise_already_registered",
                    "该企业本年度已有学员报名：每家企业每年只能一人参加一期培训。",
                )
            continue
        if h in ids_taken:
            fail(
                row_no, cells, "trainee.id_number", "trainee_already_registered", "该学员本年度已有有效报名。"
            )
            continue
        if code in earlier and programme.earlier_training_policy == "refuse":
            fail(
                row_no,
                cells,
                "enterprise.credit_code",
                "previously_trained",
                f"该企业已参加过{services.years_text(earlier[code])}的培训，本年度不再接受报名（复训邀请除外）。",
            )
            continue
        fresh.append((row_no, cells, clean, h))

    # R2: lock the quota row, then take seats for as many rows as the quota allows.
    quota = Quota.objects.select_for_update().filter(programme=programme, region=region).first()
    available = max(0, (quota.amount - quota.used) if quota else 0)
    if len(fresh) > available:
        for row_no, cells, _, _ in fresh[available:]:
            fail(
                row_no,
                cells,
                "region",
                "quota_exceeded",
                f"{region.name}名额已用完（名额 {quota.amount if quota else 0} 人），该行未导入。",
            )
        fresh = fresh[:available]

    stored = not (mode == "all_or_nothing" and errors)
    created = 0
    if stored and fresh:
        created = _store(actor, programme, region, fresh, ctx, reason, earlier)
    errors.sort(key=lambda e: (e["row"], HEADERS.index(e["column"]) if e["column"] in HEADERS else 99))
    batch = ImportBatch.objects.create(
        programme=programme,
        region=region,
        file_name=file_name[:200],
        file_sha256=sha,
        mode=mode,
        rows=len(body),
        created=created,
        unchanged=unchanged,
        created_by=actor,
        errors=[
            {
                "row": r,
                "values": [_jsonable(v) for v in bad_rows[r]],
                "errors": [e for e in errors if e["row"] == r],
            }
            for r in sorted(bad_rows)
        ],
    )
    audit.record(
        actor,
        "registration.import",
        programme,
        object_type="programme",
        reason=reason,
        after={
            "file": file_name,
            "sha256": sha,
            "mode": mode,
            "rows": len(body),
            "created": created,
            "unchanged": unchanged,
            "errors": len(errors),
            "stored": stored,
            "batch": batch.pk,
        },
    )
    return {
        "created": created,
        "unchanged": unchanged,
        "errors": errors,
        "rows": len(body),
        "stored": stored,
        "batch": batch.pk,
    }


def _jsonable(v):
    return v if isinstance(v, str | int | float | bool) or v is None else str(v)


def _store(actor, programme, region, fresh, ctx, reason, earlier: dict[str, list[int]]) -> int:
    """Write the batch: seats first (one conditional UPDATE), then enterprises, people, registrations and
    their audit entries with one multi-row INSERT per table (core.bulk), all in the caller's transaction."""
    now = timezone.now()
    n = len(fresh)
    if not Quota.objects.filter(programme=programme, region=region, used__lte=F("amount") - n).update(
        used=F("used") + n
    ):
        raise services._quota_exceeded(programme.pk, region)
    with scopes_disabled():
        codes = [c.enterprise.credit_code for _, _, c, _ in fresh]
        existing_e = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        new_e, upd_e = [], []
        for _, _, c, _ in fresh:
            e = c.enterprise
            values = dict(
                name=e.name,
                region_id=region.code,
                address=e.address,
                industry_division=e.industry_division,
                employees=e.employees,
                revenue=e.revenue,
                total_assets=e.total_assets,
                size_class=e.size_class,
                size_standard_id=ctx.size_version,
                is_manufacturing=e.is_manufacturing,
                updated_at=now,
            )
            obj = existing_e.get(e.credit_code)
            if obj is None:
                new_e.append([e.credit_code, *(values[f] for f in ENTERPRISE_FIELDS)])
            else:
                for k, v in values.items():
                    setattr(obj, k, v)
                upd_e.append(obj)
        e_fields = list(ENTERPRISE_FIELDS)
        update_rows(Enterprise, e_fields, ([getattr(o, f) for f in e_fields] + [o.pk] for o in upd_e))
        insert_rows(Enterprise, ["credit_code", *ENTERPRISE_FIELDS], new_e)
        ent_id = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "id"))
        through = Enterprise.qualifications.through
        if upd_e:
            through.objects.filter(enterprise_id__in=[e.pk for e in upd_e]).delete()
        qual_ok = set(Qualification.objects.values_list("code", flat=True))
        insert_rows(
            through,
            ["enterprise_id", "qualification_id"],
            (
                [ent_id[c.enterprise.credit_code], q]
                for _, _, c, _ in fresh
                for q in c.enterprise.qualifications
                if q in qual_ok
            ),
        )

        hashes = [h for *_, h in fresh]
        existing_t = {t.id_number_hash: t for t in Trainee.objects.filter(id_number_hash__in=hashes)}
        new_t, upd_t = [], []
        for _, _, c, h in fresh:
            t = c.trainee
            values = dict(
                name=t.name,
                gender=t.gender,
                ethnicity=t.ethnicity,
                birth_date=t.birth_date,
                political_status=t.political_status,
                education=t.education,
                position=t.position,
                mobile=t.mobile,
                email=t.email,
                id_number_masked=identity.mask_id_number(t.id_number),
                updated_at=now,
            )
            obj = existing_t.get(h)
            if obj is None:
                new_t.append([h, identity.encrypt_id(t.id_number), *(values[f] for f in TRAINEE_FIELDS)])
            else:
                for k, v in values.items():
                    setattr(obj, k, v)
                upd_t.append(obj)
        t_fields = list(TRAINEE_FIELDS)
        update_rows(Trainee, t_fields, ([getattr(o, f) for f in t_fields] + [o.pk] for o in upd_t))
        insert_rows(Trainee, ["id_number_hash", "id_number_encrypted", *TRAINEE_FIELDS], new_t)
        trainee_id = dict(
            Trainee.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", "id")
        )

        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        not_principal = {
            "code": "not_principal",
            "message": "学员不是企业主要负责人（一把手），已附参训说明。",
        }

        def warnings(c) -> list[dict]:  # the same warnings the form attaches (R8 under the "warn" policy)
            out = [] if c.is_principal else [not_principal]
            if c.enterprise.credit_code in earlier:
                out.append(services.previously_trained_warning(earlier[c.enterprise.credit_code]))
            return out

        try:
            with transaction.atomic():
                insert_rows(
                    Registration,
                    [
                        "programme_id",
                        "trainee_id",
                        "enterprise_id",
                        "region_id",
                        "status",
                        "holds_seat",
                        "is_principal",
                        "principal_justification",
                        "preferred_classes",
                        "declared_voluntary",
                        "declared_no_bad_record",
                        "declared_fit",
                        "submitted_at",
                        "review_note",
                        "is_retraining",
                        "warnings",
                        "source",
                        "created_by_id",
                        "created_at",
                        "updated_at",
                        "placement_note",
                    ],
                    (
                        [
                            programme.pk,
                            trainee_id[h],
                            ent_id[c.enterprise.credit_code],
                            region.code,
                            "submitted",
                            True,
                            c.is_principal,
                            c.principal_justification,
                            c.preferred_classes,
                            True,
                            True,
                            True,
                            now,
                            "",
                            False,
                            warnings(c),
                            "import",
                            actor_id,
                            now,
                            now,
                            "",
                        ]
                        for _, _, c, h in fresh
                    ),
                )
        except IntegrityError as exc:
            raise services._duplicate(exc) from None
        reg_id = dict(
            Registration.objects.filter(
                programme=programme, status="submitted", enterprise_id__in=list(ent_id.values())
            ).values_list("enterprise_id", "id")
        )
        label = actor.username if actor_id else "system"
        insert_rows(
            AuditEntry,
            [
                "at",
                "actor_id",
                "actor_label",
                "actor_role",
                "action",
                "object_type",
                "object_id",
                "object_label",
                "from_state",
                "to_state",
                "before",
                "after",
                "reason",
                "client_ip",
            ],
            (
                [
                    now,
                    actor_id,
                    label,
                    getattr(actor, "role", ""),
                    "registration.create",
                    "registration",
                    str(reg_id[ent_id[c.enterprise.credit_code]]),
                    f"{c.trainee.name}（{c.enterprise.name}）"[:200],
                    "",
                    "submitted",
                    None,
                    {"source": "import", "row": row_no, "credit_code": c.enterprise.credit_code},
                    reason or "附件4导入",
                    None,
                ]
                for row_no, _, c, _ in fresh
            ),
        )
    return n


def error_workbook_response(actor, batch_id):
    """The rows that failed, in 附件4 layout, each wrong cell marked red with the reason beside it."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    permissions.check(actor, "registration.import")
    batch = ImportBatch.objects.filter(pk=batch_id).first() if str(batch_id).isdigit() else None
    if batch is None:
        raise NotFound("not_found", "导入记录不存在或不在您的管辖范围内。")
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    head = wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    bad = wb.add_format({"bg_color": "#FDE2E1", "font_color": "#B42318", "border": 1})
    ok = wb.add_format({"border": 1})
    note = wb.add_format({"font_color": "#B42318", "text_wrap": True, "border": 1})
    ws = wb.add_worksheet(SHEET_NAME)
    write_cell(
        ws, 0, 0, f"以下为未导入的行（原文件第几行见“原行号”），修改后可重新上传。文件：{batch.file_name}"
    )
    for c, h in enumerate(HEADERS + ["原行号", "错误说明"]):
        write_cell(ws, 1, c, h, head)
    text_cols = {i for i, (_, _, kind) in enumerate(COLUMNS) if kind in ("text", "list")}
    for r, item in enumerate(batch.errors, start=2):
        wrong = {e["column"] for e in item["errors"]}
        for c, v in enumerate(item["values"][: len(HEADERS)]):
            write_cell(ws, r, c, v, bad if HEADERS[c] in wrong else ok, text=c in text_cols)
        write_cell(ws, r, len(HEADERS), item["row"], ok)
        write_cell(
            ws, r, len(HEADERS) + 1, "；".join(f"{e['column']}：{e['message']}" for e in item["errors"]), note
        )
    ws.set_column(0, len(HEADERS) - 1, 14)
    ws.set_column(len(HEADERS) + 1, len(HEADERS) + 1, 60)
    ws.freeze_panes(2, 2)
    wb.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"附件4_错误标注_{batch.pk}.xlsx"
    )
    return response


__all__ = ["import_workbook", "read_rows", "error_workbook_response", "RuleViolation"]
