"""A local single-node Elasticsearch, fetched and run by the project itself.

The node is the official integ-test distribution from Maven Central (fetched
with ``mvn``), unpacked into an ignored cache folder and run on loopback with a
JDK 21+. Elasticsearch refuses to run as root, so when we are root the node
runs as a dedicated system user that owns only the node's own folders.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from newswatch.core.settings import ES_ARTIFACT, ES_VERSION, Settings

NODE_USER = "newswatch-es"
SHARED_RUNTIME_ROOT = Path("/var/tmp/newswatch-es")
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"


class NodeError(RuntimeError):
    """The local node could not be fetched, started or stopped."""


@dataclass(frozen=True)
class NodeLayout:
    """Where one local node keeps its distribution, config, data, logs and pid."""

    distribution: Path
    home: Path
    port: int

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pid_file(self) -> Path:
        return self.home / "es.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def layout_for(settings: Settings, port: int | None = None, home: Path | None = None) -> NodeLayout:
    chosen_port = port or settings.es.port
    layout = NodeLayout(
        distribution=settings.paths.cache_dir / "elasticsearch" / f"elasticsearch-{ES_VERSION}",
        home=home or settings.paths.home / f"es-{chosen_port}",
        port=chosen_port,
    )
    if os.geteuid() == 0 and not (_traversable(layout.distribution) and _traversable(layout.home)):
        # The unprivileged node user cannot reach a private checkout (a CI folder under a 0700
        # parent, say): run the node from a world-traversable root instead, one home per requested home.
        key = hashlib.sha256(str(layout.home.resolve()).encode()).hexdigest()[:12]
        layout = NodeLayout(
            distribution=SHARED_RUNTIME_ROOT / f"elasticsearch-{ES_VERSION}",
            home=SHARED_RUNTIME_ROOT / f"home-{key}",
            port=chosen_port,
        )
    return layout


def _java_major(java_home: Path) -> int:
    release = java_home / "release"
    if not release.exists():
        return 0
    match = re.search(r'JAVA_VERSION="(\d+)', release.read_text(errors="replace"))
    return int(match.group(1)) if match else 0


def find_java_home(explicit: Path | None = None) -> Path:
    """``explicit`` (ES_JAVA_HOME) if set, else the newest JDK 21+ under /usr/lib/jvm."""
    if explicit:
        if _java_major(explicit) < 21:
            raise NodeError(f"ES_JAVA_HOME={explicit} is not a JDK 21 or newer")
        return explicit
    candidates = sorted(
        (p for p in Path("/usr/lib/jvm").glob("*") if p.is_dir() and not p.is_symlink()),
        key=_java_major,
        reverse=True,
    )
    for candidate in candidates:
        if _java_major(candidate) >= 21:
            return candidate
    raise NodeError("Elasticsearch 9 needs Java 21+: set ES_JAVA_HOME to such a JDK")


def _unzip_with_modes(archive: Path, target: Path) -> None:
    # zipfile drops Unix permissions; the node's launch scripts must stay executable.
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            extracted = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                extracted.chmod(mode)


def ensure_distribution(settings: Settings) -> Path:
    """Fetch (once) and unpack the pinned integ-test distribution; return its folder."""
    layout = layout_for(settings)
    if (layout.distribution / "bin" / "elasticsearch").exists():
        return layout.distribution
    download_dir = settings.paths.cache_dir / "elasticsearch" / "download"
    download_dir.mkdir(parents=True, exist_ok=True)
    archive = download_dir / f"elasticsearch-{ES_VERSION}.zip"
    if not archive.exists():
        if shutil.which("mvn") is None:
            raise NodeError("mvn is needed to fetch the Elasticsearch test distribution")
        cmd = [
            "mvn", "-q", "-B", f"{MAVEN_DEPENDENCY_PLUGIN}:copy",
            f"-Dartifact={ES_ARTIFACT}:{ES_VERSION}:zip",
            f"-DoutputDirectory={download_dir}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not archive.exists():
            raise NodeError(f"mvn could not fetch {ES_ARTIFACT}:{ES_VERSION}:\n{result.stdout[-2000:]}")
    layout.distribution.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    partial = layout.distribution.parent / f".unpacking-{ES_VERSION}"
    shutil.rmtree(partial, ignore_errors=True)
    _unzip_with_modes(archive, partial)
    (partial / f"elasticsearch-{ES_VERSION}").rename(layout.distribution)
    partial.rmdir()
    return layout.distribution


def _ensure_node_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(NODE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER],
            check=True,
        )
        return pwd.getpwnam(NODE_USER)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid)


def _traversable(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents] if p.exists())


def _check_traversable(path: Path) -> None:
    if not _traversable(path):
        raise NodeError(f"{path} is not traversable by other users; the node user needs o+x on each parent")


def health(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def read_pid(layout: NodeLayout) -> int | None:
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def start(settings: Settings, port: int | None = None, home: Path | None = None, wait_s: float = 180.0,
          discovery: dict[str, str] | None = None) -> NodeLayout:
    """Start a node (or find it running) and wait until it answers green or yellow.

    ``discovery`` (node name, seed hosts, initial masters) makes the node one member of a multi-node
    cluster instead of a single node; the call then returns once the cluster has formed.
    """
    layout = layout_for(settings, port, home)
    if read_pid(layout) and health(layout.url):
        return layout
    ensure_distribution(settings)
    java_home = find_java_home(settings.es.java_home)
    for folder in (layout.home, layout.data_dir, layout.logs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if not layout.config_dir.exists():
        shutil.copytree(layout.distribution / "config", layout.config_dir)
    env = dict(os.environ)
    env.update(
        ES_JAVA_HOME=str(java_home),
        ES_PATH_CONF=str(layout.config_dir),
        ES_JAVA_OPTS=f"-Xms{settings.es.heap} -Xmx{settings.es.heap}",
    )
    env.pop("JAVA_HOME", None)
    command = [
        str(layout.distribution / "bin" / "elasticsearch"), "-d", "-p", str(layout.pid_file),
        "-E", "cluster.name=newswatch",
        "-E", "network.host=127.0.0.1",
        "-E", f"http.port={layout.port}",
        "-E", f"transport.port={layout.port + 100}",
        "-E", f"path.data={layout.data_dir}",
        "-E", f"path.logs={layout.logs_dir}",
        "-E", "xpack.security.enabled=false",
        # CI disks can be nearly full; a read-only flood-stage index would look like data loss.
        "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
    ]
    for key, value in (discovery or {"discovery.type": "single-node"}).items():
        command += ["-E", f"{key}={value}"]
    if os.geteuid() == 0:
        user = _ensure_node_user()
        _check_traversable(layout.distribution)
        _check_traversable(layout.home)
        _chown_tree(layout.home, user.pw_uid, user.pw_gid)
        command = ["runuser", "-u", NODE_USER, "--", "env", *[f"{k}={env[k]}" for k in (
            "ES_JAVA_HOME", "ES_PATH_CONF", "ES_JAVA_OPTS")], *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=wait_s)
    if result.returncode != 0 and health(layout.url):
        return layout  # another process started the same node first; share it
    if result.returncode != 0:
        raise NodeError(f"Elasticsearch failed to start:\n{(result.stdout + result.stderr)[-3000:]}")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        state = health(layout.url)
        if state and state.get("status") in ("green", "yellow"):
            return layout
        time.sleep(0.5)
    raise NodeError(f"Elasticsearch did not become healthy on {layout.url} within {wait_s:.0f}s; see {layout.logs_dir}")


def stop(settings: Settings, port: int | None = None, home: Path | None = None, wait_s: float = 60.0) -> bool:
    """Stop the node by its pid file; True if one was running."""
    layout = layout_for(settings, port, home)
    pid = read_pid(layout)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if read_pid(layout) is None:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
    layout.pid_file.unlink(missing_ok=True)
    return True


def status(settings: Settings, port: int | None = None, home: Path | None = None) -> dict:
    layout = layout_for(settings, port, home)
    return {"url": layout.url, "pid": read_pid(layout), "health": health(layout.url), "version": ES_VERSION}
