"""The emulators on a real local port, as `manage.py run_provider_emulator` serves them."""

from __future__ import annotations

import threading
import time
from wsgiref.simple_server import WSGIServer, make_server

import pytest

from seedance_studio.emulators.server import serve, start, studio_environment
from seedance_studio.provider_api import Http, client_for, make_config
from tests.provider_api.harness import HIAPI_SIGNING_KEY, body_for


@pytest.fixture
def served():
    server, emulators = start("127.0.0.1", 0, hiapi_signing_key=HIAPI_SIGNING_KEY)
    thread = threading.Thread(target=serve, args=(server, emulators), daemon=True)
    thread.start()
    yield server, emulators
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def receiver():
    """A local endpoint that records the callbacks posted to it."""
    received, arrived = [], threading.Event()

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        received.append((headers, environ["wsgi.input"].read(length)))
        arrived.set()
        start_response("204 No Content", [])
        return []

    server = make_server("127.0.0.1", 0, app, server_class=WSGIServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/1", received, arrived
    server.shutdown()
    thread.join(timeout=5)


def test_it_serves_each_provider_under_its_prefix_with_results_on_the_local_cdn(served, tmp_path):
    server, emulators = served
    env = studio_environment(emulators, server.base_url)
    config = make_config(
        "evolink",
        env["EVOLINK_API_KEY"],
        base_url=env["EVOLINK_BASE_URL"],
        allowed_result_hosts=env["EVOLINK_RESULT_HOSTS"].split(","),
        emulated=True,
    )
    http = Http()
    try:
        client = client_for("evolink", config, http=http)
        task_id = client.create(body_for("evolink", prompt="A lighthouse at dawn [[queue=0]] [[run=0.2]]"))
        deadline = time.monotonic() + 5
        while (status := client.status(task_id)).state != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.05)

        kept = client.download(status.video, tmp_path / "r.mp4")
    finally:
        http.close()

    assert status.video.url.startswith(f"{server.base_url}/cdn/evolink/")
    assert kept.path.read_bytes()[4:8] == b"ftyp"
    assert env["EVOLINK_BASE_URL"] == f"{server.base_url}/evolink"
    assert env["PROVIDER_EMULATOR"] == "1"


def test_it_posts_signed_callbacks_to_a_local_studio(served, receiver):
    server, emulators = served
    url, received, arrived = receiver
    config = make_config(
        "hiapi",
        emulators.keys["hiapi"],
        base_url=f"{server.base_url}/hiapi",
        signing_key=HIAPI_SIGNING_KEY,
        emulated=True,
    )
    http = Http()
    try:
        client = client_for("hiapi", config, http=http)
        # The studio never gives HiAPI a plain-http callback URL (003:132); the served emulator accepts one, so
        # the callback goes into the body by hand here, to reach this local http receiver.
        body = body_for("hiapi", prompt="A lighthouse at dawn [[queue=0]] [[run=0.1]]")
        task_id = client.create({**body, "callback": {"url": url, "when": "final"}})
        assert arrived.wait(5), "no callback arrived"
    finally:
        http.close()

    ((headers, body),) = received
    hint = client.callback(headers, body)
    assert hint.trusted and hint.task_id == task_id
    assert hint.status.state == "succeeded"


def test_an_unknown_prefix_says_which_ones_exist(served):
    import httpx

    server, _ = served
    answer = httpx.get(f"{server.base_url}/nope/x")

    assert answer.status_code == 404
    assert "/piapi" in answer.text and "/cdn" in answer.text
