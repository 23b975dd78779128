from communities.regions.provisioning import follow_site_port, site_port

from ._base import ProvisioningCommand


class Command(ProvisioningCommand):
    help = "Give every Site of the portal the port it is served on (default PORTAL_SITE_PORT); `make run` runs it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="the port (default: PORTAL_SITE_PORT)")

    def provision(self, *args, port, **options):
        port = site_port() if port is None else port
        changed = follow_site_port(port)
        self.stdout.write(f"{changed} site(s) moved to port {port}" if changed else f"every site is on port {port}")
