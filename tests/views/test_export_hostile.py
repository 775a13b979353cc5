"""Issue 26 finding 3: `crisis export --verify` on hostile archives. Each is built here with
zipfile and byte patching; each must end, quickly and in bounded memory, with one clear line
and a documented exit code (docs/exit-codes.md) — never exit 70, a hang or a swollen process."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import struct
import subprocess
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crisis_command, subprocess_env

LOG = b"# Incident log\n" + b"All quiet. " * 400


def manifest(members: list[dict[str, Any]]) -> bytes:
    return json.dumps({"format": "crisis-export", "incident": "x", "members": members}).encode()


def entry(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def bundle(path: Path, members: list[tuple[str, bytes]], manifest_bytes: bytes | None = None) -> Path:  # fmt: skip
    """A zip with ``members`` first (deflated) and a manifest last."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            out.writestr(name, data)
        out.writestr("manifest.json", manifest_bytes or manifest([entry(n, d) for n, d in members]))
    return path


def patch_first_member(path: Path, *, flags: int | None = None, method: int | None = None) -> None:  # fmt: skip
    """Rewrite the first member's general-purpose flags or compression method, in its local
    header and in the central directory, as a hostile tool would."""
    blob = bytearray(path.read_bytes())
    local = blob.index(b"PK\x03\x04")
    central = blob.index(b"PK\x01\x02")
    if flags is not None:
        struct.pack_into("<H", blob, local + 6, flags)
        struct.pack_into("<H", blob, central + 8, flags)
    if method is not None:
        struct.pack_into("<H", blob, local + 8, method)
        struct.pack_into("<H", blob, central + 10, method)
    path.write_bytes(bytes(blob))


def verify(cli: Any, path: Path):  # type: ignore[no-untyped-def]
    result = cli("export", "--verify", str(path))
    assert result.exit_code != 70, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return result


def one_error_line(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if not line.startswith("  hint:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_honest_bundle_verifies(cli: Any, tmp_path: Path) -> None:
    result = verify(cli, bundle(tmp_path / "ok.zip", [("log.md", LOG)]))
    assert result.exit_code == 0 and "every SHA-256 matches" in result.stdout


def test_a_manifest_nested_100000_deep(cli: Any, tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    result = verify(cli, bundle(tmp_path / "deep.zip", [("log.md", LOG)], deep))
    assert result.exit_code == 1
    assert "manifest" in one_error_line(result) and "nested too deeply" in result.stderr


@pytest.mark.parametrize("size", ["1e999", "-5", '"12"', "true", "12.5", "1" * 5000])
def test_a_manifest_size_that_is_no_size(cli: Any, tmp_path: Path, size: str) -> None:
    listed = entry("log.md", LOG)
    text = json.dumps({"format": "crisis-export", "members": [listed]})
    text = text.replace(f'"size": {len(LOG)}', f'"size": {size}')
    result = verify(cli, bundle(tmp_path / "size.zip", [("log.md", LOG)], text.encode()))
    assert result.exit_code == 1
    assert "manifest" in one_error_line(result) and "size" in result.stderr


def test_corrupt_compressed_data(cli: Any, tmp_path: Path) -> None:
    path = bundle(tmp_path / "corrupt.zip", [("log.md", LOG)])
    blob = bytearray(path.read_bytes())
    start = 30 + len("log.md")  # the first member's data starts right after its local header
    for i in range(start + 2, start + 12):
        blob[i] ^= 0x5A
    path.write_bytes(bytes(blob))
    result = verify(cli, path)
    assert result.exit_code == 1
    assert "log.md: cannot be read" in one_error_line(result)


def test_the_encrypted_flag(cli: Any, tmp_path: Path) -> None:
    path = bundle(tmp_path / "encrypted.zip", [("log.md", LOG)])
    patch_first_member(path, flags=0x1)
    result = verify(cli, path)
    assert result.exit_code == 1
    assert "log.md: encrypted" in one_error_line(result)


def test_compression_method_99(cli: Any, tmp_path: Path) -> None:
    path = bundle(tmp_path / "aes.zip", [("log.md", LOG)])
    patch_first_member(path, method=99)
    result = verify(cli, path)
    assert result.exit_code == 1
    assert "log.md: compressed with method 99" in one_error_line(result)


def test_a_second_manifest_is_refused(cli: Any, tmp_path: Path) -> None:
    forged = LOG.replace(b"quiet", b"LOUD!")
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("log.md", forged)
        out.writestr("manifest.json", manifest([entry("log.md", LOG)]))
        with pytest.warns(UserWarning, match="Duplicate name"):
            out.writestr("manifest.json", manifest([entry("log.md", forged)]))
    result = verify(cli, path)
    assert result.exit_code == 1
    assert "manifest.json appears more than once" in one_error_line(result)


def test_a_huge_manifest_is_refused_without_reading_it(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.writestr("log.md", LOG)
        with out.open("manifest.json", "w", force_zip64=True) as sink:
            sink.write(manifest([entry("log.md", LOG)])[:-1] + b",")
            chunk = b" " * (1 << 20)
            for _ in range(256):  # 256 MiB of spaces inside the object: valid JSON
                sink.write(chunk)
            sink.write(b'"pad": 1}')
    tracemalloc.start()
    try:
        result = verify(cli, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1
    assert "manifest.json is larger than" in one_error_line(result)
    assert peak < 48 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def run_verify(path: str, tmp_path: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, its address space capped at 1 GiB (no test may
    grow a shared machine's memory by gigabytes)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [*crisis_command(), "export", "--verify", path],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(tmp_path / "home"),
        preexec_fn=cap,
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    result = run_verify(str(fifo), tmp_path, timeout=20)  # the old code waited for a writer
    assert result.returncode == 3, result.stderr
    assert "not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    result = run_verify("/dev/zero", tmp_path, timeout=20)
    assert result.returncode == 3, result.stderr
    assert "not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1
