"""What a walk through the demo checks on every page it reaches (issue 19's "Checked by"): the page answered
(< 400), every same-site link on it answers (< 400, each URL once per run, with the page's cookies, so a
signed-in page's links are followed signed in), and no English is left on a page that a
Chinese visitor reads: neither one of the project's own message ids shown as it is, nor a run of English
words (a string nobody translated, the project's or a library's).
"""

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from tests.portal.translation_catalogue import project_messages

# English that a library writes into its templates without gettext, so no catalogue can translate it.
UPSTREAM_ENGLISH = {
    "#w-slim-header-buttons": 'Wagtail 8.0: aria-label="Actions" in wagtailadmin/shared/headers/_actions.html',
}
# Text the page shows (visible text nodes, and the labels, placeholders and titles a screen reader or a
# hover shows), outside code, text areas and anything marked as another language.
TEXTS_JS = """() => {
  const other = '[lang]:not([lang^=zh]), UPSTREAM', out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.nodeValue.trim();
    if (text && el && !el.closest('script, style, code, pre, textarea, ' + other) && el.getClientRects().length)
      out.push(text);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title]'))
    for (const name of ['aria-label', 'placeholder', 'title']) {
      const value = el.getAttribute(name);
      if (value && value.trim() && !el.closest(other)) out.push(value.trim());
    }
  return out;
}""".replace("UPSTREAM", ", ".join(UPSTREAM_ENGLISH))
# Links, except Wagtail's bulk-action buttons: their href gets the chosen items' ids from a script.
LINKS_JS = "() => [...document.querySelectorAll('a[href]:not([data-bulk-action-button])')].map(a => a.href)"

# Names that stay as they are in Chinese text: formats and products, and the demo's user names (the admin
# shows a worker's user name when the account has no real name).
KEPT_WORDS = ["RSS", "Atom", "Markdown", "WiFi", "Wagtail", "WebP", "editor", "moderator", "orgstaff"]
KEPT = re.compile(
    r"https?://\S+|[\w.-]+\.(?:cn|com|org|net)\b|@[\w-]+|[A-Za-z]+\d[\w-]*"  # addresses, handles, IDs
    r"|(?<![A-Za-z])(?:[A-Z]{2,5}|" + "|".join(KEPT_WORDS) + r")(?![A-Za-z])"  # and acronyms: LED, JPEG
)
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,}")
MAX_REDIRECTS = 5
# GET links that change a preference (elder mode, language): a signed-in follower's is stored on the account,
# so they are checked without the page's cookies.
SWITCHES = ("/preferences/",)


def english_msgids() -> set[str]:
    """The project's own English message ids that a page could show untranslated, as they would appear."""
    found = set()
    for message in project_messages():
        text = " ".join(message.msgid.split())
        if "%" not in text and "{" not in text and "<" not in text and ENGLISH_RUN.search(KEPT.sub("", text)):
            found.add(text)
    return found


class Walk:
    """One per test module: the links already checked are not fetched again."""

    def __init__(self, portal_server, browser):
        self.server = portal_server
        self.browser = browser
        self.link_status: dict[str, int] = {}
        self.msgids = english_msgids()
        self._fetcher = None

    def same_site(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        return (
            parts.scheme == "http"
            and parts.port == self.server.port
            and (host == "localhost" or host.endswith(".localhost"))
        )

    def follow(self, page, path) -> None:
        """Go to `path` on the page's host (or a full URL) and check what arrived."""
        url = path if "://" in path else urljoin(page.url, path)
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
        self.check(page)

    def check(self, page) -> None:
        """The page now shown: its links, and its language when it is Chinese."""
        page.wait_for_load_state()
        assert page.title(), f"{page.url}: an empty page"
        problems = self.dead_links(page) + self.untranslated(page)
        assert not problems, f"{page.url}:\n" + "\n".join(problems)

    def dead_links(self, page) -> list[str]:
        problems = []
        for href in dict.fromkeys(page.evaluate(LINKS_JS)):
            url = urldefrag(href).url
            if not self.same_site(url) or "logout" in url:
                continue
            if url not in self.link_status:
                self.link_status[url] = self._status(page, url)
            if self.link_status[url] >= 400:
                problems.append(f"dead link: {url} answered {self.link_status[url]}")
        return problems

    def _status(self, page, url) -> int:
        """The status a GET of `url` ends on, with the page's cookies, following same-site redirects.

        Chromium resolves every *.localhost to loopback; the request context does not, so the request goes
        to 127.0.0.1 with the host in its Host header and the page's cookies for that URL. It runs in a
        browser context of its own, so what a link sets (a preference switch's cookie) stays out of the
        walk's browser; a preference switch is followed without the page's cookies (SWITCHES)."""
        if self._fetcher is None:
            self._fetcher = self.browser.new_context()
        for _ in range(MAX_REDIRECTS):
            parts = urlsplit(url)
            switch = parts.path.startswith(SWITCHES)
            cookies = [] if switch else page.context.cookies(url)
            headers = {"Host": parts.netloc}
            if cookies:
                headers["Cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
            loopback = parts._replace(netloc=f"127.0.0.1:{parts.port}").geturl()
            response = self._fetcher.request.get(loopback, headers=headers, max_redirects=0)
            self._fetcher.clear_cookies()  # only the page's cookies go with the next request
            location = response.headers.get("location")
            if not (300 <= response.status < 400 and location):
                return response.status
            url = urljoin(url, location)
            if not self.same_site(url):
                return response.status  # leaves the portal (WeChat's login): not ours to check
        return response.status

    def untranslated(self, page) -> list[str]:
        if not (page.evaluate("() => document.documentElement.lang") or "").lower().startswith("zh"):
            return []
        problems = []
        for text in dict.fromkeys(" ".join(t.split()) for t in page.evaluate(TEXTS_JS)):
            if not KEPT.sub("", text).strip():
                continue  # only names (a user name that is also a message id: "moderator")
            if text in self.msgids:
                problems.append(f"untranslated (the project's message id): {text!r}")
            elif ENGLISH_RUN.search(KEPT.sub("", text)):
                problems.append(f"English on a Chinese page: {text!r}")
        return problems

    def close(self):
        if self._fetcher is not None:
            self._fetcher.close()
