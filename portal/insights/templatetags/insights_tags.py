"""The dashboard's table rows in one pass: a city's dashboard has about 3,000 cells, and rendered cell by cell
through the template language they cost more than computing the figures. The HTML is what the template's
loop made (`{{ cell }}` localizes numbers and escapes text; None is a dash)."""

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

DASH = "—"


def _cell_text(cell, seen: dict) -> str:
    if cell is None:
        return DASH
    key = (type(cell), cell)
    if key not in seen:
        seen[key] = conditional_escape(formats.localize(cell))
    return seen[key]


@register.simple_tag
def table_rows(table, printing=False):
    """<tr>…</tr> for each row of `table` (dashboard.Table): the first cell a row header (a link to the
    drill-down when there is one and the page is not for printing), the others data cells."""
    seen: dict = {}
    lines = []
    for row, link in table.rows_with_links():
        cells = []
        for index, cell in enumerate(row):
            if index == 0:
                label = conditional_escape(formats.localize(cell))
                if link and not printing:
                    cells.append(format_html('<th scope="row"><a href="{}">{}</a></th>', link, label))
                else:
                    cells.append(f'<th scope="row">{label}</th>')
            else:
                cells.append(f"<td>{_cell_text(cell, seen)}</td>")
        lines.append("\n      <tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(lines))
