"""Every 30 minutes: poll due sources, fetch and extract new items, quotes, enrich, index.

Orchestration only: each task calls one function of newswatch.pipeline.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

ARTICLES_ASSET = Asset(name="newswatch_articles", uri="newswatch://indices/articles")

DEFAULT_ARGS = {
    "owner": "newswatch",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
}


def _settings():
    from newswatch.core.settings import Settings

    return Settings.from_env()


def _run_id() -> str:
    return get_current_context()["run_id"]


@dag(
    dag_id="newswatch_ingest",
    schedule=timedelta(minutes=30),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newswatch"],
    doc_md=__doc__,
)
def newswatch_ingest():
    @task
    def setup_indices() -> list[str]:
        from newswatch import pipeline

        return pipeline.ensure_indices(_settings())

    @task
    def plan_polls(_changes: list[str]) -> list[list[dict]]:
        from newswatch import pipeline

        return pipeline.plan_polls(_settings())

    @task(execution_timeout=timedelta(minutes=10))
    def poll(sources: list[dict]) -> dict:
        from newswatch import pipeline

        return pipeline.poll_batch(_settings(), sources, _run_id())

    @task
    def plan_items(poll_results: list[dict]) -> list[list[dict]]:
        from newswatch import pipeline

        return pipeline.plan_items(_settings(), list(poll_results))

    @task(execution_timeout=timedelta(minutes=20))
    def process(items: list[dict]) -> dict:
        from newswatch import pipeline

        return pipeline.process_batch(_settings(), items, _run_id())

    @task(outlets=[ARTICLES_ASSET], trigger_rule="all_done")
    def report(poll_results: list[dict], batch_results: list[dict]) -> dict:
        from newswatch import pipeline

        context = get_current_context()
        report = pipeline.write_run_report(
            _settings(), "newswatch_ingest", context["run_id"], context["dag_run"].start_date,
            list(poll_results or []), list(batch_results or []),
        )
        try:
            return pipeline.fail_if_degraded(report)
        except pipeline.RunDegraded as exc:
            # No retry: the run's counts are final, so the run fails now rather than after back-offs.
            raise AirflowFailException(str(exc)) from exc

    polled = poll.expand(sources=plan_polls(setup_indices()))
    processed = process.expand(items=plan_items(polled))
    report(polled, processed)


newswatch_ingest()
