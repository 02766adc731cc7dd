"""Qt's platform plugins find every system library they link against, and the xcb plugin really
loads on a (virtual) display: `pos demo` on a machine with a screen does not abort with "Could not
load the Qt platform plugin xcb"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

PLUGINS = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms"


@pytest.mark.parametrize("plugin", ["libqxcb.so", "libqwayland.so"])
def test_platform_plugin_links_against_nothing_missing(plugin: str) -> None:
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not installed")
    path = PLUGINS / plugin
    assert path.exists(), f"PySide6 ships no {plugin}"
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    missing = [line.split()[0] for line in out.splitlines() if "not found" in line]
    assert missing == [], f"add the Debian packages for {missing} to packaging/setup.sh"


def test_xcb_plugin_loads_on_a_virtual_display() -> None:
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (bash packaging/setup.sh --dev installs it)")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    code = ("from PySide6.QtWidgets import QApplication;"
            "app = QApplication(['t', '-platform', 'xcb']);"
            "print(app.platformName())")
    done = subprocess.run(["xvfb-run", "-a", sys.executable, "-c", code], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "xcb"
