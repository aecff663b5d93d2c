"""Screenshots of a rendered digest in headless Chromium, at phone and desktop widths.

Uses Debian's ``chromium`` package (``apt-get install -y chromium``). Chromium runs
with a throw-away profile and no background networking, so a screenshot neither
needs nor uses the network (remote images in a digest would simply not load).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

WIDTHS = {"phone": 390, "desktop": 1280}
WINDOW_HEIGHT = 2000
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")


class ScreenshotError(RuntimeError):
    pass


def find_browser() -> str | None:
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: Path, out_dir: Path, browser: str | None = None, timeout_s: float = 90.0) -> dict[str, Path]:
    """One PNG per width in WIDTHS, named ``<html stem>-<label>.png``; returns label -> path."""
    browser = browser or find_browser()
    if browser is None:
        raise ScreenshotError("no Chromium found: install it with `apt-get update && apt-get install -y chromium`")
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = {}
    for label, width in WIDTHS.items():
        target = (out_dir / f"{html_path.stem}-{label}.png").resolve()
        target.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="newswatch-chromium-") as profile:
            command = [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--screenshot={target}", f"--window-size={width},{WINDOW_HEIGHT}",
                html_path.resolve().as_uri(),
            ]
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise ScreenshotError(f"{browser} took longer than {timeout_s:.0f}s for {label}") from exc
        if not target.exists():
            raise ScreenshotError(f"{browser} wrote no screenshot for {label} (exit {result.returncode}): "
                                  f"{result.stderr.strip()[-500:]}")
        shots[label] = target
    return shots
