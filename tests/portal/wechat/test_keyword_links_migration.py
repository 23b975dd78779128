"""A keyword reply's linked pages moved from a many-to-many field to ordered rows (`page_links`, chosen
with Wagtail's page chooser): the data migration keeps every link, in the order they were added."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("wechat", "0003_template_election_event")]
AFTER = [("wechat", "0004_keyword_reply_page_links")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_linked_pages_are_copied_in_order(city):
    apps = migrate(BEFORE)
    KeywordReply = apps.get_model("wechat", "KeywordReply")
    first = KeywordReply.objects.create(community_id=city["a1"].pk, keyword="停车", reply_text="东门")
    second = KeywordReply.objects.create(community_id=city["b1"].pk, keyword="门禁", reply_text="")
    a1, b1 = city["a1"].root_page_id, city["b1"].root_page_id
    child = city["a1"].root_page.get_children().first().pk
    first.pages.add(child)
    first.pages.add(a1)
    second.pages.add(b1)

    apps = migrate(AFTER)
    links = apps.get_model("wechat", "KeywordReplyPage").objects.order_by("reply_id", "sort_order")
    assert [(link.reply_id, link.page_id) for link in links] == [(first.pk, child), (first.pk, a1), (second.pk, b1)]
    assert "pages" not in {f.name for f in apps.get_model("wechat", "KeywordReply")._meta.get_fields()}
