"""Daily: fetch every watched terms/policy document, store changed versions with their diff,
and flag changes that touch AI, training, licences granted by users or opt-outs."""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task

TERMS_ASSET = Asset(name="newswatch_terms", uri="newswatch://indices/terms")


@dag(
    dag_id="newswatch_terms",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "newswatch", "retries": 2, "retry_delay": timedelta(minutes=5), "retry_exponential_backoff": True},
    tags=["newswatch"],
    doc_md=__doc__,
)
def newswatch_terms():
    @task(outlets=[TERMS_ASSET], execution_timeout=timedelta(minutes=30))
    def check_terms() -> dict:
        from newswatch.core.settings import Settings
        from newswatch.pipeline import check_terms, ensure_indices

        settings = Settings.from_env()
        ensure_indices(settings)
        return check_terms(settings, get_current_context()["run_id"])

    check_terms()


newswatch_terms()
