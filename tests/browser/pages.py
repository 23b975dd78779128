"""The public page types of the seeded demo, and the checks every one of them must pass."""

# (name, host, path): every public page type, on communities of all three themes.
PAGE_TYPES = [
    ("city home", "localhost", "/"),
    ("district", "localhost", "/donghu/"),
    ("street", "localhost", "/donghu/cuihu/"),
    ("community home (civic)", "cuiyuan.localhost", "/"),
    ("community home (warm)", "hubin.localhost", "/"),
    ("community home (base)", "wutongli.localhost", "/"),
    ("notice index", "cuiyuan.localhost", "/notices/"),
    ("notice", "cuiyuan.localhost", "/notices/notice-1/"),
    ("news index", "hubin.localhost", "/news/"),
    ("news article", "hubin.localhost", "/news/news-1/"),
    ("event index", "wutongli.localhost", "/events/"),
    ("event", "cuiyuan.localhost", "/events/free-clinic/"),
    ("service directory", "cuiyuan.localhost", "/services/"),
    ("service", "hubin.localhost", "/services/service-1/"),
    ("tag index", "cuiyuan.localhost", "/tags/"),
    ("tag listing", "cuiyuan.localhost", "/tags/老年人/"),
    ("login", "cuiyuan.localhost", "/accounts/login/"),
    ("search results", "cuiyuan.localhost", "/search/?q=长者食堂"),
    ("search, city-wide with facets", "localhost", "/search/?q=垃圾分类"),
    ("search, nothing found", "cuiyuan.localhost", "/search/?q=拉圾分类"),
    ("mirror (反光镜) item", "hubin.localhost", "/mirror/1/"),
    ("sign-up", "hubin.localhost", "/accounts/signup/"),
    ("poll index", "cuiyuan.localhost", "/polls/"),
    ("poll", "cuiyuan.localhost", "/polls/satisfaction-2026/"),
    ("poll results", "cuiyuan.localhost", "/polls/satisfaction-2026/results/"),
    ("organisation index", "cuiyuan.localhost", "/organisations/"),
    ("organisation", "cuiyuan.localhost", "/organisations/cuiyuan-elder-care/"),
    ("organisation finances", "cuiyuan.localhost", "/organisations/cuiyuan-elder-care/finances/"),
    ("organisation project", "cuiyuan.localhost", "/organisations/cuiyuan-elder-care/elder-meals/"),
    ("mirror (反光镜)", "hubin.localhost", "/mirror/"),
    ("deliberations", "wutongli.localhost", "/deliberations/"),
    ("forum", "hubin.localhost", "/forum/"),
    ("microblog", "cuiyuan.localhost", "/microblog/"),
]
ALL_HOSTS = sorted({host for _, host, _ in PAGE_TYPES})
WIDTHS = (360, 1280)
BLOCKING_IMPACTS = ("serious", "critical")

# Focusable, visible elements in document order (what Tab must visit).
INTERACTIVE = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
FOCUSABLES_JS = """() => {
  return [...document.querySelectorAll('INTERACTIVE_PLACEHOLDER')]
    .filter(el => !el.disabled)
    .filter(el => el.classList.contains('skip-link') || el.getClientRects().length > 0)
    // Inside a closed <details> (the account menu) only its own <summary> is a Tab stop.
    .filter(el => { const closed = el.closest('details:not([open])');
      return !closed || (el.tagName === 'SUMMARY' && el.parentElement === closed); })
    // A radio group is one Tab stop (arrow keys move inside it): expect its first radio only.
    .filter(el => el.type !== 'radio' || el === el.form?.querySelector(`input[type=radio][name="${el.name}"]`))
    .map((el, i) => { el.dataset.focusIndex = String(i); return describe(el); });
  function describe(el) {
    const classes = el.className ? '.' + String(el.className).split(' ').join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes + ' "' + text + '"';
  }
}""".replace("INTERACTIVE_PLACEHOLDER", INTERACTIVE)

# The focused element, and whether its focus is visible (an outline or a box-shadow ring).
ACTIVE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  const onScreen = box.right > 0 && box.bottom > 0 && box.left < innerWidth;
  return {index: el.dataset.focusIndex ?? null, visible: outline || ring, onScreen};
}"""

# Interactive elements smaller than 44px tall in elder mode (links inside running text are exempt).
SMALL_TARGETS_JS = """() => [...document.querySelectorAll('INTERACTIVE_PLACEHOLDER')]
  .filter(el => el.getClientRects().length > 0 && !el.closest('.body, .intro, .lead, .richtext'))
  .map(el => ({el, h: el.getBoundingClientRect().height}))
  .filter(({h}) => h < 43.5)
  .map(({el, h}) => el.outerHTML.slice(0, 80) + ' is ' + h.toFixed(1) + 'px tall')""".replace(
    "INTERACTIVE_PLACEHOLDER", INTERACTIVE
)

# Anything wider than the screen (a field, a picture, a button in elder mode): the page would scroll sideways.
# Content inside its own scrolling box (a wide table in .table-scroll) is allowed.
OVERFLOW_JS = """() => { const root = document.documentElement, width = root.clientWidth, found = [];
  if (root.scrollWidth > width + 1) found.push(`the page is ${root.scrollWidth}px wide`);
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= width + 1 || el.closest('.skip-link, .visually-hidden')) continue;
    let parent = el.parentElement, scrolls = false;
    while (parent && parent !== document.body) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(parent).overflowX)) { scrolls = true; break; }
      parent = parent.parentElement;
    }
    if (!scrolls) found.push(el.outerHTML.slice(0, 80) + ' reaches ' + Math.round(box.right) + 'px');
  }
  return found.slice(0, 5); }"""


def blocking_violations(axe_results) -> list[str]:
    """Serious and critical axe violations, each naming the rule and the offending elements."""
    problems = []
    for violation in axe_results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return problems
