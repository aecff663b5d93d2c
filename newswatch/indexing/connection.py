"""The Elasticsearch client, built from the Elasticsearch settings (ES_URL or ES_CLOUD_ID, API key or user/password)."""
from __future__ import annotations

from elasticsearch import ApiError, Elasticsearch, TransportError

from newswatch.core.settings import ElasticsearchSettings


def es_client(es: ElasticsearchSettings) -> Elasticsearch:
    """A client over every configured node: a request that fails on one node is retried on the next.

    The client's node pool marks a node that refused a connection or timed out as dead for a while
    and sends the retry to another; with at least as many retries as nodes, one live node suffices.
    """
    auth: dict = {}
    if es.api_key:
        auth["api_key"] = es.api_key
    elif es.username:
        auth["basic_auth"] = (es.username, es.password or "")
    target: dict = {"cloud_id": es.cloud_id} if es.cloud_id else {"hosts": list(es.node_urls)}
    return Elasticsearch(
        **target,
        request_timeout=es.request_timeout,
        retry_on_timeout=True,
        max_retries=max(2, len(es.node_urls)),
        **auth,
    )


def cluster_reachable(client: Elasticsearch) -> bool:
    """Whether any node answers at all. An answer that refuses (a key without the cluster privilege)
    still counts; the client's ``ping`` would not do: the test distribution has no ``GET /``."""
    try:
        client.cluster.health()
    except ApiError:
        return True
    except TransportError:
        return False
    return True
