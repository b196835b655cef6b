"""Demo data for `make run`: reference data (by migration), one user per role, institutions, the 2021 and
2024 programmes as their notices describe them, and an open demo year to try registration on.
Idempotent: existing rows are kept; demo users get LINGJUN_DEMO_PASSWORD each run."""

import datetime
import os

from django.core.management.base import BaseCommand
from django.db import transaction

from lingjun.accounts.models import User
from lingjun.core.scoping import scopes_disabled
from lingjun.institutions.models import Institution
from lingjun.programmes import services as programme_services
from lingjun.programmes.models import Programme, WorkInfo
from lingjun.reference.models import Region

DEFAULT_PASSWORD = "Lingjun-demo-2024"

INSTITUTIONS = [
    ("工业和信息化部人才交流中心", "talent_centre", ["specialized", "integration", "regional", "theme"]),
    ("中国中小企业国际合作协会", "association", ["regional", "theme"]),
    ("浙江大学", "university", ["regional"]),
    ("中山大学", "university", ["regional"]),
    ("四川大学", "university", ["regional", "theme"]),
]
DEMO_REGIONS = ["330000", "110000", "440000", "510000"]

PROGRAMMES = [
    {
        "year": 2021,
        "title": "2021—2022年中小企业经营管理领军人才培训",
        "notice_number": "工信厅企业函〔2021〕256号",
        "target_trainees": 2000,
        "min_manufacturing_share": "0.3",
        "registration_deadline": datetime.date(2021, 12, 31),
        "planned_classes": 40,
        "days_per_class": 5,
        "tracks": ["regional", "specialized", "integration", "theme"],
        "final_status": "archived",
    },
    {
        "year": 2024,
        "title": "2024年中小企业经营管理领军人才培训",
        "notice_number": "工信厅企业函〔2024〕333号",
        "target_trainees": 800,
        "min_manufacturing_share": None,
        "registration_deadline": datetime.date(2024, 8, 31),
        "planned_classes": 10,
        "days_per_class": 4,
        "tracks": ["specialized", "integration"],
        "final_status": "closed",
    },
    {
        "year": 2027,
        "title": "2027年中小企业经营管理领军人才培训（演示年度）",
        "notice_number": "",
        "target_trainees": 800,
        "min_manufacturing_share": None,
        "registration_deadline": datetime.date(2027, 8, 31),
        "planned_classes": 10,
        "days_per_class": 4,
        "tracks": ["specialized", "integration"],
        "final_status": "open",
    },
]
FLOW = {"archived": ["open", "closed", "archived"], "closed": ["open", "closed"], "open": ["open"]}


FACULTY = [
    ("陈立新", "工业和信息化部中小企业局", "government", "处长", ["policy_law", "macro"]),
    ("周海燕", "浙江大学管理学院", "university", "教授", ["strategy", "entrepreneurship"]),
    ("孙志强", "中国信息通信研究院", "research_institute", "研究员", ["digital", "innovation"]),
    ("郑凯", "某专精特新“小巨人”企业", "enterprise", "董事长", ["entrepreneurship", "innovation"]),
]
SESSIONS = [  # (day offset, start, end, title, topic, format, faculty index or None)
    (0, "09:00", "11:30", "开班式暨当前经济形势与中小企业政策", "macro", "lecture", 0),
    (0, "14:00", "17:00", "专精特新企业的战略选择", "strategy", "lecture", 1),
    (1, "09:00", "11:30", "中小企业数字化转型路径", "digital", "lecture", 2),
    (1, "14:00", "17:30", "走进“小巨人”企业：现场教学", "innovation", "field_teaching", 3),
    (2, "09:00", "11:30", "企业家精神与传承", "entrepreneurship", "discussion", 3),
    (3, "09:00", "11:30", "结业式与学习成果交流", "political_guidance", "discussion", None),
]


class Command(BaseCommand):
    help = "加载演示数据（可重复运行，不会重复创建）。演示用户密码取自环境变量 LINGJUN_DEMO_PASSWORD。"

    def handle(self, *args, **options):
        password = os.environ.get("LINGJUN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        with scopes_disabled(), transaction.atomic():
            institutions = {}
            for name, kind, tracks in INSTITUTIONS:
                institutions[name], _ = Institution.objects.get_or_create(
                    name=name, defaults={"kind": kind, "tracks": tracks}
                )
            users = [
                ("bureau", "bureau", None, None, "中小企业局 演示用户"),
                ("centre", "centre", None, None, "人才交流中心 演示用户"),
                ("assessor", "assessor", None, None, "第三方考核机构 演示用户"),
                (
                    "institution",
                    "institution",
                    None,
                    institutions["中国中小企业国际合作协会"],
                    "中国中小企业国际合作协会",
                ),
                ("trainee", "trainee", None, None, "演示学员"),
                ("region", "region", "330000", None, "浙江省经济和信息化厅"),
            ] + [
                (
                    f"region-{code}",
                    "region",
                    code,
                    None,
                    Region.objects.get(code=code).name + "中小企业主管部门",
                )
                for code in DEMO_REGIONS[1:]
            ]
            for username, role, region, inst, display in users:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "role": role,
                        "region_id": region,
                        "institution": inst,
                        "display_name": display,
                    },
                )
                user.set_password(password)
                user.save(update_fields=["password"])
            bureau = User.objects.get(username="bureau")
            for spec in PROGRAMMES:
                if Programme.objects.filter(year=spec["year"]).exists():
                    continue
                data = {k: v for k, v in spec.items() if k != "final_status"}
                programme = programme_services.create_programme(bureau, data)
                weights = {code: 1 for code in Region.objects.values_list("code", flat=True)}
                quotas = programme_services.propose_quotas(spec["target_trainees"], weights)
                programme_services.set_quotas(bureau, programme.pk, quotas)
                for status in FLOW[spec["final_status"]]:
                    programme_services.update_programme(bureau, programme.pk, {"status": status})
            demo_year = Programme.objects.get(year=2027)
            region_user = User.objects.get(username="region")
            if not WorkInfo.objects.filter(programme=demo_year, region_id="330000").exists():
                programme_services.save_work_info(
                    region_user,
                    demo_year.pk,
                    "330000",
                    {
                        "department": "浙江省经济和信息化厅",
                        "leader_name": "王明",
                        "leader_position": "副厅长",
                        "leader_phone": "0571-87001234",
                        "liaison_name": "李华",
                        "liaison_position": "中小企业处四级调研员",
                        "liaison_phone": "0571-87005678",
                        "liaison_mobile": "13905710000",
                        "liaison_email": "lihua@example.cn",
                    },
                )
            self._demo_year(demo_year, bureau)
            self._demo_alumni(Programme.objects.get(year=2024))
            self._demo_assessments(Programme.objects.get(year=2024))
        self.stdout.write(
            self.style.SUCCESS(
                "演示数据已就绪。演示用户：bureau、centre、assessor、institution、trainee、region（浙江）、"
                + "、".join(f"region-{c}" for c in DEMO_REGIONS[1:])
                + (
                    "；密码取自 LINGJUN_DEMO_PASSWORD。"
                    if os.environ.get("LINGJUN_DEMO_PASSWORD")
                    else f"；密码为默认的 {DEFAULT_PASSWORD}（可用 LINGJUN_DEMO_PASSWORD 设置）。"
                )
            )
        )

    def _demo_assessments(self, programme):
        """The assessor's 2024 scores, so the ranking page has something to explain (once)."""
        from lingjun.evaluations import services as evaluation_services
        from lingjun.evaluations.models import Assessment

        if Assessment.objects.filter(programme=programme).exists():
            return
        assessor = User.objects.get(username="assessor")
        for i, inst in enumerate(Institution.objects.order_by("name")):
            evaluation_services.set_assessment(
                assessor, programme.pk, inst.pk, 92 - 4 * i, "现场检查与资料审核（演示数据）"
            )

    def _demo_year(self, programme, bureau):
        """Registrations in several states, classes with timetables and a placement, for the open demo year."""
        import random

        from django.utils import timezone

        from lingjun.classes import services as class_services
        from lingjun.classes.models import Faculty, TrainingClass
        from lingjun.registrations import fakes
        from lingjun.registrations import services as reg_services
        from lingjun.registrations.models import Registration, Trainee

        if Registration.objects.filter(programme=programme).exists():
            return
        centre = User.objects.get(username="centre")
        rng = random.Random(2027)
        created = []
        for code, count in (("330000", 12), ("110000", 6), ("440000", 6), ("510000", 4)):
            officer = User.objects.get(username="region" if code == "330000" else f"region-{code}")
            for i in range(count):
                payload = fakes.registration_payload(rng, code, manufacturing=i % 4 != 3)
                if i == 5:
                    payload["trainee"].update(
                        is_principal=False,
                        position="总经理",
                        principal_justification="董事长年事已高，由总经理代为参训。",
                    )
                reg = reg_services.create_registration(
                    officer, programme.pk, payload, submit=i != 11, source="form"
                )
                created.append(reg)
        # Most trainees have confirmed through their invitation link; the centre approved a part of them.
        confirmed = [r for r in created if r.status == "submitted"][:20]
        Registration.objects.filter(pk__in=[r.pk for r in confirmed]).update(confirmed_at=timezone.now())
        for reg in confirmed[:16]:
            reg_services.approve(centre, reg.pk)
        reg_services.return_for_correction(
            centre, confirmed[17].pk, "企业营业收入与资产总额疑似填反，请核对后重新提交。"
        )
        first = Registration.objects.filter(programme=programme, region_id="330000").order_by("id").first()
        Trainee.objects.filter(pk=first.trainee_id).update(user=User.objects.get(username="trainee"))

        faculty = []
        for name, aff, kind, title, topics in FACULTY:
            f = Faculty.objects.filter(name=name).first() or class_services.create_faculty(
                centre,
                {
                    "name": name,
                    "affiliation": aff,
                    "affiliation_kind": kind,
                    "title": title,
                    "topics": topics,
                },
            )
            faculty.append(f)
        institutions = {i.name: i for i in Institution.objects.all()}
        for number, (inst, city, start, track) in enumerate(
            (
                ("中国中小企业国际合作协会", "杭州", datetime.date(2027, 10, 12), "specialized"),
                ("工业和信息化部人才交流中心", "北京", datetime.date(2027, 10, 19), "integration"),
                ("中山大学", "广州", datetime.date(2027, 10, 26), "regional"),
            ),
            start=1,
        ):
            if TrainingClass.objects.filter(programme=programme, number=number).exists():
                continue
            tc = class_services.create_class(
                centre,
                programme.pk,
                {
                    "number": number,
                    "track": track,
                    "institution": institutions[inst].pk,
                    "city": city,
                    "venue": "培训中心",
                    "start_date": start,
                    "capacity": 8,
                    "head_teacher": "刘老师",
                    "head_teacher_phone": "13900000000",
                },
            )
            for day, s_start, s_end, title, topic, fmt, fi in SESSIONS:
                if number > 1 and fi is not None:
                    fi = None if day == 0 else fi  # a faculty member cannot be in two cities at once
                class_services.add_session(
                    centre,
                    tc.pk,
                    {
                        "date": start + datetime.timedelta(days=day),
                        "start": s_start,
                        "end": s_end,
                        "title": title,
                        "topic": topic,
                        "format": fmt,
                        "faculty": faculty[fi].pk if fi is not None and number == 1 else None,
                        "place": "培训中心报告厅",
                    },
                )
        class_services.run_assignment(centre, programme.pk)

    def _demo_alumni(self, programme):
        """Alumni of 2024 in Zhejiang with a finished class and their outcomes, three years of operation
        reports and a service record: enough for the archive, the dashboard and an enterprise trend page."""
        import random

        from django.utils import timezone

        from lingjun.alumni import services as alumni_services
        from lingjun.classes.models import TrainingClass
        from lingjun.registrations import fakes
        from lingjun.registrations import services as reg_services
        from lingjun.registrations.models import Registration

        if Registration.objects.filter(programme=programme).exists():
            return
        centre = User.objects.get(username="centre")
        officer = User.objects.get(username="region")
        tc = TrainingClass.objects.create(
            programme=programme,
            number=1,
            track="specialized",
            institution=Institution.objects.get(name="工业和信息化部人才交流中心"),
            city="杭州",
            start_date=datetime.date(2024, 10, 15),
            end_date=datetime.date(2024, 10, 18),
            capacity=40,
            status="finished",
        )
        rng = random.Random(2024)
        regs = []
        for i in range(6):
            # The 2024 programme is archived: the centre records history as drafts, then sets the outcome.
            reg = reg_services.create_registration(
                centre,
                programme.pk,
                fakes.registration_payload(rng, "330000"),
                submit=False,
                region_code="330000",
                source="form",
            )
            regs.append(reg)
            Registration.objects.filter(pk=reg.pk).update(
                status="completed" if i < 5 else "not_completed",
                training_class=tc,
                confirmed_at=timezone.now(),
            )
        TrainingClass.objects.filter(pk=tc.pk).update(enrolled=len(regs))
        code = regs[0].enterprise.credit_code
        for period, revenue, employees, rnd, patents in (
            ("2023", 6200, 118, 380, 9),
            ("2024", 7100, 126, 450, 12),
            ("2025", 8300, 140, 560, 15),
        ):
            alumni_services.add_report(
                officer,
                code,
                {
                    "period": period,
                    "revenue": revenue,
                    "employees": employees,
                    "rnd_spend": rnd,
                    "patents": patents,
                },
            )
        alumni_services.add_service(
            officer,
            code,
            {
                "date": "2025-04-18",
                "kind": "financing",
                "description": "组织银企对接会，推荐至省专精特新贷款白名单。",
                "outcome": "获得授信 500 万元。",
            },
        )
