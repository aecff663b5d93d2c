"""Celery configuration for Airflow workers that load Newswatch's models once per worker process.

Airflow's Celery worker runs each task in a child process forked from one of its pool processes, so
a model loaded by a task dies with that task: about 5 s of loading per mapped ``process`` task. With

    AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=newswatch.celery_worker.CELERY_CONFIG

each pool process loads the models when it starts (Celery's ``worker_process_init``), and every task
forked from it inherits them, copy-on-write. Memory: one set of models per pool process
(``[celery] worker_concurrency``). The LocalExecutor offers no such hook: it loads per task.
"""
from __future__ import annotations

import logging

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_process_init

log = logging.getLogger(__name__)

CELERY_CONFIG = dict(DEFAULT_CELERY_CONFIG)


@worker_process_init.connect
def load_models_in_pool_process(**_signal) -> None:
    from newswatch.core.settings import Settings
    from newswatch.pipeline import preload_models

    try:
        preload_models(Settings.from_env())
    except Exception:  # a worker without models still runs tasks: each then loads its own, or records a failure
        log.exception("could not preload the models; tasks will load them themselves")
