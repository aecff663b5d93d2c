"""``make cluster-test``: the shared deployment of deploy/ brought up on loopback and checked end to end.

Without Docker: PostgreSQL and Redis (installed from Debian packages when absent), a three-node
Elasticsearch cluster from the cached test distribution, the Airflow API server, scheduler, DAG
processor and two Celery workers, all configured by deploy/airflow-shared.cfg and the variables of
deploy/cluster.env.example (only host names, ports, paths and secrets replaced by loopback values).
``newswatch_ingest`` runs on the demo corpus through the scheduler (triggered and unpaused over the
REST API with a named user), and the script checks:

* the counts equal a reference run of the same corpus through ``newswatch.pipeline`` in one process
  (what ``make demo`` runs through ``airflow dags test``);
* both Celery workers ran mapped ``process`` tasks (each worker's log names the workloads it ran);
* a second run adds nothing;
* with the entry node of ES_URL killed while ``process`` tasks run, nothing is spooled and nothing lost
  (only where ES_URL takes several nodes).

Everything it starts is stopped by PID on exit, failed or not. Run it with ``nice``: 2 cores are shared.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from newswatch import es_node
from newswatch.core.settings import REPO_ROOT, ElasticsearchSettings, Settings

WORK = REPO_ROOT / "var" / "cluster-test"
VENV_PYTHON = Path(sys.executable)
ENV_TEMPLATE = REPO_ROOT / "deploy" / "cluster.env.example"
AIRFLOW_PROFILE = REPO_ROOT / "deploy" / "airflow-shared.cfg"
CLUSTER_REQUIREMENTS = REPO_ROOT / "requirements-cluster.txt"
INSTALLED_MARKER = REPO_ROOT / ".venv" / ".requirements-cluster.installed"
# Ports of their own: the test suite's node is 9250, the demo's 9200, Airflow's default 8080.
ES_PORTS = (9270, 9271, 9272)
POSTGRES_PORT = 5442
REDIS_PORT = 6391
API_PORT = 8391
WORKER_LOG_PORTS = (8794, 8795)
PREFIX = "newswatch-cluster"
REFERENCE_PREFIX = "newswatch-cluster-reference"
DAG_ID = "newswatch_ingest"
ADMIN = "newswatch-admin"
FINISHED = {"success", "failed"}


class ClusterTestError(RuntimeError):
    """A component did not come up, or a check could not be made."""


def log(message: str) -> None:
    print(f"[cluster-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- prerequisites ---------------------------------------------------------------------------------------

def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    # Debian's postgresql packages keep their binaries out of PATH.
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def ensure_debian_packages() -> None:
    missing = [package for package, binary in (("postgresql", "postgres"), ("postgresql-client", "psql"),
                                               ("redis-server", "redis-server"))
               if find_binary(binary) is None]
    if not missing:
        return
    log(f"installing {' '.join(missing)} from Debian packages")
    subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
    # Debian's policy hook: the packages' own services stay stopped (this test runs its own, by PID).
    policy = Path("/usr/sbin/policy-rc.d")
    added_policy = not policy.exists()
    if added_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    finally:
        if added_policy:
            policy.unlink()


def ensure_cluster_requirements() -> None:
    if INSTALLED_MARKER.exists() and INSTALLED_MARKER.read_text() == CLUSTER_REQUIREMENTS.read_text():
        return
    log("installing requirements-cluster.txt into the virtualenv")
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "-q", "-r", str(CLUSTER_REQUIREMENTS)], check=True)
    INSTALLED_MARKER.write_text(CLUSTER_REQUIREMENTS.read_text())


# -- processes started here, stopped by PID ------------------------------------------------------------

@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log_path: Path
    stop_signal: int = signal.SIGTERM


@dataclass
class Processes:
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None,
              stop_signal: int = signal.SIGTERM, **popen: object) -> Started:
        log_path = WORK / "logs" / f"{name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as out:
            # Its own session: stopping the PID's process group takes its children (pool processes) too.
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True, **popen)
        entry = Started(name, process, log_path, stop_signal)
        self.started.append(entry)
        return entry

    def check_alive(self) -> None:
        for entry in self.started:
            if entry.process.poll() is not None:
                raise ClusterTestError(f"{entry.name} exited ({entry.process.returncode}); see {entry.log_path}")

    def stop_all(self) -> None:
        for entry in reversed(self.started):
            if entry.process.poll() is None:
                os.killpg(entry.process.pid, entry.stop_signal)
        deadline = time.monotonic() + 30
        for entry in reversed(self.started):
            try:
                entry.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(entry.process.pid, signal.SIGKILL)
                entry.process.wait()
        self.started.clear()


def wait_for(what: str, probe, timeout_s: float, processes: Processes | None = None, every_s: float = 1.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if processes:
            processes.check_alive()
        result = probe()
        if result:
            return result
        time.sleep(every_s)
    raise ClusterTestError(f"{what}: not within {timeout_s:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# -- services ---------------------------------------------------------------------------------------------

def es_cluster_discovery(index: int) -> dict[str, str]:
    return {
        "node.name": f"node-{index}",
        "discovery.seed_hosts": ",".join(f"127.0.0.1:{port + 100}" for port in ES_PORTS),
        "cluster.initial_master_nodes": ",".join(f"node-{i}" for i in range(len(ES_PORTS))),
    }


def es_node_home(port: int) -> Path:
    return WORK / f"es-{port}"


def start_es_cluster(settings: Settings) -> None:
    """Three nodes at once: each start waits for the cluster to form, which needs the others."""
    errors: list[Exception] = []

    def start_one(index: int, port: int) -> None:
        try:
            es_node.start(settings, port=port, home=es_node_home(port), wait_s=600,  # three JVMs at once on a busy machine
                          discovery=es_cluster_discovery(index))
        except (es_node.NodeError, OSError, subprocess.SubprocessError) as error:  # reported by the main thread
            errors.append(error)

    es_node.ensure_distribution(settings)
    threads = [threading.Thread(target=start_one, args=(i, port)) for i, port in enumerate(ES_PORTS)]
    for thread in threads:
        thread.start()
        time.sleep(3)  # the first start creates the node user; the others find it
    for thread in threads:
        thread.join()
    if errors:
        raise ClusterTestError(f"Elasticsearch cluster: {errors[0]}")
    nodes = es_node.health(f"http://127.0.0.1:{ES_PORTS[0]}")["number_of_nodes"]
    if nodes != len(ES_PORTS):
        raise ClusterTestError(f"Elasticsearch cluster formed with {nodes} nodes, not {len(ES_PORTS)}")


def stop_es_cluster(settings: Settings) -> None:
    for port in ES_PORTS:
        es_node.stop(settings, port=port, home=es_node_home(port))


def start_postgres(processes: Processes) -> None:
    data = WORK / "postgres"
    data.mkdir(parents=True)
    if subprocess.run(["id", "postgres"], capture_output=True, check=False).returncode != 0:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "postgres"], check=True)
    shutil.chown(data, "postgres", "postgres")
    # PostgreSQL refuses to run as root: initdb and the server run as the packaged postgres user.
    as_postgres = {"user": "postgres", "group": "postgres", "extra_groups": []}
    subprocess.run([find_binary("initdb"), "-D", str(data), "-U", "airflow", "--auth=trust", "-E", "UTF8"],
                   check=True, stdout=subprocess.DEVNULL, **as_postgres)
    processes.start("postgres", [find_binary("postgres"), "-D", str(data), "-p", str(POSTGRES_PORT),
                                 "-k", str(data), "-c", "listen_addresses=127.0.0.1"],
                    stop_signal=signal.SIGINT, **as_postgres)  # SIGINT: fast shutdown, clients cut off

    def database_created() -> bool:
        result = subprocess.run([find_binary("psql"), "-h", "127.0.0.1", "-p", str(POSTGRES_PORT), "-U", "airflow", "-d", "postgres",
                                 "-c", "CREATE DATABASE airflow"], check=False, capture_output=True)
        return result.returncode == 0

    wait_for("PostgreSQL accepting connections", database_created, 60, processes)


def start_redis(processes: Processes) -> None:
    processes.start("redis", [find_binary("redis-server"), "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"])
    wait_for("Redis listening", lambda: port_open(REDIS_PORT), 30, processes, every_s=0.3)


# -- configuration ----------------------------------------------------------------------------------------

def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def multi_node_client() -> bool:
    """Whether this checkout's client takes several ES_URL nodes (the failover check needs it)."""
    return hasattr(ElasticsearchSettings, "node_urls")


def cluster_environment(sources_file: Path) -> dict[str, str]:
    """The template's variables, with loopback values for what names a host, a port, a path or a secret."""
    from cryptography.fernet import Fernet

    api_url = f"http://127.0.0.1:{API_PORT}"
    node_urls = [f"http://127.0.0.1:{port}" for port in ES_PORTS]
    loopback: dict[str, str | None] = {
        "AIRFLOW_CONFIG": str(AIRFLOW_PROFILE),
        "AIRFLOW_HOME": str(WORK / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://airflow@127.0.0.1:{POSTGRES_PORT}/airflow",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://airflow@127.0.0.1:{POSTGRES_PORT}/airflow",
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(WORK / "airflow-passwords.json"),
        "ES_URL": ",".join(node_urls) if multi_node_client() else node_urls[0],
        "ES_API_KEY": None,  # the test nodes run without security
        "NEWSWATCH_HOME": str(WORK / "newswatch-home"),
        "NEWSWATCH_SOURCES_FILE": str(sources_file),
        "AIRFLOW_CONN_NEWSWATCH_SMTP": None,
    }
    template = read_env_file(ENV_TEMPLATE)
    unknown = sorted(set(loopback) - set(template))
    if unknown:
        raise ClusterTestError(f"{ENV_TEMPLATE.name} lacks {', '.join(unknown)}: the template and this test disagree")
    env = {**os.environ, **template}
    for key, value in loopback.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env.update(
        # As `make demo`: its own prefix, the corpus on loopback (which the SSRF guard refuses unless
        # allowed), no politeness delay against our own server.
        NEWSWATCH_INDEX_PREFIX=PREFIX,
        NEWSWATCH_FETCH_ALLOW="127.0.0.1",
        NEWSWATCH_PER_HOST_INTERVAL="0",
        PATH=f"{VENV_PYTHON.parent}:{os.environ.get('PATH', '')}",
    )
    return env


# -- Airflow ----------------------------------------------------------------------------------------------

def airflow(*args: str) -> list[str]:
    return [str(VENV_PYTHON), "-m", "airflow", *args]


def start_airflow(processes: Processes, env: dict[str, str]) -> None:
    (WORK / "airflow").mkdir(parents=True, exist_ok=True)
    migrated = subprocess.run(airflow("db", "migrate"), check=False, env=env, capture_output=True, text=True)
    if migrated.returncode != 0:
        raise ClusterTestError(f"airflow db migrate failed:\n{(migrated.stdout + migrated.stderr)[-3000:]}")
    processes.start("api-server", airflow("api-server", "--host", "127.0.0.1", "--port", str(API_PORT), "--workers", "1"), env)
    processes.start("scheduler", airflow("scheduler"), env)
    processes.start("dag-processor", airflow("dag-processor"), env)
    for number, log_port in enumerate(WORKER_LOG_PORTS, start=1):
        # One task at a time per worker: with two mapped batches, each worker must take one.
        processes.start(f"worker-{number}", airflow("celery", "worker", "--concurrency", "1",
                                                    "--celery-hostname", f"worker-{number}@%h"),
                        {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port)})


@dataclass
class AirflowApi:
    base_url: str
    token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, {"detail": error.read().decode(errors="replace")[:500]}
        except (urllib.error.URLError, OSError):
            return 0, {}

    def ok(self, method: str, path: str, body: dict | None = None) -> dict:
        status, payload = self.call(method, path, body)
        if status not in (200, 201):
            raise ClusterTestError(f"{method} {path}: HTTP {status} {payload}")
        return payload

    def login(self, username: str, password: str) -> None:
        self.token = self.ok("POST", "/auth/token", {"username": username, "password": password})["access_token"]

    def runs(self) -> list[dict]:
        return self.ok("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?order_by=start_date&limit=100")["dag_runs"]

    def trigger(self) -> str:
        return self.ok("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})["dag_run_id"]

    def task_instances(self, run_id: str) -> list[dict]:
        return self.ok("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=500")["task_instances"]

    def wait_idle(self, processes: Processes, timeout_s: float) -> list[dict]:
        """Wait until no run of the DAG is queued or running; return every run, oldest first."""
        return wait_for(f"{DAG_ID} runs finished",
                        lambda: (runs := self.runs()) and all(r["state"] in FINISHED for r in runs) and runs,
                        timeout_s, processes, every_s=5)


def auth_checks(api: AirflowApi) -> dict[str, bool]:
    anonymous = AirflowApi(api.base_url)
    return {
        "API refuses anonymous requests": anonymous.call("GET", f"/api/v2/dags/{DAG_ID}")[0] in (401, 403),
        "no token without credentials (all_admins off)": anonymous.call("GET", "/auth/token")[0] in (401, 403),
        "wrong password refused": anonymous.call("POST", "/auth/token", {"username": ADMIN, "password": "wrong"})[0] in (400, 401, 403),
    }


def process_tasks_per_worker() -> Counter[str]:
    """Mapped ``process`` workloads each worker received, from the worker's own log."""
    ran: Counter[str] = Counter()
    for number in range(1, len(WORKER_LOG_PORTS) + 1):
        text = (WORK / "logs" / f"worker-{number}.log").read_text(errors="replace")
        ran[f"worker-{number}"] = len(re.findall(r"Executing workload in Celery:.*?task_id='process'", text))
    return ran


# -- counts -----------------------------------------------------------------------------------------------

def index_counts(settings: Settings, prefix: str) -> dict[str, int]:
    from newswatch.indexing.connection import es_client

    client = es_client(settings.es)
    client.indices.refresh(index=f"{prefix}-*")
    return {name: client.count(index=f"{prefix}-{name}")["count"] for name in ("articles", "quotes", "failures")}


def stored_bytes_per_article(settings: Settings, prefix: str) -> float:
    """Primary store of every index of the prefix (vectors, quotes, stored pages' metadata) per article."""
    from newswatch.indexing.connection import es_client

    client = es_client(settings.es)
    size = client.indices.stats(index=f"{prefix}-*", metric="store")["_all"]["primaries"]["store"]["size_in_bytes"]
    return size / max(1, client.count(index=f"{prefix}-articles")["count"])


def run_report(settings: Settings, run_id: str) -> dict:
    from newswatch.indexing.connection import es_client

    hits = es_client(settings.es).search(index=f"{PREFIX}-runs", query={"term": {"run_id": run_id}}, size=1)["hits"]["hits"]
    return hits[0]["_source"] if hits else {}


def reference_counts(settings: Settings) -> dict[str, int]:
    """The demo corpus through the same pipeline functions in this process, on a prefix of its own."""
    from newswatch import pipeline
    from newswatch.indexing.connection import es_client
    from newswatch.indexing.schema import drop_prefix

    settings = settings.with_es(index_prefix=REFERENCE_PREFIX).with_paths(home=WORK / "reference-home")
    pipeline.ensure_indices(settings)
    polls = [pipeline.poll_batch(settings, batch, "reference") for batch in pipeline.plan_polls(settings)]
    for batch in pipeline.plan_items(settings, polls):
        pipeline.process_batch(settings, batch, "reference")
    counts = index_counts(settings, REFERENCE_PREFIX)
    drop_prefix(es_client(settings.es), REFERENCE_PREFIX)
    return counts


def spooled_files(settings: Settings) -> int:
    return len(list(settings.paths.spool_dir.glob("spool-*.ndjson")))


# -- the test ---------------------------------------------------------------------------------------------

@dataclass
class Summary:
    rows: list[tuple[str, str, bool | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, value: object, passed: bool | None) -> None:
        self.rows.append((name, str(value), passed))
        log(f"{'PASS' if passed else 'SKIP' if passed is None else 'FAIL'}  {name}: {value}")

    @property
    def passed(self) -> bool:
        return all(passed is not False for _, _, passed in self.rows)

    def table(self) -> str:
        width = max(len(name) for name, _, _ in self.rows)
        lines = [f"{'check':<{width}}  {'result':<6}  value", "-" * (width + 40)]
        for name, value, passed in self.rows:
            verdict = "PASS" if passed else "SKIP" if passed is None else "FAIL"
            lines.append(f"{name:<{width}}  {verdict:<6}  {value}")
        return "\n".join(lines)


def first_process_running(api: AirflowApi, run_id: str) -> bool:
    return any(ti["task_id"] == "process" and ti["state"] == "running" for ti in api.task_instances(run_id))


def run_checks(processes: Processes, summary: Summary, timings: dict[str, float]) -> None:
    from newswatch.indexing.connection import es_client
    from newswatch.indexing.schema import drop_prefix
    from newswatch_lab import demo_corpus
    from newswatch_lab.demo_server import DemoServer

    clock = time.monotonic()
    with DemoServer() as server:
        sources_file = WORK / "sources.yaml"
        sources_file.write_text(demo_corpus.sources_yaml(server.base_url), encoding="utf-8")
        env = cluster_environment(sources_file)
        settings = Settings.from_env(env)

        log("starting a three-node Elasticsearch cluster, PostgreSQL and Redis")
        start_es_cluster(settings)
        start_postgres(processes)
        start_redis(processes)
        timings["services up"] = time.monotonic() - clock

        log("reference: the demo corpus through newswatch.pipeline in this process")
        clock = time.monotonic()
        expected = reference_counts(settings)
        timings["reference run"] = time.monotonic() - clock

        log("starting Airflow: API server, scheduler, DAG processor, two Celery workers")
        clock = time.monotonic()
        passwords = {user.split(":")[0]: secrets.token_urlsafe(16)
                     for user in env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")}
        Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).write_text(json.dumps(passwords))
        start_airflow(processes, env)
        api = AirflowApi(env["AIRFLOW__API__BASE_URL"])
        wait_for("API server healthy", lambda: api.call("GET", "/api/v2/monitor/health")[0] == 200, 240, processes, 2)
        for name, passed in auth_checks(api).items():
            summary.check(name, "yes" if passed else "no", passed)
        api.login(ADMIN, passwords[ADMIN])
        dags = wait_for("newswatch DAGs parsed", lambda: (found := api.call("GET", "/api/v2/dags?tags=newswatch")[1].get("dags"))
                        and len(found) >= 4 and found, 300, processes, 5)
        summary.check("DAGs paused at creation", ", ".join(f"{d['dag_id']}={d['is_paused']}" for d in dags),
                      all(d["is_paused"] for d in dags))
        timings["airflow up"] = time.monotonic() - clock

        log(f"run 1: trigger {DAG_ID} and unpause it (the scheduler may add its own scheduled run)")
        clock = time.monotonic()
        first = api.trigger()
        api.ok("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        runs = api.wait_idle(processes, 1800)
        timings["runs 1-2"] = time.monotonic() - clock
        if len(runs) < 2:
            log("run 2: trigger again")
            second_trigger = time.monotonic()
            api.trigger()
            runs = api.wait_idle(processes, 900)
            timings["runs 1-2"] += time.monotonic() - second_trigger
        counts = index_counts(settings, PREFIX)
        work_run, idle_run = runs[0], runs[1]
        summary.check("run 1 state", f"{work_run['dag_run_id']} {work_run['state']}", work_run["state"] == "success")
        for name in ("articles", "quotes", "failures"):
            summary.check(f"{name} = reference (make demo)", f"{counts[name]} / {expected[name]}", counts[name] == expected[name])
        per_worker = process_tasks_per_worker()
        durations = sorted(ti["duration"] or 0 for ti in api.task_instances(work_run["dag_run_id"]) if ti["task_id"] == "process")
        summary.notes.append("run 1 process task durations: " + ", ".join(f"{d:.0f} s" for d in durations))
        summary.notes.append(f"Elasticsearch primary store per article: {stored_bytes_per_article(settings, PREFIX) / 1024:.0f} KiB")
        summary.check("mapped process tasks per worker", dict(per_worker), all(per_worker[w] > 0 for w in per_worker))
        idle_report = run_report(settings, idle_run["dag_run_id"])
        new_items = idle_report.get("counts", {}).get("new_items", 0)
        summary.check("run 2 adds nothing", f"{idle_run['state']}, new items {new_items}, counts {counts}",
                      idle_run["state"] == "success" and new_items == 0 and counts == index_counts(settings, PREFIX))
        others = [d["dag_id"] for d in dags if d["dag_id"] != DAG_ID
                  and api.ok("GET", f"/api/v2/dags/{d['dag_id']}/dagRuns")["total_entries"]]
        summary.check("no other DAG ran", others or "none", not others)
        if first not in {r["dag_run_id"] for r in runs}:
            raise ClusterTestError(f"triggered run {first} not found")

        if not multi_node_client():
            summary.check("failover (entry node killed mid-run)", "client takes one ES_URL node: not run", None)
            return
        log("run 3: empty indices, trigger, kill the entry node once process tasks run")
        clock = time.monotonic()
        drop_prefix(es_client(settings.es), PREFIX)
        third = api.trigger()
        wait_for("a process task running", lambda: first_process_running(api, third), 900, processes, 2)
        entry = es_node.layout_for(settings, ES_PORTS[0], es_node_home(ES_PORTS[0]))
        os.kill(es_node.read_pid(entry), signal.SIGKILL)
        log(f"killed the entry node {entry.url}")
        runs = api.wait_idle(processes, 1800)
        timings["run 3 (failover)"] = time.monotonic() - clock
        failover_run = next(r for r in runs if r["dag_run_id"] == third)
        survivors = settings.with_es(url=",".join(f"http://127.0.0.1:{port}" for port in ES_PORTS[1:]))
        counts = index_counts(survivors, PREFIX)
        report = run_report(survivors, third)
        summary.check("run 3 state (entry node killed)", f"{failover_run['state']}, report {report.get('status')}",
                      failover_run["state"] == "success" and report.get("status") != "degraded")
        for name in ("articles", "quotes", "failures"):
            summary.check(f"run 3 {name} = reference", f"{counts[name]} / {expected[name]}", counts[name] == expected[name])
        spooled = spooled_files(settings)
        summary.check("run 3 nothing spooled", f"{report.get('counts', {}).get('spooled', 0)} documents, {spooled} spool files",
                      spooled == 0 and not report.get("counts", {}).get("spooled"))


def clean_leftovers(settings: Settings) -> None:
    """A previous run's nodes (by their pid files) and folders."""
    stop_es_cluster(settings)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.chmod(WORK, 0o755)


def main() -> int:
    started = time.monotonic()
    ensure_debian_packages()
    ensure_cluster_requirements()
    settings = Settings.from_env()
    clean_leftovers(settings)
    processes = Processes()
    summary = Summary()
    timings: dict[str, float] = {}
    # A SIGTERM (make interrupted, CI stopping) unwinds through the finally below like an error.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run_checks(processes, summary, timings)
    except ClusterTestError as error:
        summary.check("cluster test ran to the end", error, False)
    finally:
        log("stopping everything started here (by PID)")
        processes.stop_all()
        stop_es_cluster(settings)
    timings["total"] = time.monotonic() - started
    print("\n" + summary.table())
    print("\n".join(summary.notes))
    print("\ntimings: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
    print(f"logs: {WORK / 'logs'}")
    print("cluster test: " + ("PASSED" if summary.passed else "FAILED"))
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main())
