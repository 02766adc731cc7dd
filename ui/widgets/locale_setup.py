"""Language, numbers and fonts for the apps: loads ui/i18n/pos_<locale>.qm (built from the .ts by
packaging/setup.sh, or here on first use when missing) and Qt's own qtbase translation (so OK,
Cancel, Yes, No and Close are in the screen's language too), and picks a CJK-capable font, so
Chinese never shows as tofu boxes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

I18N = Path(__file__).resolve().parents[1] / "i18n"
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


def qm_path(locale_name: str) -> Path | None:
    """The compiled translation for this locale, building it from the .ts when it is missing."""
    ts = I18N / f"pos_{locale_name}.ts"
    qm = ts.with_suffix(".qm")
    if ts.exists() and (not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime):
        lrelease = shutil.which("pyside6-lrelease") or str(Path(__file__).resolve().parents[2]
                                                           / ".venv/bin/pyside6-lrelease")
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=False)
    return qm if qm.exists() else None


_installed: list[QTranslator] = []


def install_locale(locale_name: str) -> QLocale:
    """Install the translation for `locale_name` ("zh_CN" or "en") on the running application."""
    app = QCoreApplication.instance()
    assert app is not None
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    locale = QLocale(locale_name)
    QLocale.setDefault(locale)
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for path in (qm_path(locale_name), Path(qt_translations) / f"qtbase_{locale_name}.qm"):
        if path is None or not path.exists():
            continue
        translator = QTranslator(app)
        if translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)
    return locale


def apply_font(point_size: int = 11) -> None:
    from PySide6.QtWidgets import QApplication

    families = set(QFontDatabase.families())
    family = next((f for f in CJK_FAMILIES if f in families), None)
    if family:
        QApplication.setFont(QFont(family, point_size))
