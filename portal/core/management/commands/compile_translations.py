import os
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
            # Write beside it, then rename: a process reading the catalogue (another test worker, a running
            # server) sees the old file or the new one, never half of one.
            partial = mo_path.with_name(f".{os.getpid()}.{mo_path.name}")  # still *.mo: ignored by git
            polib.pofile(str(po_path)).save_as_mofile(str(partial))
            os.replace(partial, mo_path)
            count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
