"""Front-end libraries from the npm registry, unpacked into a static folder the portal serves itself.

`themes/vendor.json` pins each package's version and the registry's sha512 `dist.integrity`; `install()`
downloads the tarball with the standard library, checks the digest, and writes the listed files to
`themes/static/vendor/<name>/` (git-ignored; Django's staticfiles serves them as `vendor/<name>/...`).
No Node.js is needed, and nothing is fetched at run time. A package already unpacked at the pinned
version and integrity is left alone, so the step is offline-safe once done (docs/frontend.md).
"""

import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DEFAULT_REGISTRY = "https://registry.npmjs.org"
STAMP = ".vendor.json"
MAX_TARBALL = 64 * 1024 * 1024
TIMEOUT = 60


class VendorError(Exception):
    """The registry could not be reached, or a tarball is not the one pinned."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    files: tuple[str, ...]

    @property
    def stamp(self) -> dict:
        return {"name": self.name, "version": self.version, "integrity": self.integrity}

    def tarball_url(self, registry: str) -> str:
        return f"{registry.rstrip('/')}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


def manifest_path() -> Path:
    return Path(settings.BASE_DIR) / "themes" / "vendor.json"


def vendor_root() -> Path:
    return Path(settings.BASE_DIR) / "themes" / "static" / "vendor"


def registry_url() -> str:
    """A city behind a firewall points this at its own npm mirror."""
    return os.environ.get("PORTAL_NPM_REGISTRY", "").strip() or DEFAULT_REGISTRY


def packages(path: Path | None = None) -> list[Package]:
    data = json.loads((path or manifest_path()).read_text(encoding="utf-8"))
    return [
        Package(name, spec["version"], spec["integrity"], tuple(spec["files"]))
        for name, spec in data["packages"].items()
    ]


def is_installed(package: Package, root: Path | None = None) -> bool:
    folder = (root or vendor_root()) / package.name
    try:
        return json.loads((folder / STAMP).read_text(encoding="utf-8")) == package.stamp
    except (OSError, ValueError):
        return False


def missing(root: Path | None = None) -> list[Package]:
    return [p for p in packages() if not is_installed(p, root)]


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"only sha512 integrity is accepted, not {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise VendorError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (https or a configured mirror)
            data = response.read(MAX_TARBALL + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise VendorError(
            f"cannot download {url}: {reason}. The npm registry must be reachable once for `make install` "
            "(or set PORTAL_NPM_REGISTRY to a mirror)."
        ) from exc
    if len(data) > MAX_TARBALL:
        raise VendorError(f"{url} is larger than {MAX_TARBALL} bytes")
    return data


def _target(member: str, patterns: tuple[str, ...]) -> str | None:
    """The path a tarball member is written to, or None if the manifest does not list it."""
    if not member.startswith("package/"):
        return None
    inner = member.removeprefix("package/")
    if not any(fnmatch.fnmatchcase(inner, pattern) for pattern in patterns):
        return None
    relative = inner.removeprefix("dist/")
    parts = Path(relative).parts
    if not parts or any(part in ("", ".", "..") for part in parts) or Path(relative).is_absolute():
        return None
    return relative


def unpack(package: Package, data: bytes, root: Path) -> list[str]:
    """Write the listed files into root/<name>/ at once (a temporary folder renamed into place)."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{package.name}.") as tmp:
        staging = Path(tmp) / "pkg"
        staging.mkdir()
        unmatched = set(package.files)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                relative = _target(member.name, package.files)
                if relative is None or not member.isfile():
                    continue
                unmatched -= {p for p in package.files if fnmatch.fnmatchcase(member.name.removeprefix("package/"), p)}
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())
                written.append(relative)
        if unmatched:
            raise VendorError(f"{package.name} {package.version} has no file matching {', '.join(sorted(unmatched))}")
        (staging / STAMP).write_text(json.dumps(package.stamp, indent=1), encoding="utf-8")
        final = root / package.name
        if final.exists():
            old = Path(tmp) / "old"
            final.rename(old)
        staging.rename(final)
    return sorted(written)


def install(root: Path | None = None, force: bool = False, log=lambda message: None) -> int:
    """Unpack every package of the manifest that is not there yet; returns how many were unpacked."""
    root = root or vendor_root()
    registry = registry_url()
    count = 0
    for package in packages():
        if not force and is_installed(package, root):
            continue
        url = package.tarball_url(registry)
        log(f"{package.name} {package.version}: {url}")
        data = fetch(url)
        check_integrity(data, package.integrity)
        unpack(package, data, root)
        count += 1
    return count


def remove_stale(root: Path | None = None) -> list[str]:
    """Folders of packages the manifest no longer lists."""
    root = root or vendor_root()
    names = {p.name for p in packages()}
    removed = []
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and not child.name.startswith(".") and child.name not in names:
                shutil.rmtree(child)
                removed.append(child.name)
    return removed
