"""Short ASCII slugs for pages with Chinese titles.

A Chinese title made a Unicode slug that browsers show as a long percent-encoded URL
(`/notices/%E5%85%B3%E4%BA%8E...`). A title becomes the pinyin of its first words instead,
one hyphen-separated part per word (关于3号楼停水的通知 → guanyu-3-haolou-tingshui-de-tongzhi, cut at
SLUG_LENGTH); a title with nothing to transliterate gets the date (2026-12-03).
"""

from django.utils import timezone
from django.utils.text import slugify
from pypinyin import lazy_pinyin

SLUG_LENGTH = 40


def short_slug(title: str, when=None) -> str:
    from portal.search.text import cut, normalise  # the search's segmentation: words, not single syllables

    parts = []
    for word in cut(normalise(title or "")):
        part = slugify("".join(lazy_pinyin(word)))
        if part:
            parts.append(part)
    slug = ""
    for part in parts:
        candidate = f"{slug}-{part}" if slug else part
        if len(candidate) > SLUG_LENGTH:
            break
        slug = candidate
    if not slug and parts:  # one very long word
        slug = parts[0][:SLUG_LENGTH].strip("-")
    return slug or timezone.localdate(when).isoformat()


def needs_short_slug(slug: str) -> bool:
    return not slug or not slug.isascii()
