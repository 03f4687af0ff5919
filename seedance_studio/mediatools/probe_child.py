"""The probing subprocess: opens one upload with PyAV, decodes its first moments and prints what it found as JSON.

probe.py runs this file as `python -I probe_child.py LIMITS` and writes the one REQUEST to its stdin: one process
per file, never imported: a hostile file that crashes libav, loops in it or makes it allocate without end takes
down this process and nothing else.
Before it opens anything the process caps its own address space and CPU time and forbids itself to write files or
dump core; probe.py adds the wall-clock timeout. It imports only the standard library and av, so that `-I` can keep
PYTHONPATH, the user's site-packages and the working directory out of it.

It reports facts and judges nothing: every refusal and its wording is decided in probe.py.
"""

from __future__ import annotations

import json
import resource
import sys

SETUP_FAILED = 3  # exit status when the probe itself cannot run: the server's problem, not the file's
_MAX_PACKETS = 50_000  # a file of countless empty packets before its first frame is damaged, not slow
_MAX_WARNINGS = 50  # and each cut to _MAX_WARNING_CHARS: the report stays small whatever the file holds
_MAX_WARNING_CHARS = 500
_MAX_STREAMS_REPORTED = 64


def main(argv: list[str]) -> int:
    limits = json.loads(argv[1])
    _limit_self(limits["memory_bytes"], limits["cpu_seconds"])
    try:
        import av  # noqa: F401  (imported under the limits, so even a broken install cannot exhaust the machine)
    except Exception as exc:
        sys.stdout.write(json.dumps({"setup_error": f"PyAV (the av package) cannot be imported: {exc}"}))
        return SETUP_FAILED
    # The request comes on stdin, so the process can be started before the file has arrived (probe.py's
    # start_probe_ahead) and wait here with PyAV loaded. End of input: it was not needed after all.
    line = sys.stdin.readline()
    if not line:
        return 0
    report = _read(json.loads(line))
    report["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(report))
    return 0


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(request: dict) -> dict:
    import av
    import av.logging

    av.logging.set_level(av.logging.WARNING)
    with av.logging.Capture(local=False) as logs:
        report = _open_and_decode(request)
    # Warnings are kept for two facts only (an external track skipped, a protocol refused), and for the logs.
    report["warnings"] = [
        f"[{name}] {message.strip()}"[:_MAX_WARNING_CHARS] for _level, name, message in logs[:_MAX_WARNINGS]
    ]
    return report


def _open_and_decode(request: dict) -> dict:
    import av

    try:
        container = av.open(
            request["url"], format=request["demuxer"], container_options=request["options"], metadata_errors="replace"
        )
    except (av.FFmpegError, OSError, ValueError, UnicodeError, MemoryError) as exc:
        return {"opened": False, "error": f"{type(exc).__name__}: {exc}"}
    with container:
        streams = [_stream_facts(s) for s in container.streams]
        video = next(
            (s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic), None
        )
        audio = next(iter(container.streams.audio), None)
        if request["kind"] != "video":
            video = None
        report = {
            "opened": True,
            "duration_us": container.duration,
            # Keys are names ("title", "creation_time"); ffmpeg prints them unescaped, so one holding a line break
            # can forge lines of ffmpeg's report for any tool downstream that still reads it.
            "metadata_keys_with_control_characters": sum(
                1
                for keys in (container.metadata, *(s.metadata for s in container.streams))
                for key in keys
                if any(ord(c) < 32 or ord(c) == 127 for c in key)
            ),
            "stream_count": len(container.streams),
            "streams": streams[:_MAX_STREAMS_REPORTED],
            "video_index": video.index if video is not None else None,
            "audio_index": audio.index if audio is not None else None,
        }
        report["decoded"] = _decode(
            container, video, audio, max_side=request["max_side"], seconds=request["decode_seconds"]
        )
    return report


def _stream_facts(stream) -> dict:
    context = stream.codec_context  # None when this build has no decoder for the codec
    facts = {"index": stream.index, "type": stream.type, "codec": _codec_name(stream), "decodable": context is not None}
    if stream.type == "video":
        facts.update(
            width=context.width if context else 0,
            height=context.height if context else 0,
            average_rate=_ratio(stream.average_rate),
            base_rate=_ratio(stream.base_rate),
        )
    elif stream.type == "audio" and context is not None:
        facts.update(sample_rate=context.sample_rate, channels=context.layout.nb_channels)
    return facts


def _codec_name(stream) -> str | None:
    context = stream.codec_context
    if context is not None:
        return context.codec.canonical_name  # "mp3", where the decoder's own name is "mp3float"
    return None


def _ratio(value) -> list[int] | None:
    return [value.numerator, value.denominator] if value else None


def _decode(container, video, audio, *, max_side: int, seconds: float) -> dict[str, dict]:
    """Decode the picture's first frame and the sound's first `seconds`, as the old `ffmpeg -frames:v 1 -t 1` did."""
    import av

    wanted = {}
    for stream in (video, audio):
        if stream is None or stream.codec_context is None:
            continue
        context = stream.codec_context
        if stream is video and not (0 < context.width <= max_side and 0 < context.height <= max_side):
            continue  # probe.py refuses it on its size; decoding a huge picture would only spend memory
        context.thread_count = 1  # no decoder threads: less memory, and the limits above stay meaningful
        wanted[stream.index] = stream
    decoded: dict[str, dict] = {str(i): {"frames": 0, "errors": 0, "samples": 0} for i in wanted}
    if not wanted:
        return decoded

    def finished(index: int) -> bool:
        entry, stream = decoded[str(index)], wanted[index]
        if stream is video:
            return entry["frames"] >= 1
        return entry["samples"] >= seconds * (stream.codec_context.sample_rate or 1)

    packets = 0
    try:
        for packet in container.demux(*wanted.values()):
            packets += 1
            index = packet.stream.index
            if packets > _MAX_PACKETS:
                break
            if finished(index) and packet.size:
                if all(finished(i) for i in wanted):
                    break
                continue
            try:
                frames = packet.decode()
            except (av.FFmpegError, ValueError, MemoryError):
                decoded[str(index)]["errors"] += 1
                continue
            for frame in frames:
                _count(decoded[str(index)], frame)
    except (av.FFmpegError, ValueError, MemoryError):
        for entry in decoded.values():  # the demuxer itself gave up: whatever was not decoded by now never will be
            entry["errors"] += 1
    return decoded


def _count(entry: dict, frame) -> None:
    import av

    entry["frames"] += 1
    if isinstance(frame, av.VideoFrame):
        if entry["frames"] == 1:
            entry.update(width=frame.width, height=frame.height, rotation=frame.rotation)
    else:
        entry["samples"] += frame.samples


if __name__ == "__main__":
    sys.exit(main(sys.argv))
