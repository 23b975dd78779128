"""Markdown written by residents → HTML that is safe to serve.

The Markdown parser never passes raw HTML through; whatever it produces is then cleaned by nh3
with an allow-list, so a parser quirk cannot smuggle markup into a page.
"""

import nh3
from markdown_it import MarkdownIt

from portal.accounts import personal_text

LINK_REL = "nofollow ugc noopener"
BLOCK_TAGS = {"p", "br", "hr", "blockquote", "pre", "code", "ul", "ol", "li", "h3", "h4", "h5", "h6"}
INLINE_TAGS = {"strong", "em", "del", "s", "sub", "sup"}
TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}
URL_SCHEMES = {"http", "https", "mailto"}


def mask_personal_data(text: str, mask: str = "*") -> str:
    """Residents sometimes paste a phone number, ID number or their door into a public post: show it
    masked (the one masking of free text: `portal.accounts.personal_text`)."""
    return personal_text.mask(text, mask)


_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)


def _demote_headings(html: str) -> str:
    """Residents' headings must not compete with the page's own h1/h2."""
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


def render_markdown(
    text: str, *, allow_links: bool = True, allow_images: bool = True, mask_personal: bool = True
) -> str:
    """Sanitised HTML for `text`. Links get rel="nofollow ugc noopener"; images only over http(s) or our media.
    Mobile and ID numbers are masked unless `mask_personal` is False."""
    # Escaped asterisks, so the mask is not read as Markdown emphasis.
    text = mask_personal_data(text or "", mask="\\*") if mask_personal else (text or "")
    html = _demote_headings(_parser.render(text))
    tags = BLOCK_TAGS | INLINE_TAGS | TABLE_TAGS
    attributes = {"code": {"class"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
    if allow_links:
        tags |= {"a"}
        attributes["a"] = {"href", "title"}
    if allow_images:
        tags |= {"img"}
        attributes["img"] = {"src", "alt", "title"}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL if allow_links else None,
        strip_comments=True,
    )


def contains_link_or_image(text: str) -> bool:
    """Does the rendered text carry a link or an image? (New accounts may not post either.)"""
    html = _parser.render(text or "")
    return "<a " in html or "<img " in html or "http://" in text or "https://" in text or "www." in text


def render_plain(text: str, linkify=None, *, mask_personal: bool = True) -> str:
    """Sanitised HTML for plain text that is not Markdown (microblog posts and comments): masked like
    `render_markdown`, escaped, line breaks kept, and links only where `linkify` puts them.

    `linkify(escaped_text) -> html` receives the HTML-escaped text and may wrap parts of it in
    `<a href="...">`; whatever it returns is cleaned by nh3 with the same link policy as Markdown, so a
    linkifier's mistake cannot add markup beyond links."""
    import html as html_lib

    text = mask_personal_data(text or "") if mask_personal else (text or "")
    escaped = html_lib.escape(text, quote=True)
    if linkify is not None:
        escaped = linkify(escaped)
    escaped = escaped.replace("\r\n", "\n").replace("\n", "<br>")
    return nh3.clean(
        escaped,
        tags={"a", "br"},
        attributes={"a": {"href", "class"}},
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
