"""What each provider says a finished task cost (`TaskStatus.reported_cost`), from answers shaped like its
document, and from the emulators through the real HTTP layer, next to the studio's own quote."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from seedance_studio.provider_api import ReportedCost, wire
from seedance_studio.provider_api._unified import POINTS_PER_USD
from seedance_studio.seedance.pricing import SEEDANCE2_CREDITS
from tests.provider_api.harness import CALLBACK_URL, WEBHOOK_SECRET, finish
from tests.seedance.builders import image, run, video

# 000:552-594 verbatim (GoAPI's 001:462-504 is the same answer): a pending seedance-2-fast task, 5 s.
UNIFIED_PENDING = {
    "code": 200,
    "data": {
        "task_id": "07ed43de-465d-43b1-b62c-44249b14d818",
        "model": "seedance",
        "task_type": "seedance-2-fast",
        "status": "pending",
        "config": {"service_mode": "", "webhook_config": {"endpoint": "", "secret": ""}},
        "input": {
            "prompt": "A woman sings and strums her guitar",
            "mode": "text_to_video",
            "duration": 5,
            "aspect_ratio": "16:9",
        },
        "output": None,
        "meta": {
            "created_at": "2026-04-05T13:33:26.10346684Z",
            "started_at": "0001-01-01T00:00:00Z",
            "ended_at": "0001-01-01T00:00:00Z",
            "usage": {"type": "point", "frozen": 4000000, "consume": 0},
            "is_using_private_pool": False,
        },
        "detail": None,
        "logs": [],
        "error": {"code": 0, "raw_message": "", "message": "", "detail": None},
    },
    "message": "success",
}


CONSUMED = {"type": "point", "frozen": 0, "consume": 4000000}


def unified_finished(status: str = "completed", usage=CONSUMED) -> dict:
    """The same task finished: video at `data.output.video` (seeds/README.md), the hold turned into a charge."""
    answer = copy.deepcopy(UNIFIED_PENDING)
    task = answer["data"]
    task["status"] = status
    task["meta"].update(started_at="2026-04-05T13:34:00Z", ended_at="2026-04-05T13:36:10Z", usage=copy.deepcopy(usage))
    if status == "completed":
        task["output"] = {"video": "https://img.theapi.app/ephemeral/0b5c7f0e.mp4"}
    else:
        task["error"] = {"code": 10000, "raw_message": "upstream error", "message": "task failed", "detail": None}
    return answer


# 002:197-212 verbatim.
SEEDANCE2_COMPLETED = {
    "taskId": "task_abc123",
    "model": "seedance2",
    "status": "COMPLETED",
    "creditsUsed": 200,
    "output": [{"url": "https://static.seedance2-pro.com/videos/result.mp4", "width": 1280, "height": 720}],
    "error": None,
    "createTime": 1711234567890,
    "completeTime": 1711234612345,
}
SEEDANCE2_FAILED = {
    **SEEDANCE2_COMPLETED,
    "status": "FAILED",
    "creditsUsed": 0,
    "output": None,
    "error": "Generation failed",
}

# The object seeds/README.md spells out for EvoLink (004:76-91 lists the same fields); the usage values are
# made up, as the documents name the fields only.
EVOLINK_USAGE = {"billing_rule": "per_second", "credits_reserved": 100, "user_group": "default"}
EVOLINK_COMPLETED = {
    "created": 1761313744,
    "id": "task-unified-1774857405-abc123",
    "model": "seedance-2.0-text-to-video",
    "object": "video.generation.task",
    "progress": 100,
    "status": "completed",
    "task_info": {"can_cancel": False, "estimated_time": 0, "video_duration": 5},
    "type": "video",
    "usage": EVOLINK_USAGE,
    "results": ["https://files.evolink.ai/videos/result.mp4"],
}

# seeds/README.md: HiAPI's task detail, which has no cost field at all.
HIAPI_SUCCESS = {
    "code": 200,
    "message": "success",
    "data": {
        "taskId": "tk-hiapi-0123456789abcdef",
        "model": "seedance-2-0",
        "status": "success",
        "created": 1761313744,
        "completed": 1761313800,
        "output": [{"url": "https://cdn.hiapi.ai/outputs/r.mp4", "type": "video", "expireAt": 1761317400}],
    },
}


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_unified_providers_report_the_points_consumed_by_a_completed_task(provider):
    status = wire(provider).parse_status(unified_finished())

    assert status.state == "succeeded"
    assert status.reported_cost == ReportedCost(Decimal(4000000), f"{provider.upper()}_POINTS")
    assert status.reported_cost.raw == {"type": "point", "frozen": 0, "consume": 4000000}
    # 5 s of seedance-2-fast at 480p is $0.40 by the price table (000:286, 001:273).
    assert status.reported_cost.amount / POINTS_PER_USD == Decimal("0.40")


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_the_documents_pending_example_reports_no_cost_its_frozen_points_are_a_hold(provider):
    status = wire(provider).parse_status(UNIFIED_PENDING)

    assert status.state == "queued"
    assert status.reported_cost is None


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_a_failed_unified_task_reports_the_zero_it_consumed(provider):
    status = wire(provider).parse_status(unified_finished("failed", {"type": "point", "frozen": 0, "consume": 0}))

    assert status.state == "failed"
    assert status.reported_cost.amount == 0


def test_seedance2_reports_credits_used_in_the_unit_the_studio_quotes_it_in():
    status = wire("seedance2").parse_status(SEEDANCE2_COMPLETED)

    assert status.reported_cost == ReportedCost(Decimal(200), SEEDANCE2_CREDITS)
    assert status.reported_cost.raw == {"creditsUsed": 200}
    assert run("seedance2").quote.currency == status.reported_cost.unit


def test_seedance2_reports_the_credits_of_a_failed_task_and_none_while_it_runs():
    running = {**SEEDANCE2_COMPLETED, "status": "PROCESSING", "output": None, "creditsUsed": 0}

    assert wire("seedance2").parse_status(SEEDANCE2_FAILED).reported_cost.amount == 0
    assert wire("seedance2").parse_status(running).reported_cost is None


def test_evolink_reports_the_credits_reserved_for_a_completed_task():
    status = wire("evolink").parse_status(EVOLINK_COMPLETED)

    assert status.state == "succeeded"
    assert status.reported_cost == ReportedCost(Decimal(100), "EVOLINK_CREDITS")
    assert status.reported_cost.raw == EVOLINK_USAGE


@pytest.mark.parametrize("status", ("pending", "processing", "failed", "cancelled"))
def test_evolink_reports_no_cost_before_completion_or_for_a_failure(status):
    answer = {
        **EVOLINK_COMPLETED,
        "status": status,
        "progress": 0,
        "error": {"code": "generation_failed_no_content", "message": "no output"},
    }
    del answer["results"]

    assert wire("evolink").parse_status(answer).reported_cost is None


def test_hiapi_documents_no_cost():
    status = wire("hiapi").parse_status(HIAPI_SUCCESS)

    assert status.state == "succeeded"
    assert status.reported_cost is None


def _unified_usage(value):
    return unified_finished(usage=value)


def _unified_without_meta():
    answer = unified_finished()
    del answer["data"]["meta"]
    return answer


def _evolink_usage(value):
    return {**EVOLINK_COMPLETED, "usage": value}


def _evolink_without_usage():
    return {k: v for k, v in EVOLINK_COMPLETED.items() if k != "usage"}


UNREADABLE = [
    ("piapi", _unified_without_meta()),
    ("piapi", _unified_usage(None)),
    ("piapi", _unified_usage("4000000")),
    ("piapi", _unified_usage({"type": "point", "frozen": 0})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": "lots"})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": -5})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": True})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": float("nan")})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": float("inf")})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": [4000000]})),
    ("piapi", _unified_usage({"type": "point", "frozen": 0, "consume": "4e6"})),
    ("goapi", _unified_usage({"type": "quota", "frozen": 0, "consume": 1})),  # a unit the documents never show
    ("goapi", _unified_usage({"frozen": 0, "consume": 4000000})),
    ("seedance2", {k: v for k, v in SEEDANCE2_COMPLETED.items() if k != "creditsUsed"}),
    ("seedance2", {**SEEDANCE2_COMPLETED, "creditsUsed": None}),
    ("seedance2", {**SEEDANCE2_COMPLETED, "creditsUsed": "200 credits"}),
    ("seedance2", {**SEEDANCE2_COMPLETED, "creditsUsed": {"amount": 200}}),
    ("seedance2", {**SEEDANCE2_COMPLETED, "creditsUsed": "-200"}),
    ("evolink", _evolink_without_usage()),
    ("evolink", _evolink_usage(None)),
    ("evolink", _evolink_usage([100])),
    ("evolink", _evolink_usage({**EVOLINK_USAGE, "credits_reserved": "NaN"})),
    ("evolink", _evolink_usage({**EVOLINK_USAGE, "credits_reserved": "1_000"})),
]


@pytest.mark.parametrize(("provider", "answer"), UNREADABLE)
def test_an_absent_or_unreadable_cost_is_none_and_never_fails_the_finished_task(provider, answer):
    status = wire(provider).parse_status(answer)

    assert status.state == "succeeded"
    assert status.video is not None
    assert status.reported_cost is None


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        (4000000, Decimal(4000000)),
        ("4000000", Decimal(4000000)),
        (" 12.50 ", Decimal("12.50")),
        (0.1, Decimal("0.1")),  # the literal the provider wrote, not 0.1000000000000000055511151231257827...
        (12345678901234567890, Decimal(12345678901234567890)),
    ],
)
def test_a_reported_amount_is_exact(sent, read):
    amount = wire("seedance2").parse_status({**SEEDANCE2_COMPLETED, "creditsUsed": sent}).reported_cost.amount

    assert isinstance(amount, Decimal)
    assert amount == read
    assert str(amount) == str(read)


def test_a_json_number_with_a_fraction_stays_the_written_decimal():
    answer = json.loads(json.dumps(SEEDANCE2_COMPLETED).replace('"creditsUsed": 200', '"creditsUsed": 200.35'))

    assert wire("seedance2").parse_status(answer).reported_cost.amount == Decimal("200.35")


@pytest.mark.parametrize("provider", ("piapi", "goapi"))
def test_a_trusted_callback_carries_the_cost(provider, connect, emulators):
    client = connect(provider)
    client.create(run(provider).request_body, callback_url=CALLBACK_URL)
    finish(emulators)
    (callback,) = emulators.outbox
    assert callback.headers["x-webhook-secret"] == WEBHOOK_SECRET

    hint = client.callback(callback.headers, callback.body)

    assert hint.trusted
    assert hint.status.reported_cost.amount == Decimal(5_000_000)  # 5 s x $0.10 (000:283, 001:272)


# Through the emulators and the real HTTP layer, next to the quote the studio made for the same request.
@pytest.mark.parametrize(
    "evaluation",
    [
        pytest.param(run("seedance2"), id="5s"),
        pytest.param(run("seedance2", tier="seedance2-fast", duration=10), id="fast-10s"),
        pytest.param(run("seedance2", extras={"upscale": "2k"}), id="2k-upscale"),
        pytest.param(
            run("seedance2", image("x"), video("v"), mode="omni_reference", duration=10, extras={"upscale": "4k"}),
            id="reference-video-4k",
        ),
    ],
)
def test_seedance2_reports_exactly_what_the_studio_quoted(evaluation, connect, emulators):
    client = connect("seedance2")
    task_id = client.create(evaluation.request_body)
    finish(emulators)

    cost = client.status(task_id).reported_cost

    assert (cost.amount, cost.unit) == (evaluation.quote.amount, evaluation.quote.currency)


@pytest.mark.parametrize(
    ("provider", "evaluation"),
    [
        pytest.param("piapi", run("piapi"), id="piapi-seedance-2-480p"),
        pytest.param(
            "piapi", run("piapi", tier="seedance-2-fast", resolution="720p", duration=8), id="piapi-fast-720p"
        ),
        pytest.param("piapi", run("piapi", tier="seedance-2-mini", duration=6), id="piapi-mini"),
        pytest.param("goapi", run("goapi", tier="seedance-2-fast", duration=6), id="goapi-fast"),
    ],
)
def test_unified_points_convert_to_the_studios_usd_quote(provider, evaluation, connect, emulators):
    client = connect(provider)
    task_id = client.create(evaluation.request_body)
    finish(emulators)

    cost = client.status(task_id).reported_cost

    assert cost.unit == f"{provider.upper()}_POINTS"
    assert cost.amount / POINTS_PER_USD == evaluation.quote.amount


def test_evolink_reports_the_emulated_reservation(connect, emulators):
    client = connect("evolink")
    task_id = client.create(run("evolink", tier="fast", resolution="480p", duration=6).request_body)
    assert client.status(task_id).reported_cost is None  # pending: reserved, not yet charged
    finish(emulators)

    cost = client.status(task_id).reported_cost

    assert (cost.amount, cost.unit) == (Decimal(48), "EVOLINK_CREDITS")  # 6 s x 8 credits
    assert set(cost.raw) == {"billing_rule", "credits_reserved", "user_group"}


@pytest.mark.parametrize("provider", ("piapi", "goapi", "seedance2"))
def test_a_moderated_task_reports_a_refund(provider, connect, emulators):
    client = connect(provider)
    task_id = client.create(run(provider, prompt="A red carpet [[moderation]]").request_body)
    finish(emulators)

    status = client.status(task_id)

    assert status.moderation
    assert status.reported_cost.amount == 0


def test_hiapi_reports_no_cost_through_the_emulator(connect, emulators):
    client = connect("hiapi")
    task_id = client.create(run("hiapi").request_body)
    finish(emulators)

    status = client.status(task_id)

    assert status.state == "succeeded"
    assert status.reported_cost is None
