from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the portal's .po catalogues to .mo (pure Python: no GNU gettext needed)."

    def handle(self, *args, **options):
        count = 0
        base = Path(settings.BASE_DIR)
        catalogues = [p for p in base.glob("**/locale/*/LC_MESSAGES/*.po") if ".venv" not in p.parts]
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
