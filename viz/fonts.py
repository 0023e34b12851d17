"""Is there a Chinese font? Without one, Chinese labels render as empty boxes in the page and in the
PNG exports (kaleido drives the same system Chromium), so the dashboard warns at start-up."""

from __future__ import annotations

import shutil
import subprocess


def cjk_fonts() -> list[str] | None:
    """Families of the installed fonts that cover Chinese (``fc-list :lang=zh``); None when fontconfig's
    fc-list is missing, so nothing can be said."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def cjk_font_missing() -> bool:
    """True when fontconfig is there and lists no font covering Chinese."""
    return cjk_fonts() == []
