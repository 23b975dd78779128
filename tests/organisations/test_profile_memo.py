"""The organisation's profile is rendered once per published version (`{% sitewide with page=page %}`,
`OrganisationPage.sitewide_key`): a new version shows at once, a preview and a historic version are never mixed up
with the live one, and a kept rendering reads none of the leaders, reports or events."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document

from communities.organisations.models import MajorEvent, OrganisationLeader, ProjectPage

from .conftest import make_organisation, make_project, report

pytestmark = pytest.mark.usefixtures("uncached_pages")

INLINE_TABLES = ("organisationleader", "financialreport", "majorevent")


@pytest.fixture
def uncached_pages():
    # The whole-page cache for visitors would hide the memo; it is tested on its own (test_pages.py).
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0):
        yield


def article(html: str) -> str:
    return re.search(r"<article>.*?</article>", html, re.S).group(0)


def section(html: str, name: str) -> str:
    return re.search(rf'<section aria-labelledby="{name}">.*?</section>', html, re.S).group(0)


def document(community, title, name="report.pdf"):
    return Document.objects.create(
        title=title, file=ContentFile(b"%PDF-1.4\n" + b"0" * 64, name=name), collection=community.collection
    )


def test_a_new_published_version_shows_at_once(city, host_client, make_user):
    org = make_organisation(city["a1"], purpose="旧的宗旨")
    visitor, resident = host_client("a1.localhost"), host_client("a1.localhost", user=make_user())
    for client in (visitor, resident):
        first = client.get(org.url).content.decode()
        assert "旧的宗旨" in first and 'class="empty"' in section(first, "reports")
        assert article(client.get(org.url).content.decode()) == article(first)  # kept, and the same
    org.purpose, org.change_note = "新的宗旨", "更正宗旨"
    org.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="王理事长"))
    org.financial_reports.add(report(2025))
    org.major_events.add(MajorEvent(kind=MajorEvent.Kind.INVESTMENT, title="购置助餐车", occurred_on=date(2026, 1, 5)))
    org.save_revision().publish()
    for client in (visitor, resident):
        html = article(client.get(org.url).content.decode())
        assert "新的宗旨" in html and "旧的宗旨" not in html
        assert "王理事长" in html and "购置助餐车" in html
        assert ">2025 " in section(html, "reports") and "1000.00" in section(html, "reports")
    # A changed report (a correction) is a new version too.
    org.refresh_from_db()
    corrected = org.financial_reports.get()
    corrected.donations_unrestricted = corrected.total_income = Decimal("1234.00")
    org.financial_reports = [corrected]
    org.change_note = "更正2025年收入"
    org.save_revision().publish()
    html = article(visitor.get(org.url).content.decode())
    assert "1234.00" in html and ">1000.00<" not in html


def test_a_preview_shows_the_draft_and_never_reaches_the_live_page(city, host_client):
    org = make_organisation(city["a1"], purpose="已发布的宗旨")
    client = host_client("a1.localhost")
    assert "已发布的宗旨" in client.get(org.url).content.decode()
    draft = org.__class__.objects.get(pk=org.pk)
    draft.purpose = "预览中的宗旨"
    draft.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="预览理事长"))
    preview = draft.make_preview_request().content.decode()
    assert "预览中的宗旨" in preview and "预览理事长" in preview and "已发布的宗旨" not in preview
    live = client.get(org.url).content.decode()
    assert "已发布的宗旨" in live and "预览中的宗旨" not in live and "预览理事长" not in live
    # A second draft of the same published version (the same page, live revision and publishing time) is
    # previewed as itself, not as the first.
    draft.purpose = "再次修改的宗旨"
    preview = draft.make_preview_request().content.decode()
    assert "再次修改的宗旨" in preview and "预览中的宗旨" not in preview


def test_a_preview_first_does_not_leave_the_draft_for_the_next_visitor(city, host_client):
    org = make_organisation(city["a1"], purpose="已发布的宗旨")
    draft = org.__class__.objects.get(pk=org.pk)
    draft.purpose = "预览中的宗旨"
    assert "预览中的宗旨" in draft.make_preview_request().content.decode()
    live = host_client("a1.localhost").get(org.url).content.decode()
    assert "已发布的宗旨" in live and "预览中的宗旨" not in live


def test_a_historic_version_shows_that_version_not_the_kept_current_one(city, host_client):
    org = make_organisation(city["a1"], purpose="第一版宗旨")
    first = org.live_revision_id
    org.purpose, org.change_note = "第二版宗旨", "更正"
    org.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="新理事长"))
    org.save_revision().publish()
    client = host_client("a1.localhost")
    current = client.get(org.url).content.decode()
    assert "第二版宗旨" in current and "新理事长" in current
    for _ in range(2):  # rendered, then kept: each time the first version
        old = client.get(org.url + f"history/{first}/").content.decode()
        assert "第一版宗旨" in old and "第二版宗旨" not in old and "新理事长" not in old
        assert 'class="historic-banner"' in old
    current = client.get(org.url).content.decode()
    assert "第二版宗旨" in current and 'class="historic-banner"' not in current


def test_a_kept_profile_reads_no_leader_report_or_event_and_a_publish_shows_at_once(city, host_client):
    org = make_organisation(city["a1"])
    org.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.CHAIR, name="李理事长"))
    org.financial_reports.add(report(2024))
    org.major_events.add(MajorEvent(kind=MajorEvent.Kind.OTHER, title="更换办公地址", occurred_on=date(2025, 6, 1)))
    org.save_revision().publish()
    client = host_client("a1.localhost")
    client.get("/")  # the site's chrome and map, so that both requests below start alike

    def queries():
        with CaptureQueriesContext(connection) as captured:
            html = client.get(org.url).content.decode()
        return html, [q["sql"] for q in captured.captured_queries]

    first_html, first = queries()
    second_html, second = queries()
    assert second_html == first_html and "李理事长" in second_html and "更换办公地址" in second_html
    assert [table for table in INLINE_TABLES if any(table in sql for sql in first)] == list(INLINE_TABLES)
    assert not [sql for sql in second if any(table in sql for table in INLINE_TABLES)]
    assert len(second) < len(first)
    org.leaders.add(OrganisationLeader(role=OrganisationLeader.Role.SECRETARY_GENERAL, name="赵秘书长"))
    org.change_note = "增补秘书长"
    org.save_revision().publish()
    third_html, third = queries()
    assert "赵秘书长" in third_html and "李理事长" in third_html
    assert any("organisationleader" in sql for sql in third)


def test_projects_stay_outside_the_kept_profile(city, host_client):
    org = make_organisation(city["a1"])
    client = host_client("a1.localhost")
    assert 'class="empty"' in section(client.get(org.url).content.decode(), "projects")
    make_project(org, title="长者助餐项目")
    projects = section(client.get(org.url).content.decode(), "projects")
    assert "长者助餐项目" in projects and 'class="empty"' not in projects


def project_queries(client, org) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        html = client.get(org.url).content.decode()
    return html, [q["sql"] for q in captured.captured_queries if "organisations_projectpage" in q["sql"]]


def test_projects_are_read_only_when_there_are_some_and_only_as_listed(city, host_client):
    org = make_organisation(city["a1"])
    client = host_client("a1.localhost")
    html, read = project_queries(client, org)
    assert 'class="empty"' in section(html, "projects") and not read, read
    for n in range(3):
        make_project(org, n, title=f"项目{n}", start_date=date(2025, 1, n + 1))
    make_project(org, 9, publish=False, title="草稿项目")
    html, read = project_queries(client, org)
    projects = section(html, "projects")
    assert projects.index("项目2") < projects.index("项目1") < projects.index("项目0") and "草稿项目" not in projects
    assert f'href="{org.relative_url(city["a1"].site)}project-0/"' in projects
    assert len(read) == 1 and "budget" not in read[0], read
    ProjectPage.objects.get(title="项目1").unpublish()
    assert "项目1" not in section(client.get(org.url).content.decode(), "projects")


def test_a_renamed_charter_or_report_document_shows_at_once(city, host_client):
    charter = document(city["a1"], "章程（2020年版）", name="charter.pdf")
    audit = document(city["a1"], "2024年审计报告", name="audit.pdf")
    org = make_organisation(city["a1"], charter=charter)
    row = report(2024)
    row.document = audit
    org.financial_reports.add(row)
    org.save_revision().publish()
    client = host_client("a1.localhost")
    html = client.get(org.url).content.decode()
    assert "章程（2020年版）" in html and "2024年审计报告" in html
    charter.title = "章程（2024年修订）"
    charter.save()
    audit.title = "2024年度审计报告（正式版）"
    audit.save()
    html = client.get(org.url).content.decode()
    assert "章程（2024年修订）" in html and "章程（2020年版）" not in html
    assert "2024年度审计报告（正式版）" in html and "2024年审计报告<" not in html
    audit.delete()  # the report loses its document without a publish
    html = client.get(org.url).content.decode()
    assert "2024年度审计报告" not in html and ">2024 " in section(html, "reports")


def test_two_historic_versions_drafted_under_the_same_live_version_are_each_shown(city, host_client):
    """Two drafts saved while the same version was live carry the same live revision and publishing time in their
    content: only the revision in the key tells their kept renderings apart."""
    org = make_organisation(city["a1"], purpose="最初的宗旨")
    org.purpose, org.change_note = "甲稿宗旨", "甲稿"
    draft_a = org.save_revision()
    org.purpose, org.change_note = "乙稿宗旨", "乙稿"
    draft_b = org.save_revision()
    draft_a.publish()
    draft_b.publish()
    client = host_client("a1.localhost")
    a = client.get(org.url + f"history/{draft_a.pk}/").content.decode()
    b = client.get(org.url + f"history/{draft_b.pk}/").content.decode()
    assert "甲稿宗旨" in a and "乙稿宗旨" not in a
    assert "乙稿宗旨" in b and "甲稿宗旨" not in b
