"""A walk through the demo city right after seeding (issue 19's "Checked by"): each demo role does its main
actions in a real browser: a visitor signs up and applies to join 翠园, the resident posts in the forum,
votes in an open deliberation, answers a poll, files a complaint and rates a closed one, the worker
publishes a notice in the admin and verifies the waiting applicant, the moderator hides the reported
advertisement, the organisation's staff disclose a financial report and the worker approves it.

Every page the walk reaches is checked (tests/browser/walk.py): it answered, none of its same-site links is
dead, and nothing on it is left in English."""

import re

import pytest
from playwright.sync_api import expect

from .walk import Walk

ADMIN = "localhost"
COMMUNITY = "cuiyuan.localhost"
NEW_PHONE = "13766668888"


@pytest.fixture(scope="module")
def walk(portal_server, browser):
    walk = Walk(portal_server, browser)
    yield walk
    walk.close()


def signed_in(browser, portal_server, walk, host, username):
    from communities.regions.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login = "/admin/login/" if host == ADMIN else "/accounts/login/"
    walk.follow(page, portal_server.url(host, login))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")  # the login form's own submit (the header has other forms)
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not log in on {host}"
    walk.check(page)
    return context, page


@pytest.fixture
def as_role(browser, portal_server, walk):
    contexts = []

    def make(host, username=None):
        if username is None:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = context.new_page()
        else:
            context, page = signed_in(browser, portal_server, walk, host, username)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def submit(walk, page, button):
    """Click a form's button and check the page the form led to."""
    button.click()
    walk.check(page)
    return page.locator("body").inner_text()


def sms_code(portal_server, masked_phone) -> str:
    """The latest code sent to the number: the server logs SMS as `make run` does in development."""
    lines = [line for line in portal_server.log_path.read_text().splitlines() if f"SMS to {masked_phone}" in line]
    assert lines, f"no SMS to {masked_phone} in {portal_server.log_path}"
    return re.findall(r"(?<!\d)\d{6}(?!\d)", lines[-1])[-1]


def test_a_visitor_signs_up_and_applies_to_join(portal_server, as_role, walk):
    page = as_role(COMMUNITY)
    walk.follow(page, portal_server.url(COMMUNITY, "/"))
    page.locator("a.signup-link").click()
    walk.check(page)
    page.locator("#id_phone").fill(NEW_PHONE)
    page.locator("#id_consent").check()
    submit(walk, page, page.locator("main form button[type=submit]"))
    assert page.url.endswith("/accounts/signup/confirm/"), page.url
    page.locator("#id_code").fill(sms_code(portal_server, "137****8888"))
    page.locator("#id_display_name").fill("新来的小张")
    page.locator("#id_password1").fill("a-long-new-password-2026")
    page.locator("#id_password2").fill("a-long-new-password-2026")
    assert "欢迎" in submit(walk, page, page.locator("main form button[type=submit]"))
    assert page.url.endswith("/accounts/me/"), page.url

    page.locator("main a", has_text="加入本社区").click()
    walk.check(page)
    page.locator("#id_building").select_option(label="3号楼")
    page.locator("#id_unit").fill("1")
    page.locator("#id_room").fill("502")
    page.locator("#id_real_name").fill("张小明")
    assert "核实" in submit(walk, page, page.locator("main form button[type=submit]"))
    rows = portal_server.query(
        "SELECT m.status, u.display_name, m.home_id IS NOT NULL FROM accounts_membership m "
        "JOIN accounts_user u ON u.id = m.user_id WHERE u.phone = ?",
        NEW_PHONE,
    )
    assert rows == [("pending", "新来的小张", 1)], rows


def test_the_resident_posts_votes_answers_and_complains(portal_server, as_role, walk):
    page = as_role(COMMUNITY, "resident")

    # The forum: a new thread in 邻里话题.
    walk.follow(page, "/forum/")
    walk.follow(page, "/forum/new/")
    page.locator("#id_category").select_option(label="邻里话题")
    page.locator("#id_title").fill("周末一起清理楼道杂物")
    page.locator("#id_body").fill("本周六上午九点，3号楼门口集合，欢迎邻居参加。")
    submit(walk, page, page.locator("main form button[type=submit]"))
    expect(page.locator("main h1")).to_have_text("周末一起清理楼道杂物")

    # 阳光议事: the open vote on 3号楼's lighting (the resident lives in 3号楼), a receipt shown once.
    walk.follow(page, "/deliberations/")
    page.locator("main a", has_text="3号楼楼道照明改造").click()
    walk.check(page)
    page.locator("main form[action$='/vote/'] input[name=option]").first.check()
    submit(walk, page, page.get_by_role("button", name="投出我的一票"))
    assert page.url.endswith("/receipt/"), page.url
    expect(page.locator(".receipt code")).to_have_text(re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$"))

    # 民意调查: every required question answered (the conditional one shows once 是 is ticked).
    walk.follow(page, "/polls/satisfaction-2026/")
    page.locator("input[name=service][value='4']").check()
    page.locator("input[name=elder_canteen][value='是']").check()
    page.locator("input[name=canteen]").nth(4).check()
    page.locator("input[name=wanted]").first.check()
    for i in range(3):
        page.locator(f"#id_priority__{i}").select_option(str(i + 1))
    page.locator("input[name=facilities__0]").first.check()
    page.locator("input[name=facilities__1]").first.check()
    assert "谢谢" in submit(walk, page, page.locator("main form button[type=submit]"))

    # 我有话说: a complaint, then its own page.
    walk.follow(page, "/complaints/new/")
    page.locator("#id_kind").select_option("hazard")
    page.locator("#id_category").select_option(label="小区绿化")
    page.locator("#id_description").fill("3号楼南侧的大树枝折断，挂在半空。")
    page.locator("#id_address").fill("3号楼南侧")
    submit(walk, page, page.locator("main form[enctype='multipart/form-data'] button[type=submit]"))
    expect(page.locator("main")).to_contain_text("3号楼南侧的大树枝折断")
    expect(page.locator("main")).to_contain_text("已提交")


def test_the_resident_rates_a_closed_complaint(portal_server, as_role, walk):
    page = as_role(COMMUNITY, "resident")
    walk.follow(page, "/complaints/")
    listing = page.locator("main").inner_text()
    for state in ("已提交", "已受理", "已退回", "已办结"):
        assert state in listing, state
    page.locator("main li", has_text="已办结").locator("a").first.click()
    walk.check(page)
    page.locator("input[name=rating][value=satisfied]").check()
    assert "感谢您的评价" in submit(walk, page, page.locator("main form button[type=submit]", has_text="提交评价"))
    assert not re.search(r"\b(Thank you|Rate the result|Timeline)\b", page.locator("main").inner_text())


def test_the_worker_publishes_a_notice(portal_server, as_role, walk):
    (index_id,) = portal_server.query(
        "SELECT id FROM wagtailcore_page WHERE url_path = '/city/donghu/cuihu/cuiyuan/notices/'"
    )[0]
    page = as_role(ADMIN, "editor")
    walk.follow(page, f"/admin/pages/{index_id}/")
    walk.follow(page, f"/admin/pages/add/community_notices/noticepage/{index_id}/")
    page.locator("#id_title").fill("12月10日小区停水通知")
    page.locator("#id_summary").fill("管道维修，上午停水")
    body = page.locator("[data-contentpath=body] [contenteditable=true]")
    body.click()
    body.press_sequentially("12月10日8:00至12:00停水，请提前储水。")
    # The rich text editor saves into its hidden field a moment later.
    expect(page.locator("input[name=body]")).to_have_value(re.compile("请提前储水"))
    page.locator("footer button", has_text="更多动作").click()
    submit(walk, page, page.locator("footer button[name=action-publish]"))
    assert "/edit/" not in page.url and "/add/" not in page.url, f"the form came back: {page.url}"
    live = portal_server.query("SELECT url_path FROM wagtailcore_page WHERE title = '12月10日小区停水通知' AND live")
    assert len(live) == 1, live
    slug = live[0][0].rstrip("/").rsplit("/", 1)[-1]
    assert "%" not in slug
    walk.follow(page, portal_server.url(COMMUNITY, "/notices/"))
    page.locator("main a", has_text="12月10日小区停水通知").click()
    walk.check(page)
    expect(page.locator("main")).to_contain_text("请提前储水")


def test_the_worker_verifies_the_waiting_applicant(portal_server, as_role, walk):
    (pk,) = portal_server.query(
        "SELECT m.id FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id "
        "WHERE u.username = 'applicant' AND m.status = 'pending'"
    )[0]
    page = as_role(ADMIN, "editor")
    walk.follow(page, "/admin/memberships/")
    walk.follow(page, f"/admin/memberships/edit/{pk}/")
    applicant = page.locator(".applicant").inner_text()
    assert "李**" in applicant and "李建国" not in applicant, applicant
    page.locator("#id_status").select_option("verified")
    submit(walk, page, page.locator("form:has(#id_status) button[type=submit]").first)
    assert "/edit/" not in page.url, "the form came back (an error)"
    status = portal_server.query("SELECT status FROM accounts_membership WHERE id = ?", pk)[0][0]
    assert status == "verified"


def test_the_moderator_hides_the_reported_advertisement(portal_server, as_role, walk):
    page = as_role(ADMIN, "moderator")
    walk.follow(page, "/admin/moderation/")
    row = page.locator("tr", has_text="低价装修")
    assert "13912345678" not in row.inner_text()
    row.locator("a", has_text=re.compile("处理")).first.click()
    walk.check(page)
    page.locator("#id_kind").select_option("hide")
    page.locator("#id_reason").fill("广告")
    submit(walk, page, page.locator("form:has(#id_reason) button[type=submit]"))
    assert page.url.endswith("/admin/moderation/"), page.url
    states = portal_server.query("SELECT moderation_state FROM forums_post WHERE body LIKE '%低价装修%'")
    assert states == [("hidden",)], states


def test_the_organisation_discloses_a_report_and_the_worker_approves_it(portal_server, as_role, walk):
    (org_id,) = portal_server.query("SELECT id FROM wagtailcore_page WHERE slug = 'cuiyuan-elder-care'")[0]
    staff = as_role(ADMIN, "orgstaff")
    walk.follow(staff, f"/admin/pages/{org_id}/edit/")
    count = int(staff.locator("#id_financial_reports-TOTAL_FORMS").input_value())
    staff.locator("#id_financial_reports-ADD").click()
    prefix = f"#id_financial_reports-{count}-"
    staff.locator(prefix + "year").fill("2026")
    staff.locator(prefix + "period").select_option("h1")
    staff.locator(prefix + "donations_unrestricted").fill("12000")
    staff.locator(prefix + "total_income").fill("12000")
    staff.locator(prefix + "programme").fill("9000")
    staff.locator(prefix + "total_expenses").fill("9000")
    staff.locator("#id_change_note").fill("公开2026年上半年业务活动表")  # a published page's change is explained
    staff.locator("footer button", has_text="更多动作").click()
    submit(walk, staff, staff.locator("footer button[name=action-submit]"))
    assert "/edit/" not in staff.url, f"the form came back: {staff.url}"
    states = portal_server.query(
        "SELECT status FROM wagtailcore_workflowstate WHERE object_id = ? AND status = 'in_progress'", str(org_id)
    )
    assert states == [("in_progress",)], states
    profile = portal_server.url(COMMUNITY, "/organisations/cuiyuan-elder-care/")
    walk.follow(staff, profile)
    expect(staff.locator("main")).not_to_contain_text("2026 上半年")  # not public before the community approves

    worker = as_role(ADMIN, "editor")
    walk.follow(worker, f"/admin/pages/{org_id}/edit/")
    worker.locator("footer button", has_text="更多动作").click()
    worker.locator("footer button", has_text="批准").first.click()
    dialog = worker.locator("[role=dialog]:visible")
    if dialog.count():  # Wagtail asks for an optional comment in a dialog
        submit(walk, worker, dialog.locator("button[type=submit]"))
    walk.check(worker)
    states = portal_server.query("SELECT status FROM wagtailcore_workflowstate WHERE object_id = ?", str(org_id))
    assert ("approved",) in states, states
    walk.follow(worker, profile)
    expect(worker.locator("main")).to_contain_text("2026 上半年")


def test_the_walk_fails_on_a_dead_link_and_on_english(portal_server, as_role, walk):
    """The checks fail on real regressions: a page with a link to nowhere and an untranslated sentence."""
    page = as_role(COMMUNITY)
    url = portal_server.url(COMMUNITY, "/__fixture__/walk/")
    body = (
        '<!doctype html><html lang="zh-hans"><head><title>测试</title></head><body>'
        '<p>Opening hours</p><p>通知公告 (RSS)</p><a href="/no-such-page/">坏链接</a><a href="/">首页</a></body></html>'
    )
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page.goto(url)
    with pytest.raises(AssertionError) as failed:
        walk.check(page)
    problems = {line for line in str(failed.value).splitlines() if line.startswith(("dead", "English", "untrans"))}
    assert problems == {
        f"dead link: {portal_server.url(COMMUNITY, '/no-such-page/')} answered 404",
        "English on a Chinese page: 'Opening hours'",
    }, problems
