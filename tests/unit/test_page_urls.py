"""Page addresses: same origin, where a login may return, callback parameters removed."""

from pyapp.page_urls import safe_return_to, same_origin, same_page, strip_callback_params

PAGE = "https://site.example/app/callback.html"


def test_an_https_page_returns_to_its_own_origin_only() -> None:
    assert safe_return_to("/other.html#x", PAGE) == "https://site.example/other.html#x"
    assert safe_return_to("https://site.example/a", PAGE) == "https://site.example/a"
    assert safe_return_to("http://site.example/a", PAGE) == "https://site.example/app/"


def test_a_refused_return_address_falls_back_to_the_given_page() -> None:
    assert safe_return_to("https://evil.example/", PAGE, fallback=PAGE) == PAGE
    assert safe_return_to(None, PAGE) == "https://site.example/app/"
    assert safe_return_to("/a\\b", PAGE) == "https://site.example/app/"
    assert safe_return_to("http://[x", PAGE) == "https://site.example/app/"


def test_a_return_address_loses_the_callback_parameters_only() -> None:
    back = safe_return_to("/p?x=1&access_code=c0de&denied=true&y=2#h", PAGE)
    assert back == "https://site.example/p?x=1&y=2#h"


def test_callback_parameters_are_removed_and_the_rest_kept() -> None:
    assert strip_callback_params("https://s/cb.html?access_code=c&a=1&b=#t") == "https://s/cb.html?a=1&b=#t"
    assert strip_callback_params("https://s/cb.html?denied=true") == "https://s/cb.html"


def test_same_origin_needs_scheme_host_and_port() -> None:
    assert same_origin("/x", PAGE)
    assert not same_origin("https://site.example:444/x", PAGE)
    assert not same_origin("https://other.example/x", PAGE)
    assert not same_origin("javascript:alert(1)", PAGE)


def test_same_page_ignores_every_fragment() -> None:
    assert same_page("https://a.example/p?x=1#one#two", "https://a.example/p?x=1")
    assert same_page("https://a.example/p#a", "https://a.example/p#b#c")
    assert not same_page("https://a.example/p#a", "https://a.example/q#a")
