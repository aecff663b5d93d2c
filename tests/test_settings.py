"""One settings object: every variable is read in one place, documented in README, and validated."""
from __future__ import annotations

import re
import subprocess

import pytest

from newswatch.core.settings import REPO_ROOT, Settings, SettingsError, variable_names

# Variables README lists as read by other programs (Airflow) or by the test suite only.
READ_ELSEWHERE = {"AIRFLOW_CONN_NEWSWATCH_SMTP", "AIRFLOW_HOME", "NEWSWATCH_TEST_ES_PORT"}


def readme_configuration_variables() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table_rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_readme_documents_exactly_the_variables_settings_reads():
    assert readme_configuration_variables() == set(variable_names())


def test_no_module_outside_settings_reads_the_environment():
    """Only the documented exceptions touch os.environ: they hand it to a child process or to a library."""
    allowed = {
        "newswatch/core/settings.py",
        "newswatch/enrichment/__init__.py",  # HF_HUB_OFFLINE before transformers loads
        "newswatch/es_node.py",  # the Elasticsearch child process's environment
        "newswatch_lab/demo.py",  # `airflow dags test`'s environment
        "newswatch_lab/api_bench.py",  # the API server's environment
        "scripts/cluster_test.py",  # the cluster's Airflow components' environment
        "scripts/bench_quotes.py",  # one thread for the numeric libraries, before they load
    }
    found = subprocess.run(
        ["grep", "-rln", "--include=*.py", r"os\.environ\|os\.getenv", "newswatch", "newswatch_lab", "extractors", "dags", "scripts"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    ).stdout.split()
    assert set(found) <= allowed, set(found) - allowed


def test_sections_are_typed_and_parsed_once():
    settings = Settings.from_env({
        "ES_URL": "https://es.example.org:9200", "NEWSWATCH_ES_REPLICAS": "1", "NEWSWATCH_FETCH_ALLOW": "127.0.0.1, 10.0.0.0/8",
        "NEWSWATCH_TORCH_THREADS": "2", "NEWSWATCH_API_FULL_TEXT": "yes", "NEWSWATCH_QUOTES_MAX_CHARS": "5000",
        "NEWSWATCH_HOME": "/srv/newswatch", "NEWSWATCH_KIBANA_URL": "https://kibana.example.org",
    })
    assert settings.es.url == "https://es.example.org:9200" and not settings.es.managed and settings.es.replicas == 1
    assert settings.fetch.allow == ("127.0.0.1", "10.0.0.0/8")
    assert settings.models.torch_threads == 2 and settings.api.include_full_text is True
    assert Settings.from_env({"NEWSWATCH_INFERENCE_PRECISION": "FP32"}).models.inference_precision == "fp32"
    assert settings.quotes.max_text_chars == 5000 and settings.digest.kibana_url == "https://kibana.example.org"
    assert str(settings.paths.spool_dir) == "/srv/newswatch/spool"
    defaults = Settings.from_env({})
    assert defaults.es.managed and defaults.es.effective_url == "http://127.0.0.1:9200"
    assert defaults.paths.sources_file == REPO_ROOT / "config" / "sources.yaml"


@pytest.mark.parametrize("name, value, message", [
    ("NEWSWATCH_ES_PORT", "nine", "NEWSWATCH_ES_PORT must be an integer"),
    ("NEWSWATCH_PER_HOST_INTERVAL", "-1", "NEWSWATCH_PER_HOST_INTERVAL must be at least 0"),
    ("NEWSWATCH_API_FULL_TEXT", "perhaps", "NEWSWATCH_API_FULL_TEXT must be true or false"),
    ("NEWSWATCH_TORCH_THREADS", "0", "NEWSWATCH_TORCH_THREADS must be at least 1"),
    ("NEWSWATCH_INFERENCE_PRECISION", "fp8", "NEWSWATCH_INFERENCE_PRECISION must be one of auto, bf16, fp32"),
])
def test_a_bad_value_names_its_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})
