import pytest

from seedance_studio.provider_api import make_config


@pytest.fixture(autouse=True)
def _piapi_configured(settings):
    """PiAPI is set up (a key and a public studio address), so paid jobs can be submitted; nothing is sent to it
    unless a test runs a worker step against the emulators."""
    settings.PROVIDERS = {"piapi": make_config("piapi", "test-key-piapi")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
