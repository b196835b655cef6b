from django.urls import reverse

NAV = {
    "bureau": [
        ("home", "首页"),
        ("programmes:list", "年度计划"),
        ("programmes:quotas_current", "名额分配"),
        ("programmes:workinfo_current", "工作信息"),
        ("registrations:current", "报名情况"),
        ("classes:current", "班级"),
        ("institutions:list", "培训机构"),
        ("alumni:stats_current", "统计"),
        ("alumni:archive", "信息档案"),
        ("evaluations:report_current", "培训评价"),
        ("evaluations:ranking_current", "机构排名"),
        ("accounts:users", "用户管理"),
        ("audit", "审计记录"),
    ],
    "centre": [
        ("home", "首页"),
        ("programmes:list", "年度计划"),
        ("registrations:current", "报名审核"),
        ("programmes:workinfo_current", "工作信息"),
        ("classes:current", "班级"),
        ("classes:placement_current", "编班"),
        ("attendance:leave_list", "请假"),
        ("classes:faculty", "师资"),
        ("institutions:list", "培训机构"),
        ("alumni:stats_current", "统计"),
        ("alumni:archive", "信息档案"),
        ("evaluations:report_current", "培训评价"),
        ("evaluations:ranking_current", "机构排名"),
        ("accounts:users", "用户管理"),
        ("audit", "审计记录"),
    ],
    "region": [
        ("home", "首页"),
        ("programmes:list", "年度计划"),
        ("registrations:current", "学员报名"),
        ("programmes:workinfo_current", "工作信息（附件3）"),
        ("attendance:leave_list", "请假审批"),
        ("alumni:stats_current", "统计"),
        ("alumni:archive", "信息档案"),
        ("alumni:enterprises", "企业跟踪"),
    ],
    "institution": [
        ("home", "首页"),
        ("programmes:list", "年度计划"),
        ("classes:current", "班级"),
        ("attendance:leave_list", "请假"),
        ("classes:faculty", "师资"),
        ("institutions:list", "培训机构"),
        ("evaluations:report_current", "培训评价"),
    ],
    "assessor": [
        ("home", "首页"),
        ("evaluations:assessments_current", "第三方评估"),
        ("institutions:list", "培训机构"),
    ],
    "trainee": [
        ("home", "我的培训"),
        ("attendance:checkin", "签到"),
        ("attendance:leave_list", "请假"),
        ("alumni:my_data_page", "我的信息"),
    ],
}

# Pages that belong to a menu entry other than the one their URL starts with: the quota editor of any
# programme is “名额分配”, not “年度计划”.
SECTION_OF = {
    "programmes:quotas": "programmes:quotas_current",
    "programmes:workinfo": "programmes:workinfo_current",
    "programmes:workinfo_form": "programmes:workinfo_current",
    "registrations:list": "registrations:current",
    "registrations:new": "registrations:current",
    "registrations:import": "registrations:current",
    "classes:list": "classes:current",
    "classes:placement": "classes:placement_current",
    "attendance:leave_new": "attendance:leave_list",
    "evaluations:report": "evaluations:report_current",
    "evaluations:class_summary": "evaluations:report_current",
    "evaluations:ranking": "evaluations:ranking_current",
    "evaluations:assessments": "evaluations:assessments_current",
    "alumni:stats": "alumni:stats_current",
    "alumni:enterprise": "alumni:enterprises",
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    match = getattr(request, "resolver_match", None)
    section = SECTION_OF.get(match.view_name) if match else None
    entries = NAV.get(user.role, [])
    items = [{"name": name, "url": reverse(name), "label": label, "active": False} for name, label in entries]
    chosen = next((i for i in items if i["name"] == section), None)
    if chosen is None:  # the longest menu URL the path starts with
        candidates = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
        chosen = max(candidates, key=lambda i: len(i["url"]), default=None)
    if chosen is not None:
        chosen["active"] = True
    return {"nav": items}
