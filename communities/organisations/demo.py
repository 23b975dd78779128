"""Three demo organisations (two of 翠园, one of 湖滨): profiles, finances, a project, a major event, staff."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from communities.regions.models import Community

from .credit_code import check_character
from .models import (
    FinancialReport,
    MajorEvent,
    OrganisationIndexPage,
    OrganisationLeader,
    OrganisationPage,
    ProjectPage,
    ProjectUpdate,
)
from .provisioning import provision_organisation_staff


def _code(first17):
    return first17 + check_character(first17)


def _report(year, grants, donations, services, programme, management):
    report = FinancialReport(
        year=year,
        government_grants_restricted=Decimal(grants),
        donations_unrestricted=Decimal(donations),
        service_income_unrestricted=Decimal(services),
        programme=Decimal(programme),
        management=Decimal(management),
        audited=year < 2025,
        auditor="江城明信会计师事务所" if year < 2025 else "",
    )
    report.total_income = report.income_sum()
    report.total_expenses = report.expense_sum()
    return report


def seed_demo_organisations(password: str) -> None:
    cuiyuan = Community.objects.get(slug="cuiyuan")
    hubin = Community.objects.get(slug="hubin")
    index = OrganisationIndexPage.objects.child_of(cuiyuan.root_page).get()
    elder = OrganisationPage(
        title="江城市翠园社区为老服务中心",
        slug="cuiyuan-elder-care",
        short_name="翠园为老服务中心",
        credit_code=_code("52420100MJ0000001"),
        legal_form=OrganisationPage.LegalForm.SOCIAL_SERVICE_INSTITUTION,
        registration_authority="江城市东湖区民政局",
        registration_date=date(2018, 4, 12),
        charity_recognised_on=date(2019, 6, 1),
        supervising_unit="东湖区翠湖街道办事处",
        purpose="为辖区老年人提供助餐、助浴、助医、精神慰藉等居家养老服务。",
        scope="居家养老服务；老年人日间照料；志愿服务组织",
        legal_representative="刘建华",
        contact_phone="027-88880101",
        address="翠园社区党群服务中心二楼",
        evaluation_grade=OrganisationPage.Grade.A4,
        charity_platform_url="https://cszg.mca.gov.cn/",
        live=False,
    )
    index.add_child(instance=elder)
    elder.communities.add(hubin)
    elder.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="刘建华"))
    elder.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.SECRETARY_GENERAL, name="陈晓燕"))
    for row in [
        (2024, "180000", "23500.5", "42000", "210000", "31200.5"),
        (2025, "220000", "31800", "45600", "250400", "40100"),
    ]:
        elder.financial_reports.add(_report(*row))
    elder.major_events.add(
        MajorEvent(
            kind=MajorEvent.Kind.RELATED_PARTY,
            title="向理事所在企业采购长者食堂食材",
            counterparty="江城市鲜丰农产品有限公司",
            amount=Decimal("36000.00"),
            occurred_on=timezone.localdate() - timedelta(days=12),
            description="经理事会表决，关联理事回避。",
        )
    )
    elder.save_revision().publish()
    # The demo's history: the centre disclosed its past reports in time (the youth association did not).
    for report in FinancialReport.objects.filter(page=elder):
        FinancialReport.objects.filter(pk=report.pk).update(disclosed_on=date(report.year + 1, 5, 20))
    meals = ProjectPage(
        title="长者助餐点运营项目",
        slug="elder-meals",
        description="每日为辖区80岁以上及困难老人提供午餐，送餐上门。",
        status=ProjectPage.Status.ONGOING,
        start_date=date(2025, 1, 1),
        location="翠园社区服务中心西侧长者食堂",
        target_group="80岁以上老人、困难老人",
        beneficiaries=136,
        budget=Decimal("120000.00"),
        actual_spending=Decimal("86350.00"),
        funding_source=ProjectPage.FundingSource.GOVERNMENT_PURCHASE,
        live=False,
    )
    elder.add_child(instance=meals)
    meals.updates.add(
        ProjectUpdate(
            period_end=date(2025, 9, 30),
            summary="三季度供餐 9,812 份，新增送餐老人 12 名。",
            spent_to_date=Decimal("86350.00"),
            beneficiaries_to_date=136,
        )
    )
    meals.save_revision().publish()

    youth = OrganisationPage(
        title="江城市翠园社区青少年志愿服务协会",
        slug="cuiyuan-youth-volunteers",
        short_name="翠园青少年志愿者协会",
        credit_code=_code("51420100MJ0000002"),
        legal_form=OrganisationPage.LegalForm.SOCIAL_GROUP,
        registration_authority="江城市东湖区民政局",
        registration_date=date(2021, 9, 1),
        purpose="组织青少年参与社区志愿服务，培养公益精神。",
        scope="志愿服务；四点半课堂；环保宣传",
        legal_representative="王思远",
        contact_phone="027-88880102",
        live=False,
    )
    index.add_child(instance=youth)
    youth.financial_reports.add(_report(2025, "30000", "8200", "0", "34100", "4100"))
    youth.save_revision().publish()

    # 湖滨's own: every demo community has an organisation page under its own site.
    hubin_index = OrganisationIndexPage.objects.child_of(hubin.root_page).get()
    sports = OrganisationPage(
        title="江城市湖滨社区文体协会",
        slug="hubin-sports-culture",
        short_name="湖滨文体协会",
        credit_code=_code("51420100MJ0000003"),
        legal_form=OrganisationPage.LegalForm.SOCIAL_GROUP,
        registration_authority="江城市东湖区民政局",
        registration_date=date(2020, 3, 18),
        purpose="组织居民开展文化体育活动，丰富社区生活。",
        scope="广场舞队；太极拳队；社区运动会；文艺汇演",
        legal_representative="周丽萍",
        contact_phone="027-88880103",
        address="湖滨路1号社区活动中心",
        live=False,
    )
    hubin_index.add_child(instance=sports)
    sports.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="周丽萍"))
    sports.financial_reports.add(_report(2025, "20000", "6500", "3000", "25800", "2600"))
    sports.save_revision().publish()

    access = provision_organisation_staff(elder)
    user, created = get_user_model().objects.get_or_create(
        username="orgstaff", defaults={"display_name": "为老服务中心工作人员", "phone": "13900000004", "is_staff": True}
    )
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(access.staff_group)
