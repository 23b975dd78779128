"""The vendored front-end libraries: pinned tarballs checked against their sha512, unpacked once, offline after."""

import base64
import hashlib
import io
import json
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.core import vendor


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A file:// registry holding one package, a manifest pinning it, and an empty vendor folder."""
    data = _tarball(
        {
            "package/LICENSE": b"MIT",
            "package/dist/lib.js": b"window.lib = 1;",
            "package/dist/images/a.png": b"png",
            "package/dist/lib-src.js": b"not listed",
            "package/../escape.js": b"outside",
            "package/README.md": b"not listed",
        }
    )
    (tmp_path / "registry" / "lib" / "-").mkdir(parents=True)
    (tmp_path / "registry" / "lib" / "-" / "lib-1.0.0.tgz").write_bytes(data)
    manifest = tmp_path / "vendor.json"
    spec = {"version": "1.0.0", "integrity": _integrity(data), "files": ["LICENSE", "dist/lib.js", "dist/images/*"]}
    manifest.write_text(json.dumps({"packages": {"lib": spec}}))
    root = tmp_path / "static" / "vendor"
    monkeypatch.setattr(vendor, "manifest_path", lambda: manifest)
    monkeypatch.setattr(vendor, "vendor_root", lambda: root)
    monkeypatch.setenv("PORTAL_NPM_REGISTRY", (tmp_path / "registry").as_uri())
    return tmp_path, manifest, root, spec


def test_unpacks_the_listed_files_without_dist_and_nothing_else(registry):
    tmp_path, _manifest, root, _spec = registry
    call_command("vendor_assets", stdout=io.StringIO())
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == ["lib/.vendor.json", "lib/LICENSE", "lib/images/a.png", "lib/lib.js"]
    assert (root / "lib" / "lib.js").read_bytes() == b"window.lib = 1;"
    assert not (tmp_path / "static" / "escape.js").exists()
    assert vendor.missing() == []


def test_second_run_needs_no_registry(registry):
    tmp_path, _manifest, root, _spec = registry
    call_command("vendor_assets", stdout=io.StringIO())
    (tmp_path / "registry" / "lib" / "-" / "lib-1.0.0.tgz").unlink()  # offline from now on
    out = io.StringIO()
    call_command("vendor_assets", stdout=out)
    assert "vendored 0 package(s); 1 already present" in out.getvalue()


def test_a_tarball_that_is_not_the_pinned_one_is_refused_and_nothing_written(registry):
    _tmp_path, manifest, root, spec = registry
    spec["integrity"] = _integrity(b"something else")
    manifest.write_text(json.dumps({"packages": {"lib": spec}}))
    with pytest.raises(CommandError, match="integrity mismatch"):
        call_command("vendor_assets", stdout=io.StringIO())
    assert not (root / "lib").exists()


def test_a_new_pin_replaces_the_old_folder(registry):
    tmp_path, manifest, root, spec = registry
    call_command("vendor_assets", stdout=io.StringIO())
    data = _tarball({"package/LICENSE": b"MIT", "package/dist/lib.js": b"v2", "package/dist/images/b.png": b"p"})
    (tmp_path / "registry" / "lib" / "-" / "lib-2.0.0.tgz").write_bytes(data)
    spec.update(version="2.0.0", integrity=_integrity(data))
    manifest.write_text(json.dumps({"packages": {"lib": spec}}))
    assert [p.name for p in vendor.missing()] == ["lib"]
    call_command("vendor_assets", stdout=io.StringIO())
    assert (root / "lib" / "lib.js").read_bytes() == b"v2"
    assert not (root / "lib" / "images" / "a.png").exists()
    assert vendor.missing() == []


def test_an_unreachable_registry_is_a_clear_error(registry, monkeypatch):
    monkeypatch.setenv("PORTAL_NPM_REGISTRY", "http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(CommandError, match="cannot download http://127.0.0.1:9/lib/-/lib-1.0.0.tgz.*registry"):
        call_command("vendor_assets", stdout=io.StringIO())


def test_check_reports_missing_packages(registry):
    with pytest.raises(CommandError, match="missing: lib 1.0.0"):
        call_command("vendor_assets", "--check", stdout=io.StringIO())


def test_the_project_manifest_pins_every_package_by_sha512():
    for package in vendor.packages():
        assert package.version.count(".") == 2 and package.integrity.startswith("sha512-"), package
        assert package.tarball_url(vendor.DEFAULT_REGISTRY).startswith("https://registry.npmjs.org/")
