import pytest

from tests import media_factory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_says_so_when_too_many_files_arrive_at_once(signed_in_page, media_dir, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    signed_in_page.reload()  # the page says the limit it was served with
    files = [media_factory.make_image(media_dir / f"shot{n}.png", 200, 200) for n in range(3)]
    signed_in_page.set_input_files("#upload-input", [str(path) for path in files])
    problem = signed_in_page.wait_for_selector(".upload-problem")
    assert "too many files at once. Send at most 2 files per upload" in problem.inner_text()
