"""One log line per job transition, with the job, provider and task, never a key or a signed URL; and the same
lines as JSON objects for log collectors (LOG_FORMAT=json)."""

import json
import logging
import subprocess
import sys

import pytest

from seedance_studio.logs import JsonFormatter
from seedance_studio.studio.models import Job
from tests.conftest import ROOT, worker_environment
from tests.jobs import submitted
from tests.test_remote_jobs import _run_to_end, _submit, emulators  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db


def transitions(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "seedance_studio.jobs"]


def test_it_logs_each_transition_of_a_provider_job_once_without_secrets(owner, emulators, settings, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="seedance_studio.jobs")
    job = _run_to_end(_submit(owner, "piapi"), emulators)
    assert job.status == "succeeded"
    lines = [(r.transition, r.from_status, r.to_status) for r in transitions(caplog)]
    assert lines[0] == ("create_sent", "queued", "queued")
    assert ("task_adopted", "queued", "queued") in lines or ("task_adopted", "running", "running") in lines
    assert lines[-1][1:] == ("running", "succeeded") and lines[-1][0] == "succeeded"
    assert len(lines) == len(set(lines))  # a poll that changed nothing is not a line
    for record in transitions(caplog):
        assert record.job == str(job.public_id) and record.provider == "piapi"
    assert transitions(caplog)[-1].task == job.provider_task_id != ""
    text = caplog.text
    assert settings.PROVIDERS["piapi"].api_key not in text
    assert "http://" not in text and "https://" not in text  # no result link, signed or not
    assert f"job {job.public_id} succeeded: running -> succeeded (provider piapi, task {job.provider_task_id})" in text


def test_it_logs_a_cancel_and_its_refund(owner, caplog):
    caplog.set_level(logging.INFO, logger="seedance_studio.jobs")
    job = submitted(owner)
    assert job.cancel()
    (record,) = transitions(caplog)
    assert (record.transition, record.from_status, record.to_status, record.task) == (
        "cancelled",
        "queued",
        "cancelled",
        "",
    )
    assert Job.objects.get(pk=job.pk).status == "cancelled"


def test_the_json_format_carries_the_fields_and_the_exception():
    record = logging.LogRecord("seedance_studio.jobs", logging.INFO, __file__, 1, "job %s failed", ("abc",), None)
    record.job, record.provider = "abc", "hiapi"
    try:
        raise ValueError("the disk is full")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job abc failed" and line["level"] == "INFO" and line["logger"] == "seedance_studio.jobs"
    assert line["job"] == "abc" and line["provider"] == "hiapi"
    assert "ValueError: the disk is full" in line["exception"] and line["time"].endswith("+00:00")


@pytest.mark.django_db(transaction=True)  # the worker process must see the job and write beside this test
def test_a_worker_with_log_format_json_writes_one_json_object_a_line(owner):
    job = submitted(owner, prompt="A lighthouse at dawn")
    done = subprocess.run(
        [sys.executable, "manage.py", "runworker", "--once"],
        cwd=ROOT,
        env=worker_environment(LOG_FORMAT="json"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # each line parses
    succeeded = [line for line in lines if line.get("transition") == "succeeded"]
    assert len(succeeded) == 1 and succeeded[0]["job"] == str(job.public_id)
    assert succeeded[0]["from_status"] == "running" and succeeded[0]["provider"] == "local_preview"
