"""Headless Chromium for the browser tests (CI installs Debian's chromium)."""

import shutil


def chromium() -> str | None:
    """The Chromium executable, or None where it is not installed."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None
