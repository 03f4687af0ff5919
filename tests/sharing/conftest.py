import pytest

from tests.sharing.videos import finished_job, make_share_media

PUBLIC = "https://studio.example.com"


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture(scope="session")
def share_media(tmp_path_factory):
    return make_share_media(tmp_path_factory.mktemp("share-media"))


@pytest.fixture
def done(owner, share_media):
    return finished_job(owner, share_media)
