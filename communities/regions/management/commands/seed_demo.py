from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from communities.regions.demo import DEMO_PASSWORD, create_demo_accounts, seed_bench_communities, seed_demo_city


class Command(BaseCommand):
    help = "Seed the demo city (once) and print the demo accounts; --communities N grows it to N communities."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=0, help="grow the city to this many communities")
        parser.add_argument("--allow-production", action="store_true", help="seed even with DEBUG off")

    def handle(self, *args, communities, allow_production, **options):
        if not settings.DEBUG and not allow_production and not settings.SETTINGS_MODULE.endswith(".test"):
            raise CommandError("seed_demo creates accounts with a public password; add --allow-production to insist.")
        if communities < 0:
            raise CommandError("--communities must be a positive number.")
        seeded = seed_demo_city()
        if seeded:
            self.stdout.write(self.style.SUCCESS("Seeded the demo city 江城市."))
        else:
            self.stdout.write("The demo city is already there; nothing re-seeded.")
        rows = create_demo_accounts()
        from communities.regions.models import Community
        from participation.elections.demo import seed_demo_elections

        cuiyuan = Community.objects.get(slug="cuiyuan")
        seed_demo_elections(cuiyuan, DEMO_PASSWORD)  # after 王阿姨's account
        self._seed_work_for_every_role(cuiyuan)
        from communities.wechat.demo import seed_demo_wechat

        if seed_demo_wechat():
            self.stdout.write("WeChat demo account of 翠园: manage.py wechat_account cuiyuan --show-test-credentials")
        from participation.governance.demo import seed_demo_governance
        from participation.microblog.demo import seed_demo_microblog

        # After the accounts: the community posts in its name through its editor.
        if seed_demo_microblog():
            self.stdout.write("Microblog of 翠园: /microblog/ on cuiyuan's site")
        if seed_demo_governance():
            self.stdout.write("社区自治 of 翠园: /governance/ on cuiyuan's site")
        from communities.regions.demo import seed_demo_boundaries

        pinned = seed_demo_boundaries()
        if pinned:
            self.stdout.write("Map boundaries of the demo regions (admin: Regions, Communities)")
        if seeded or pinned:
            # Decision support's roll-up of the history: after the points (repeat complaints need them).
            from communities.regions.demo import roll_up_demo_history

            roll_up_demo_history()
        from participation.complaints.demo import DEMO_API_KEY

        self.stdout.write(f"Open311 partner key (湖滨, 翠园; docs/api.md): {DEMO_API_KEY}")
        if communities:
            with tqdm(total=max(0, communities - self._count()), desc="communities", unit="c") as bar:
                seed_bench_communities(communities, progress=bar.update)
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role in rows:
            self.stdout.write(f"  {username:<28} {role}")

    def _seed_work_for_every_role(self, cuiyuan):
        """Something for each role of 翠园 to do right away: an application to verify, a report and a post
        to moderate, the demo resident's complaints in every state (one delivery dead-lettered)."""
        from django.contrib.auth import get_user_model

        from participation.complaints.demo import seed_demo_resident_cases
        from participation.forums.demo import seed_demo_moderation
        from portal.accounts.demo import seed_demo_applicant

        User = get_user_model()
        resident, editor = User.objects.get(username="resident"), User.objects.get(username="editor")
        if seed_demo_applicant(cuiyuan, DEMO_PASSWORD):
            self.stdout.write("翠园: an application to verify (applicant 老李) in the admin's memberships")
        if seed_demo_moderation(cuiyuan, resident):
            self.stdout.write("翠园: a reported advertisement and a post awaiting approval in the moderation queue")
        if seed_demo_resident_cases(cuiyuan, resident, editor):
            self.stdout.write("翠园: 王阿姨's complaints in every state (我的投诉), one delivery dead-lettered")

    def _count(self):
        from communities.regions.models import Community

        return Community.objects.count()
