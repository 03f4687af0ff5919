"""Whatever the bytes, the only way out of sniffing and probing is an answer or a MediaRefused."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_studio.mediatools.probe import probe_image, probe_media
from seedance_studio.mediatools.sniff import MediaRefused, detected, sniff

PREFIXES = [
    b"",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR",
    b"RIFF\0\0\0\0WEBPVP8 ",
    b"RIFF\0\0\0\0WAVE",
    b"RIFF\0\0\0\0WAVEfmt ",
    b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0",
    b"ID3\x03\0\0\0\0\0\x10",
    b"\xff\xfb\x90",
    b"\0\0\0\x18ftyp",
    b"\0\0\0\x14ftypqt  ",
    b"#EXTM3U",
    b"ffconcat",
]

fuzzed = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
# Each media probe is a process of its own (about 0.1-0.2 s), so fewer examples, aimed at the headers.
fuzzed_media = settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _answer(content: bytes):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "upload"
        path.write_bytes(content)
        try:
            found = sniff(path)
            if found.kind == "image":
                probe_image(path, found, max_pixels=1_000_000)
        except MediaRefused as refused:
            assert refused.message.endswith(".")


@fuzzed
@given(st.sampled_from(PREFIXES), st.binary(max_size=600))
def test_it_only_ever_answers_or_refuses(prefix, rest):
    _answer(prefix + rest)


@fuzzed
@given(st.binary(min_size=1, max_size=600), st.integers(min_value=0, max_value=599))
def test_it_survives_corrupted_real_headers(noise, at):
    header = (
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91\x68\x36"
        b"\0\0\0\x0cIDATx\x9cc\xf8\x0f\x00\x01\x01\x01\x00\x1b\xb6\xeeV\0\0\0\0IEND\xaeB`\x82"
    )
    content = bytearray(header + bytes(600))
    content[at : at + len(noise)] = noise
    _answer(bytes(content[: len(header) + 600]))


@fuzzed_media
@given(
    name=st.sampled_from(["mov", "bare_mp3", "wav"]),
    noise=st.binary(min_size=1, max_size=64),
    at=st.floats(min_value=0, max_value=1),
)
def test_the_media_probe_only_ever_answers_or_refuses(media, name, noise, at):
    content = bytearray(media[name].read_bytes())
    offset = int(at * (len(content) - 1))
    content[offset : offset + len(noise)] = noise
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "upload"
        path.write_bytes(bytes(content))
        fmt = {"mov": "mov", "bare_mp3": "mp3", "wav": "wav"}[name]
        try:
            facts = probe_media(path, detected(fmt), timeout=20, max_seconds=20)
        except MediaRefused as refused:
            assert refused.message.endswith(".")
        else:
            assert facts.duration > 0
