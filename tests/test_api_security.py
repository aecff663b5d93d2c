"""Keys, scopes, read-only routes, rate limits and hostile inputs of the query API."""
from __future__ import annotations

import json

import pytest
from test_api_fixtures import api_world, make_config  # noqa: F401  (api_world is a fixture)

from newswatch.cli import main as newswatch_main
from newswatch.query_api.es_key import read_only_key_request
from newswatch.query_api.keys import KeyStoreError, hash_secret, split_key
from newswatch.query_api.ratelimit import TokenBucketLimiter

ROUTES = [
    "/v1/articles",
    "/v1/articles/semantic?q=consent",
    "/v1/quotes",
    "/v1/stats/stance",
    "/v1/stats/top/speakers",
    "/v1/export/articles",
]


# ---- pure parts ------------------------------------------------------------------------


def test_malformed_keys_are_rejected_before_any_lookup():
    good = "nwk_0123456789abcdef_" + "A" * 43
    assert split_key(good) == ("0123456789abcdef", "A" * 43)
    for bad in ["", "nwk", "nwk_0123_" + "A" * 43, "xyz_0123456789abcdef_" + "A" * 43, good + "A",
                "nwk_0123456789ABCDEF_" + "A" * 43, good.replace("A", "!", 1), "nwk_0123456789abcdef_" + "é" * 43]:
        assert split_key(bad) is None, bad


def test_hash_depends_on_salt_and_never_contains_the_secret():
    secret = "s3cret-value-that-is-long-enough-xxxxxxxxxxx"
    first, second = hash_secret(secret, "00" * 16), hash_secret(secret, "11" * 16)
    assert first != second and len(first) == 64 and secret not in first


def test_token_bucket_allows_a_burst_then_refills_at_the_configured_rate():
    now = [0.0]
    limiter = TokenBucketLimiter(rate_per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("k") == pytest.approx(1.0)
    assert limiter.acquire("other") == 0.0  # buckets are per key
    now[0] = 1.0
    assert limiter.acquire("k") == 0.0


def test_es_key_request_grants_only_read_on_the_public_indices_and_key_hashes():
    body = read_only_key_request("newswatch", expiration="30d")
    (role,) = body["role_descriptors"].values()
    assert role["cluster"] == []
    granted = {name: entry["privileges"] for entry in role["indices"] for name in entry["names"]}
    assert granted == {"newswatch-articles": ["read"], "newswatch-quotes": ["read"], "newswatch-api_keys": ["read"]}
    assert all(not entry["allow_restricted_indices"] for entry in role["indices"])
    assert body["expiration"] == "30d"
    assert "expiration" not in read_only_key_request("newswatch", expiration=None)
    with pytest.raises(ValueError):
        read_only_key_request("newswatch", expiration="forever")


def test_openapi_describes_read_routes_and_the_editors_correction_routes_with_the_key_scheme(api_world):
    spec = api_world.http().get("/openapi.json").json()
    methods = {path: set(operations) for path, operations in spec["paths"].items()}
    assert methods == {
        **{path: {"get"} for path in ("/v1/articles", "/v1/articles/semantic", "/v1/quotes", "/v1/stats/stance",
                                      "/v1/stats/top/{facet}", "/v1/export/{index}")},
        "/v1/corrections/stance": {"post"}, "/v1/corrections/speaker": {"post"},
    }
    assert spec["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "Group key issued with `newswatch api keys create`",
    }


# ---- authentication --------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_no_key_wrong_key_and_malformed_key_get_401(api_world, route):
    real = api_world.key()
    key_id = split_key(real)[0]
    wrong_secret = f"nwk_{key_id}_{'B' * 43}"
    unknown_id = f"nwk_{'f' * 16}_{'B' * 43}"
    for headers in ({}, {"X-API-Key": wrong_secret}, {"X-API-Key": unknown_id}, {"X-API-Key": "x" * 10_000},
                    {"Authorization": f"Bearer {real}"}):
        response = api_world.http().get(route, headers=headers)
        assert response.status_code == 401, (headers.keys(), response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "ApiKey"
    assert api_world.http(key=real).get(route).status_code == 200


def test_a_revoked_key_gets_401(api_world):
    key = api_world.key()
    http = api_world.http(key=key)
    assert http.get("/v1/articles").status_code == 200
    assert api_world.store.revoke(split_key(key)[0]) is True
    assert http.get("/v1/articles").status_code == 401
    assert api_world.store.revoke("0" * 16) is False


def test_revocation_is_seen_after_the_key_cache_expires(api_world):
    now = [0.0]
    key = api_world.key()
    http = api_world.http(make_config(key_cache_seconds=30), key=key, clock=lambda: now[0])
    assert http.get("/v1/quotes").status_code == 200
    api_world.store.revoke(split_key(key)[0])
    now[0] = 31.0
    assert http.get("/v1/quotes").status_code == 401


def test_stored_key_document_holds_no_secret(api_world):
    key = api_world.key("hashes")
    key_id, secret = split_key(key)
    stored = api_world.client.get(index=api_world.store.index, id=key_id)["_source"]
    assert secret not in json.dumps(stored)
    assert stored["secret_hash"] == hash_secret(secret, stored["salt"])
    assert stored["group"] == "hashes" and stored["revoked"] is False


def test_keys_cannot_be_granted_internal_indices_or_odd_groups(api_world):
    with pytest.raises(KeyStoreError):
        api_world.store.create("group", ("articles", "failures"))
    with pytest.raises(KeyStoreError):
        api_world.store.create("bad group name!")


def test_cli_creates_a_working_key_once_and_revokes_it(api_world, monkeypatch, capsys):
    monkeypatch.setenv("ES_URL", api_world.settings.es.effective_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", api_world.settings.es.index_prefix)
    assert newswatch_main(["api", "keys", "create", "--group", "artists-union", "--indices", "quotes"]) == 0
    printed = dict(line.split(":", 1) for line in capsys.readouterr().out.strip().splitlines())
    key, key_id = printed["key"].strip(), printed["key id"].strip()
    http = api_world.http(key=key)
    assert http.get("/v1/quotes").status_code == 200
    assert http.get("/v1/articles").status_code == 403  # this group was granted quotes only
    assert newswatch_main(["api", "keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and "salt" not in listing and "secret_hash" not in listing
    assert newswatch_main(["api", "keys", "revoke", key_id]) == 0
    assert http.get("/v1/quotes").status_code == 401


def test_es_key_dry_run_prints_the_request_body(monkeypatch, capsys):
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", "prod")
    assert newswatch_main(["api", "es-key", "create", "--dry-run", "--expiration", "7d"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body == read_only_key_request("prod", expiration="7d")


# ---- read-only, public indices only ----------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/failures", "/v1/runs", "/v1/sources", "/v1/api_keys", "/v1/_search",
                                  "/newswatch-failures/_search", "/v1/articles/_doc/1", "/_cat/indices"])
def test_internal_indices_have_no_route(api_world, path):
    response = api_world.http(key=api_world.key()).get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/v1/export/failures", "/v1/export/api_keys", "/v1/stats/top/error_type"])
def test_internal_indices_cannot_be_named_as_parameters(api_world, path):
    assert api_world.http(key=api_world.key()).get(path).status_code == 422
    stats = api_world.http(key=api_world.key()).get("/v1/stats/stance", params={"index": "failures"})
    assert stats.status_code == 422


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/quotes", "/v1/export/articles"])
def test_writes_are_not_allowed(api_world, method, path):
    http = api_world.http(key=api_world.key())
    before = api_world.client.count(index=f"{api_world.settings.es.index_prefix}-articles")["count"]
    response = http.request(method, path, json={"title": "injected", "url": "x"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert api_world.client.count(index=f"{api_world.settings.es.index_prefix}-articles")["count"] == before


def test_query_syntax_cannot_reach_internal_documents(api_world):
    api_world.key("needle-group")
    http = api_world.http(key=api_world.key())
    for q in ["_index:*api_keys*", "group:needle-group", "needle-group", "secret_hash:*", "*"]:
        response = http.get("/v1/articles", params={"q": q, "size": 50})
        assert response.status_code in (200, 422)
        assert "needle-group" not in response.text and "secret_hash" not in response.text


# ---- rate limit ------------------------------------------------------------------------


def test_rate_limit_returns_429_with_retry_after_per_key(api_world):
    now = [0.0]
    http = api_world.http(make_config(rate_per_minute=30, rate_burst=3), clock=lambda: now[0])
    key, other = api_world.key(), api_world.key()
    statuses = [http.get("/v1/quotes", headers={"X-API-Key": key}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = http.get("/v1/quotes", headers={"X-API-Key": key})
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "2"
    assert http.get("/v1/quotes", headers={"X-API-Key": other}).status_code == 200
    now[0] = 2.0
    assert http.get("/v1/quotes", headers={"X-API-Key": key}).status_code == 200


# ---- hostile inputs --------------------------------------------------------------------

TEN_KB = "a" * 10_240
NESTED = "(" * 500 + "consent" + ")" * 500


@pytest.mark.parametrize(
    "route, params",
    [
        ("/v1/articles", {"q": TEN_KB}),
        ("/v1/articles", {"speaker": TEN_KB}),
        ("/v1/quotes", {"organization": "x" * 201}),
        ("/v1/articles", {"q": NESTED}),
        ("/v1/articles/semantic", {"q": NESTED}),
        ("/v1/articles", {"from": "2025-02-30"}),
        ("/v1/articles", {"to": "yesterday"}),
        ("/v1/articles", {"from": "0001-01-01"}),
        ("/v1/quotes", {"from": "99999-01-01"}),
        ("/v1/stats/stance", {"from": "2025-01-01T25:00:00"}),
        ("/v1/articles", {"q": "nul\x00byte"}),
        ("/v1/articles", {"target": "ai training; DROP"}),
        ("/v1/articles", {"label": "furious"}),
        ("/v1/articles", {"size": "-1"}),
        ("/v1/articles", {"size": "1e9"}),
        ("/v1/articles", {"min_relevance": "NaN"}),
        ("/v1/articles", {"min_relevance": "2"}),
        ("/v1/articles", {"source": [f"s{i}" for i in range(21)]}),
        ("/v1/articles", {"query": json.dumps({"bool": {"must": [{"match_all": {}}]}})}),
        ("/v1/articles", {"q[bool][must][0][match_all]": "1"}),
        ("/v1/articles", {"cursor": "not-a-cursor"}),
        ("/v1/articles", {"cursor": "é" * 50}),
        ("/v1/stats/stance", {"interval": "1ms"}),
        ("/v1/stats/top/speakers", {"size": "100000"}),
        ("/v1/export/articles", {"format": "xlsx"}),
        ("/v1/export/articles", {"limit": "0"}),
    ],
)
def test_hostile_inputs_get_a_clear_4xx_without_internals(api_world, route, params):
    response = api_world.http(key=api_world.key()).get(route, params=params)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()["error"]
    assert body["status"] == response.status_code and body["message"]
    assert "Traceback" not in response.text and "elasticsearch" not in response.text.lower()
    assert TEN_KB not in response.text  # inputs are not echoed back


@pytest.mark.parametrize(
    "q",
    ['*?', 'consent* -', 'a | b', 'NOT NOT NOT', "((((((((consent))))))))", "ü ñ 日本 ☃", "%ff%fe", '"opt out" -terms'],
)
def test_simple_query_syntax_is_searched_safely(api_world, q):
    """Simple query syntax cannot fail: odd input is a valid (maybe empty) search, never a 5xx."""
    response = api_world.http(key=api_world.key()).get("/v1/articles", params={"q": q})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


@pytest.mark.parametrize(
    "q",
    ['title:(ai OR art) AND _index:failures', '{"query": {"match_all": {}}}', 'a" AND (b', '\\', '~2 ^3 ][ }{ /regex/',
     '"', "consent)", "a && b", "a || b", "|||", "!important", "date:[2020 TO 2030]"],
)
def test_other_query_syntax_gets_a_clear_4xx(api_world, q):
    response = api_world.http(key=api_world.key()).get("/v1/articles", params={"q": q})
    assert response.status_code == 422, response.text
    problem = response.json()["error"]["details"][0]
    assert problem["field"] == "q"
    assert "not supported" in problem["problem"] or "unbalanced" in problem["problem"]


def test_a_deeply_nested_json_body_is_refused_not_parsed(api_world):
    body = "[" * 100_000 + "]" * 100_000
    response = api_world.http(key=api_world.key()).post("/v1/articles", content=body,
                                                        headers={"content-type": "application/json"})
    assert response.status_code == 405


def test_an_unreachable_cluster_gives_503_not_500(api_world):

    from newswatch.indexing.connection import es_client

    dead = es_client(api_world.settings.with_es(url="http://127.0.0.1:9").es)
    http = api_world.http(client=dead, key=api_world.key())
    response = http.get("/v1/articles")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable" and response.headers["retry-after"] == "5"


def test_limits_come_from_the_environment_and_bad_values_fail_clearly(monkeypatch):
    from newswatch.core.settings import Settings

    monkeypatch.setenv("NEWSWATCH_API_MAX_PAGE_SIZE", "40")
    monkeypatch.setenv("NEWSWATCH_API_RATE_PER_MINUTE", "12.5")
    monkeypatch.setenv("NEWSWATCH_API_FULL_TEXT", "yes")
    monkeypatch.setenv("NEWSWATCH_API_CURSOR_SECRET", "shared")
    config = Settings.from_env().api
    assert (config.max_page_size, config.rate_per_minute, config.include_full_text, config.cursor_secret) == (
        40, 12.5, True, "shared")
    monkeypatch.setenv("NEWSWATCH_API_EXPORT_CAP", "lots")
    with pytest.raises(ValueError, match="NEWSWATCH_API_EXPORT_CAP"):
        Settings.from_env().api


@pytest.mark.fault
def test_a_key_for_articles_only_never_receives_quotes(api_world):
    """Fault (issue 18, case 5): include_quotes and semantic search must not reach the quotes index."""
    articles_only = api_world.http(key=api_world.key(indices=("articles",)))
    both = api_world.http(key=api_world.key())
    assert articles_only.get("/v1/quotes").status_code == 403
    with_quotes = both.get("/v1/articles", params={"include_quotes": "true", "size": 50}).json()["items"]
    assert any(item["quotes"] for item in with_quotes)  # the data has quotes to leak
    for path, params in (("/v1/articles", {"include_quotes": "true", "size": 50}), ("/v1/articles/semantic", {"q": "consent for training"})):
        response = articles_only.get(path, params=params)
        assert response.status_code == 200
        assert all(not item["quotes"] for item in response.json()["items"]), path


@pytest.mark.fault
def test_guessing_keys_is_rate_limited_per_client_before_any_lookup(api_world, monkeypatch):
    """Fault (issue 18, case 6): unknown keys each cost a lookup and were never limited."""
    from newswatch.query_api.keys import ApiKeyStore

    lookups = []
    original = ApiKeyStore.fetch
    monkeypatch.setattr(ApiKeyStore, "fetch", lambda self, key_id: lookups.append(key_id) or original(self, key_id))
    http = api_world.http(clock=lambda: 0.0)  # frozen: no allowance comes back however slow the machine is
    codes = [http.get("/v1/articles", headers={"X-API-Key": f"nwk_{n:016x}_{'s' * 43}"}).status_code for n in range(40)]
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}
    assert len(lookups) <= 20
