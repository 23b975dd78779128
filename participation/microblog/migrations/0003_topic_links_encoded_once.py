"""#话题# links stored in posts and comments were percent-encoded twice (/microblog/tag/%25E5.../, a 404):
encode them once, as services.render now does."""

import re

from django.db import migrations

TWICE = re.compile(r'class="hashtag" href="(/[^"]*?/tag/)([^"]*%25[^"]*)"')


def _once(html):
    return TWICE.sub(lambda m: f'class="hashtag" href="{m.group(1)}{m.group(2).replace("%25", "%")}"', html)


def encode_once(apps, schema_editor):
    for name in ("MicroPost", "MicroComment"):
        model = apps.get_model("microblog", name)
        for pk, html in model.objects.filter(text_html__contains="/tag/%25").values_list("pk", "text_html").iterator():
            model.objects.filter(pk=pk).update(text_html=_once(html))


class Migration(migrations.Migration):
    dependencies = [("microblog", "0002_discussion_score")]

    operations = [migrations.RunPython(encode_once, migrations.RunPython.noop)]
