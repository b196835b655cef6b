from django.urls import reverse

NAV = {
    "bureau": [("home", "首页"), ("programmes:list", "年度计划"), ("programmes:quotas_current", "名额分配"),
               ("programmes:workinfo_current", "工作信息"), ("institutions:list", "培训机构"),
               ("accounts:users", "用户"), ("audit", "审计记录")],
    "centre": [("home", "首页"), ("programmes:list", "年度计划"), ("programmes:workinfo_current", "工作信息"),
               ("institutions:list", "培训机构"), ("accounts:users", "用户"), ("audit", "审计记录")],
    "region": [("home", "首页"), ("programmes:list", "年度计划"), ("programmes:workinfo_current", "工作信息（附件3）")],
    "institution": [("home", "首页"), ("programmes:list", "年度计划"), ("institutions:list", "培训机构")],
    "assessor": [("home", "首页"), ("institutions:list", "培训机构")],
    "trainee": [("home", "我的培训")],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    items = []
    for name, label in NAV.get(user.role, []):
        url = reverse(name)
        items.append({"url": url, "label": label, "active": path == url or (url != "/" and path.startswith(url))})
    return {"nav": items}
