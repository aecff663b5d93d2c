"""Manual: re-extract (from the stored HTML) or re-enrich the articles of a date range,
after an extractor or model upgrade. Ids are stable, so documents are replaced, never duplicated.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

DEFAULT_ARGS = {
    "owner": "newswatch",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
}


@dag(
    dag_id="newswatch_reprocess",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["newswatch"],
    doc_md=__doc__,
    params={
        "start": Param("2026-01-01", type="string", format="date", description="first day (inclusive)"),
        "end": Param("2026-12-31", type="string", format="date", description="last day (inclusive)"),
        "mode": Param("enrich", enum=["extract", "enrich"], description="extract = re-extract from stored HTML, then enrich"),
        "source_ids": Param([], type="array", description="limit to these sources (empty = all)"),
    },
)
def newswatch_reprocess():
    @task
    def plan() -> list[list[str]]:
        from newswatch import pipeline
        from newswatch.core.settings import Settings

        params = get_current_context()["params"]
        return pipeline.plan_reprocess(Settings.from_env(), params["start"], params["end"], params["source_ids"])

    @task(execution_timeout=timedelta(minutes=30))
    def reprocess(article_ids: list[str]) -> dict:
        from newswatch import pipeline
        from newswatch.core.settings import Settings

        context = get_current_context()
        return pipeline.reprocess_batch(Settings.from_env(), article_ids, context["params"]["mode"], context["run_id"])

    reprocess.expand(article_ids=plan())


newswatch_reprocess()
