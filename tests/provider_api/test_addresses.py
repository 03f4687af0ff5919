"""Which addresses are public: one answer for result downloads and for the studio's own PUBLIC_BASE_URL check."""

from __future__ import annotations

import pytest

from seedance_studio.provider_api import is_public_url


@pytest.mark.parametrize(
    "url, public",
    [
        ("https://studio.example.com", True),
        ("https://93.184.215.14/", True),
        ("https://[2606:4700::6810:85e5]/", True),
        ("http://localhost:8000", False),
        ("http://studio.localhost", False),
        ("http://nas.local", False),
        ("http://api.internal", False),
        ("http://studio", False),  # a single label resolves only on a private network
        ("http://127.0.0.1:8000", False),
        ("http://10.1.2.3", False),
        ("http://192.168.1.20", False),
        ("http://169.254.169.254", False),  # link-local (cloud metadata)
        ("http://[::1]:8000", False),
        ("http://[::ffff:10.0.0.1]/", False),  # an IPv6-mapped private address
        ("http://100.64.0.1", False),  # shared address space: not public
        ("", False),
        ("not a url", False),
    ],
)
def test_it_tells_a_public_url_from_one_only_a_private_network_reaches(url, public):
    assert is_public_url(url) is public
