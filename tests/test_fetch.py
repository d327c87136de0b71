"""The safe fetcher against a real HTTP server on 127.0.0.1, opened only by the allow-list."""

import asyncio

import pytest

from bot.web.addresses import is_blocked, literal_address, parse_allowlist
from bot.web.errors import FetchError
from bot.web.fetch import FetchPolicy, SafeFetcher
from tests.httpserver import FakeResolver, lying_length_server

CAP = 256 * 1024


def policy(server, allow="127.0.0.1", **changes) -> FetchPolicy:
    values = dict(allowlist=parse_allowlist(allow), ports=frozenset({80, 443, server.port}),
                  max_bytes=CAP, timeout=3.0, read_timeout=2.0)
    values.update(changes)
    return FetchPolicy(**values)


def fetch(url, fetch_policy, resolver=None):
    async def go():
        async with SafeFetcher(fetch_policy, resolver) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def fails(url, fetch_policy, resolver=None) -> FetchError:
    with pytest.raises(FetchError) as error:
        fetch(url, fetch_policy, resolver)
    return error.value


def test_allowlisted_local_page_is_fetched(server):
    page = fetch(server.url("/article"), policy(server))
    assert page.content_type == "text/html" and "Nova Marina" in page.text


def test_nothing_local_is_open_by_default(server):
    before = server.hits["/article"]
    error = fails(server.url("/article"), policy(server, allow=""))
    assert error.cause == "blocked" and server.hits["/article"] == before


@pytest.mark.parametrize("host", [
    "127.0.0.1", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]", "169.254.169.254", "100.64.0.1",
    "10.0.0.1", "192.168.1.1", "2130706433", "127.1", "0x7f.0.0.1", "[fe80::1]", "[fc00::1]",
    "[2002:7f00:1::]", "224.0.0.1", "192.0.2.10",
])
def test_blocked_literal_addresses(server, host):
    error = fails(f"http://{host}:{server.port}/article", policy(server, allow=""))
    assert error.cause == "blocked"


def test_name_resolving_to_a_private_address_is_refused_before_connecting(server):
    resolver = FakeResolver({"intranet.test": ["127.0.0.1"]})
    before = server.hits["/article"]
    error = fails(f"http://intranet.test:{server.port}/article", policy(server, allow=""), resolver)
    assert error.cause == "blocked" and server.hits["/article"] == before


def test_name_with_one_public_and_one_private_address_is_refused(server):
    resolver = FakeResolver({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    assert fails("http://mixed.test/article", policy(server), resolver).cause == "blocked"


def test_redirect_to_a_blocked_address_is_refused(server):
    assert fails(server.url("/to-metadata"), policy(server)).cause == "blocked"


def test_redirect_to_a_name_that_resolves_privately_is_refused(server):
    resolver = FakeResolver({"intranet.test": ["10.1.2.3"]})
    assert fails(server.url("/to-private-name"), policy(server), resolver).cause == "blocked"


def test_three_redirects_are_followed_four_are_too_many(server):
    assert "Nova Marina" in fetch(server.url("/chain/2"), policy(server)).text  # 3 redirects
    assert fails(server.url("/chain/3"), policy(server)).cause == "too_many_redirects"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "data:text/html,<p>hi</p>",
                                 "javascript:alert(1)", "http:///nohost", "not a url",
                                 "http://exa mple.com/"])
def test_other_schemes_and_bad_urls(server, url):
    assert fails(url, policy(server)).cause == "bad_url"


def test_port_outside_the_allowed_ones(server):
    assert fails("https://example.com:8443/", policy(server)).cause == "blocked_port"


def test_chunked_body_over_the_cap(server):
    assert fails(server.url("/big-chunked"), policy(server)).cause == "too_large"


def test_declared_length_over_the_cap_is_refused_before_reading(server):
    assert fails(server.url("/big-declared"), policy(server)).cause == "too_large"


def test_lying_content_length_is_a_malformed_response(server):
    listener, port = lying_length_server(declared=2000, actual=5 * CAP)
    try:
        error = fails(f"http://127.0.0.1:{port}/", policy(server, ports=frozenset({port})))
        assert error.cause == "bad_response"
    finally:
        listener.close()


def test_gzip_bomb_stops_at_the_cap(server):
    error = fails(server.url("/bomb"), policy(server))
    assert error.cause == "too_large" and "decompressed" in str(error)


def test_a_server_that_drips_hits_the_total_timeout(server):
    error = fails(server.url("/drip"), policy(server, timeout=1.0))
    assert error.cause == "timeout"


@pytest.mark.parametrize("path", ["/pdf", "/zip"])
def test_non_html_content_types(server, path):
    assert fails(server.url(path), policy(server)).cause == "not_article"


def test_http_error_status(server):
    error = fails(server.url("/missing"), policy(server))
    assert error.cause == "http_status" and "404" in str(error)


def test_windows_1256_page_without_charset_is_decoded(server):
    page = fetch(server.url("/cp1256"), policy(server))
    assert "نوفا مارينا" in page.text and page.charset.replace("_", "").endswith("1256")


def test_address_policy_covers_embedded_ipv4_forms():
    for text in ("::ffff:10.0.0.1", "::10.0.0.1", "2002:a00:1::", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:f5ff:fffe"):
        assert is_blocked(literal_address(text)), text
    assert not is_blocked(literal_address("8.8.8.8"))
    assert not is_blocked(literal_address("127.0.0.1"), parse_allowlist("127.0.0.0/8"))
    with pytest.raises(ValueError, match="not an IP"):
        parse_allowlist("127.0.0.1, intranet")
