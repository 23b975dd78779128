"""Known injection payloads posted through the real views: none may survive into the served HTML."""

from html.parser import HTMLParser

import pytest

from participation.forums.models import Post

from .helpers import reply, start_thread

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg/onload=alert(1)>",
    '<svg><script xlink:href="data:,alert(1)"></script></svg>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:red}</style>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://example.com/a.png"onerror="alert(1))',
    '[x](https://example.com "title" onmouseover="alert(1)")',
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    '<http://example.com/" onmouseover="alert(1)>',
    "`<script>alert(1)</script>`\n\n```html\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><img src=x onerror=alert(1)>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    '<input autofocus onfocus="alert(1)">',
    "<details open ontoggle=alert(1)>",
]

DANGEROUS_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "style", "form", "meta", "base", "input"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Audit(HTMLParser):
    """Collects what would execute in the page's posts: dangerous tags, on* attributes and URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <div class="post-body">
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth and tag not in VOID:
            self.depth += 1
        elif tag == "div" and attributes.get("class") == "post-body":
            self.depth = 1
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "data", "xlink:href", "formaction") and value:
                if value.strip().lower().replace("\t", "").replace("\n", "").startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value}>")
            if name == "style" and self.depth:
                self.problems.append(f"<{tag} style>")
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append("<script> without our static src")
        if self.depth and tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> in a post")
        if self.depth and tag == "a" and "nofollow" not in (attributes.get("rel") or ""):
            self.problems.append("<a> without rel=nofollow")

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1


def audit(html: str) -> list[str]:
    parser = Audit()
    parser.feed(html)
    return parser.problems


@pytest.fixture
def thread_with_payloads(categories, resident, host_client, trusted, city):
    trusted(city["a1"])
    client = host_client("a1.localhost", resident)
    thread = start_thread(client, categories["a1"], title="<script>alert('title')</script>", body=PAYLOADS[0])
    for payload in PAYLOADS[1:]:
        assert reply(client, thread, body=payload).status_code == 302, payload
    return client, thread


def test_no_payload_survives_in_thread_pages(thread_with_payloads):
    client, thread = thread_with_payloads
    for page in ("1", "last"):
        html = client.get(f"/forum/t/{thread.pk}/?page={page}").content.decode()
        assert audit(html) == [], page
        assert "<script>alert" not in html
    assert Post.objects.filter(thread=thread).count() == len(PAYLOADS)


def test_no_payload_survives_in_live_fragment_and_listing(thread_with_payloads, host_client):
    client, thread = thread_with_payloads
    assert audit(client.get(f"/forum/t/{thread.pk}/after/?after=0").content.decode()) == []
    assert audit(host_client("a1.localhost").get("/forum/").content.decode()) == []


def test_edited_payload_is_sanitised_too(thread_with_payloads):
    client, thread = thread_with_payloads
    post = Post.objects.get(thread=thread, number=2)
    response = client.post(f"/forum/p/{post.pk}/edit/", {"body": '<img src=x onerror="alert(2)"> [a](javascript:x)'})
    assert response.status_code == 302
    assert audit(client.get(f"/forum/t/{thread.pk}/").content.decode()) == []


def test_the_audit_itself_catches_injected_markup():
    assert audit('<div class="post-body"><img src=x onerror=alert(1)></div>')
    assert audit('<div class="post-body"><a href="javascript:alert(1)">x</a></div>')
    assert audit("<script>alert(1)</script>")
