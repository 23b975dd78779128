"""The dashboard's rows rendered in one pass (portal.insights.templatetags.insights_tags.table_rows): what the
template's cell-by-cell loop made, escaped and localized."""

from django.template import Context, Template
from django.utils import translation

from portal.insights.dashboard import Table


def render(table, printing=False):
    template = Template("{% load insights_tags %}{% table_rows table printing %}")
    return template.render(Context({"table": table, "printing": printing}))


def test_cells_are_escaped_localized_and_a_missing_value_is_a_dash():
    table = Table(
        key="t",
        title="T",
        summary="",
        columns=["Area", "n", "share"],
        rows=[["<b>东区</b>", 1234, 12.5], ["西区", None, 0]],
        links=["?area=district:1&x=<y>", ""],
    )
    with translation.override("de"):  # a decimal comma: numbers go through the language's formats
        html = render(table)
    assert '<th scope="row"><a href="?area=district:1&amp;x=&lt;y&gt;">&lt;b&gt;东区&lt;/b&gt;</a></th>' in html
    assert "<td>1234</td><td>12,5</td>" in html
    assert '<th scope="row">西区</th><td>—</td><td>0</td>' in html
    assert "<b>" not in html


def test_a_printed_page_has_no_links():
    table = Table(key="t", title="T", summary="", columns=["Area", "n"], rows=[["东区", 1]], links=["?area=x"])
    html = render(table, printing=True)
    assert "<a " not in html and '<th scope="row">东区</th><td>1</td>' in html
