"""附件2 (quotas) and 附件3 (work information) sheets, through the one export helper."""

from django.utils import timezone

from lingjun.core.exports import Sheet

from . import services
from .models import Programme


def quota_sheet(programme: Programme) -> Sheet:
    rows = [q for q in services.quota_table(programme)]
    total = sum(q.amount for q in rows)
    return Sheet(
        name="附件2",
        title=f"{programme.year}年中小企业经营管理领军人才培训名额分配表",
        subtitle="附件2" + (f"（{programme.notice_number}）" if programme.notice_number else ""),
        headers=["序号", "地区", "名额"],
        rows=[[i, q.region.name, q.amount] for i, q in enumerate(rows, 1)],
        total_row=["合计", "", total],
        widths=[8, 28, 12],
    )


WORK_INFO_HEADERS = [
    "序号",
    "地区",
    "单位名称",
    "分管负责人姓名",
    "分管负责人职务",
    "分管负责人办公电话",
    "联系人姓名",
    "联系人职务",
    "联系人办公电话",
    "联系人手机",
    "联系人电子邮箱",
    "最后更新",
]


def work_info_sheet(programme: Programme) -> Sheet:
    rows = []
    for i, (region, info) in enumerate(services.work_info_tracking(programme), 1):
        if info is None:
            rows.append([i, region.name, "（未填报）"] + [""] * 9)
        else:
            rows.append(
                [i, region.name]
                + [getattr(info, f) for f in services.WORK_INFO_FIELDS]
                + [timezone.localtime(info.updated_at).strftime("%Y-%m-%d %H:%M")]
            )
    return Sheet(
        name="附件3",
        title=f"{programme.year}年中小企业经营管理领军人才培训工作信息表",
        subtitle="附件3",
        headers=WORK_INFO_HEADERS,
        rows=rows,
        widths=[6, 18, 28, 12, 16, 16, 12, 16, 16, 14, 26, 16],
    )
