"""The API's documentation pages work offline: every asset comes from the API itself."""
from __future__ import annotations

import re
import socket
import subprocess
import threading
import time

import pytest
import uvicorn
from test_api_fixtures import api_world  # noqa: F401  (a fixture)

from newswatch.digest.screenshot import find_browser

pytestmark = pytest.mark.integration

ASSET_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"|url: ?[\'"]([^\'"]+)[\'"]')


def references(html: str) -> list[str]:
    return [a or b for a, b in ASSET_REFERENCE.findall(html)]


@pytest.mark.parametrize("page, asset", [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_docs_pages_load_every_asset_from_the_api_itself(api_world, page, asset):
    http = api_world.http()
    html = http.get(page).text
    found = references(html)
    assert any(ref.endswith(asset) for ref in found)
    assert all(ref.startswith("/") for ref in found), f"a reference leaves the server: {found}"
    for ref in found:
        response = http.get(ref)
        assert response.status_code == 200 and len(response.content) > 0, ref


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_api(api_world):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api_world.http().app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(find_browser() is None, reason="no Chromium installed (apt-get install -y chromium)")
def test_swagger_ui_shows_the_operations_in_a_browser_that_reaches_only_loopback(served_api, tmp_path):
    only_loopback = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
    common = [find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", only_loopback, f"--user-data-dir={tmp_path / 'profile'}",
              "--window-size=1280,2400", "--virtual-time-budget=15000"]
    dom = subprocess.run([*common, "--dump-dom", f"{served_api}/docs"], capture_output=True, text=True, timeout=120).stdout
    rendered = set(re.findall(r'data-path="([^"]+)"', dom))
    assert rendered == {"/v1/articles", "/v1/articles/semantic", "/v1/quotes", "/v1/stats/stance",
                        "/v1/stats/top/{facet}", "/v1/export/{index}", "/v1/corrections/stance",
                        "/v1/corrections/speaker"}, "Swagger UI did not render every operation"
    shot = tmp_path / "docs.png"
    subprocess.run([*common, f"--screenshot={shot}", f"{served_api}/docs"], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
