"""Hourly: send the digest of every subscription whose send hour (in its own time zone) is now.

Orchestration only: the plan and each send are functions of the digest package. One mapped
task per due subscription; a send is recorded in the ``digests`` index before and after the
SMTP call, so re-running this DAG run sends nothing more and a failed send fails its task,
whose retries (with exponential back-off) send it exactly once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task

DEFAULT_ARGS = {
    "owner": "newswatch",
    "retries": 4,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def _run_moment() -> datetime:
    """The hour this run stands for: its logical date, or (manual runs without one) when it was due."""
    context = get_current_context()
    return context.get("logical_date") or context["dag_run"].run_after


@dag(
    dag_id="newswatch_digest",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newswatch", "digest"],
    doc_md=__doc__,
)
def newswatch_digest():
    @task
    def due_subscriptions() -> list[dict]:
        from newswatch.digest.subscriptions import due_at, load_config

        return [due.as_dict() for due in due_at(load_config(), _run_moment())]

    @task(execution_timeout=timedelta(minutes=10), map_index_template="{{ digest_label }}")
    def send_digest(job: dict) -> dict:
        from newswatch.core.settings import Settings
        from newswatch.digest.send import send_digest as deliver
        from newswatch.digest.subscriptions import parse_digest_date

        get_current_context()["digest_label"] = f"{job['subscription']} {job['digest_date']}"
        return deliver(Settings.from_env(), job["subscription"], parse_digest_date(job["digest_date"])).as_dict()

    send_digest.expand(job=due_subscriptions())


newswatch_digest()
