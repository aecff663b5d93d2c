"""Screenshots of a rendered digest in headless Chromium, at phone and desktop widths.

Uses Debian's ``chromium`` package (``apt-get install -y chromium``). Chromium runs
with a throw-away profile and no background networking, so a screenshot neither
needs nor uses the network (remote images in a digest would simply not load).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

WIDTHS = {"phone": 390, "desktop": 1280}
# The page is measured first, so a screenshot holds the whole digest; longer pages are cut here.
MAX_HEIGHT = 16_384
MEASURING_HEIGHT = 800
# Headless Chromium lays out no narrower than 500 px whatever the window, so the measuring run pins
# the page's width itself; the body's box is the content's height, whatever the window's height.
MEASURE_SCRIPT = (
    "<script>document.documentElement.style.width = '{width}px';"
    " document.documentElement.setAttribute('data-page-height',"
    " Math.ceil(document.body.getBoundingClientRect().height));</script>"
)
MEASURED_HEIGHT = re.compile(r'data-page-height="(\d+)"')
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")


class ScreenshotError(RuntimeError):
    pass


def find_browser() -> str | None:
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium(browser: str, profile: str, width: int, height: int, *arguments: str) -> list[str]:
    return [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={width},{height}", *arguments,
    ]


def _run(command: list[str], timeout_s: float, what: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ScreenshotError(f"{command[0]} took longer than {timeout_s:.0f}s for {what}") from exc


def page_height(html_path: Path, width: int, browser: str, timeout_s: float = 90.0) -> int:
    """The rendered page's full height in pixels at ``width``, measured by Chromium itself."""
    with tempfile.TemporaryDirectory(prefix="newswatch-chromium-") as work:
        probe = Path(work) / "measure.html"
        probe.write_text(html_path.read_text(encoding="utf-8") + MEASURE_SCRIPT.replace("{width}", str(width)), encoding="utf-8")
        command = _chromium(browser, str(Path(work) / "profile"), width, MEASURING_HEIGHT, "--dump-dom", probe.as_uri())
        result = _run(command, timeout_s, f"measuring at {width}px")
    found = MEASURED_HEIGHT.search(result.stdout)
    if not found:
        raise ScreenshotError(f"{browser} could not measure the page (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    return min(max(int(found.group(1)), 1), MAX_HEIGHT)


def screenshot(html_path: Path, out_dir: Path, browser: str | None = None, timeout_s: float = 90.0) -> dict[str, Path]:
    """One full-height PNG per width in WIDTHS, named ``<html stem>-<label>.png``; returns label -> path."""
    browser = browser or find_browser()
    if browser is None:
        raise ScreenshotError("no Chromium found: install it with `apt-get update && apt-get install -y chromium`")
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = {}
    for label, width in WIDTHS.items():
        target = (out_dir / f"{html_path.stem}-{label}.png").resolve()
        target.unlink(missing_ok=True)
        height = page_height(html_path, width, browser, timeout_s)
        with tempfile.TemporaryDirectory(prefix="newswatch-chromium-") as profile:
            command = _chromium(browser, profile, width, height, f"--screenshot={target}", html_path.resolve().as_uri())
            result = _run(command, timeout_s, label)
        if not target.exists():
            raise ScreenshotError(f"{browser} wrote no screenshot for {label} (exit {result.returncode}): "
                                  f"{result.stderr.strip()[-500:]}")
        shots[label] = target
    return shots
