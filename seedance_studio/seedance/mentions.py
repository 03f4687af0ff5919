"""@-mentions in prompts: parse them, keep them bound to their files, write them as each provider expects.

Forms understood (any case for the English words):
  @image1  @video2  @audio3           000:393-395, 001:358-360
  @图片1  @视频1  @音频1, @图片_1     000:396 ("with or without _"); the studio also accepts @image_1
  【@图片1】                          001:361 (GoAPI's bracketed form; brackets accepted around any form)

Removed references. When a reference is removed, a mention of it cannot simply stay: "@image2" would then
silently point at whichever image is now second, which is complaint 6 in PRODUCT.md. `renumber_mentions`
therefore rewrites such a mention to "@removed:image2" (brackets and spelling kept). That text no longer
binds to any reference, and `check_mentions` reports it as an error until the creative rewrites or deletes
it. A mention that was already dangling before the change (e.g. @image5 with two images) is left as it was.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .composition import PLURAL, Kind, LabeledReference, Reference
from .findings import Finding, error, warning

_WORDS = {
    "image": Kind.IMAGE,
    "video": Kind.VIDEO,
    "audio": Kind.AUDIO,
    "图片": Kind.IMAGE,
    "视频": Kind.VIDEO,
    "音频": Kind.AUDIO,
}
_CHINESE = {Kind.IMAGE: "图片", Kind.VIDEO: "视频", Kind.AUDIO: "音频"}
REMOVED_PREFIX = "removed:"

# The look-behind keeps e-mail addresses ("me@image1.example") from being read as mentions.
_NOT_AFTER = r"(?<![A-Za-z0-9])"
_MENTION_BODY = (
    rf"@(?P<removed>{re.escape(REMOVED_PREFIX)})?(?P<word>{'|'.join(map(re.escape, _WORDS))})"
    r"(?P<sep>_?)(?P<number>\d+)"
)
# A bracket belongs to a mention only when both halves are there.
_MENTION_RE = re.compile(rf"{_NOT_AFTER}(?P<open>【)?{_MENTION_BODY}(?(open)】|)", re.IGNORECASE)


def mention_syntax() -> dict:
    """The mention forms for a browser to highlight and complete as this module parses them (the compose page
    hands this to static/js/mentions.js as JSON): `new RegExp(pattern, flags)` finds them, with the named groups
    of `_MENTION_RE`. JavaScript has no conditional group, so the closing bracket is a group of its own
    (`close`) and the script counts a bracket only when `open` and `close` are both there. `kinds` says which
    reference kind each word names, `chinese` the Chinese word for each kind."""
    return {
        "pattern": f"{_NOT_AFTER}(?P<open>【)?{_MENTION_BODY}(?P<close>】)?".replace("(?P<", "(?<"),
        "flags": "gi",
        "kinds": {word: kind.value for word, kind in _WORDS.items()},
        "chinese": {kind.value: word for kind, word in _CHINESE.items()},
    }


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    kind: Kind
    number: int
    word: str  # as written: "image", "Image", "图片"
    separator: str  # "" or "_"
    bracketed: bool
    removed: bool  # "@removed:image2", see the module docstring

    @property
    def label(self) -> str:
        return f"@{self.kind.value}{self.number}"

    @property
    def chinese(self) -> bool:
        return self.word in _CHINESE.values()

    def rewritten(self, *, number: int | None = None, removed: bool | None = None) -> str:
        number = self.number if number is None else number
        removed = self.removed if removed is None else removed
        body = f"@{REMOVED_PREFIX if removed else ''}{self.word}{self.separator}{number}"
        return f"【{body}】" if self.bracketed else body


@functools.lru_cache(maxsize=32)
def parse_mentions(prompt: str) -> tuple[Mention, ...]:
    """Every mention in the prompt, in order. Cached (the result is immutable): one evaluation reads the same
    prompt's mentions several times, and the live check evaluates on every keystroke."""
    return tuple(
        Mention(
            text=match.group(0),
            start=match.start(),
            end=match.end(),
            kind=_WORDS[match.group("word").lower()],
            number=int(match.group("number")),
            word=match.group("word"),
            separator=match.group("sep"),
            bracketed=bool(match.group("open")),
            removed=bool(match.group("removed")),
        )
        for match in _MENTION_RE.finditer(prompt or "")
    )


RefKey = Reference | LabeledReference | tuple[str, Kind | str]


def _keys(references: Iterable[RefKey]) -> list[tuple[str, Kind]]:
    keys = []
    for item in references:
        if isinstance(item, (Reference, LabeledReference)):
            keys.append((item.id, item.kind))
        else:
            ref_id, kind = item
            keys.append((str(ref_id), Kind(kind)))
    return keys


def _numbering(references: Iterable[RefKey]) -> dict[tuple[Kind, int], str]:
    counters = {kind: 0 for kind in Kind}
    by_position = {}
    for ref_id, kind in _keys(references):
        counters[kind] += 1
        by_position[(kind, counters[kind])] = ref_id
    return by_position


def resolve_mentions(prompt: str, references: Sequence[RefKey]) -> list[tuple[Mention, str | None]]:
    """Each mention with the id of the reference it points at (None: nothing there, or removed)."""
    by_position = _numbering(references)
    return [(m, None if m.removed else by_position.get((m.kind, m.number))) for m in parse_mentions(prompt)]


def renumber_mentions(prompt: str, old: Sequence[RefKey], new: Sequence[RefKey]) -> str:
    """Rewrite mentions after references were reordered or removed so each still names the same file.

    `old` and `new` are the ordered references before and after the change: Reference objects, labeled
    references or (id, kind) pairs. Spelling, case, "_" and GoAPI brackets of each mention are kept; only
    the number changes. Mentions of removed references become "@removed:..." (see the module docstring).
    """
    old_positions = _numbering(old)
    new_numbers = {ref_id: number for (kind, number), ref_id in _numbering(new).items()}
    new_kinds = dict(_keys(new))
    pieces, cursor = [], 0
    for mention in parse_mentions(prompt):
        if mention.removed:
            continue
        ref_id = old_positions.get((mention.kind, mention.number))
        if ref_id is None:
            continue  # already dangling: leave it, the error keeps showing
        if ref_id in new_numbers and new_kinds[ref_id] == mention.kind:
            replacement = mention.rewritten(number=new_numbers[ref_id])
        else:
            replacement = mention.rewritten(removed=True)
        pieces.append(prompt[cursor : mention.start])
        pieces.append(replacement)
        cursor = mention.end
    pieces.append(prompt[cursor:])
    return "".join(pieces)


class MentionStyle(StrEnum):
    """How a provider wants mentions written in the prompt it receives."""

    AT = "at"  # @image1 / @图片1 (PiAPI 000:393-396; also what we send where a document names no form)
    AT_BRACKETED_CHINESE = "at_bracketed_chinese"  # @image1 / 【@图片1】 (GoAPI 001:358-361)
    WORDS = "words"  # "image 1" / "图片1" (EvoLink: inputs are named by number in plain words)
    AS_WRITTEN = "as_written"  # the local preview shows the prompt exactly as typed


def write_mentions(prompt: str, style: MentionStyle) -> str:
    """The prompt with every live mention written in `style`; "@removed:" marks are never sent anyway."""
    if style is MentionStyle.AS_WRITTEN:
        return prompt
    pieces, cursor = [], 0
    for mention in parse_mentions(prompt):
        if mention.removed:
            continue
        pieces.append(prompt[cursor : mention.start])
        pieces.append(_styled(mention, style))
        cursor = mention.end
    pieces.append(prompt[cursor:])
    return "".join(pieces)


def _styled(mention: Mention, style: MentionStyle) -> str:
    if style is MentionStyle.WORDS:
        if mention.chinese:
            return f"{_CHINESE[mention.kind]}{mention.number}"
        return f"{mention.kind.value} {mention.number}"
    if mention.chinese:
        plain = f"@{_CHINESE[mention.kind]}{mention.number}"
        return f"【{plain}】" if style is MentionStyle.AT_BRACKETED_CHINESE else plain
    return f"@{mention.kind.value}{mention.number}"


def check_mentions(prompt: str, references: Sequence[LabeledReference], *, source: str = "") -> list[Finding]:
    """Errors for mentions that point nowhere, warnings for references the prompt never names."""
    findings: list[Finding] = []
    bound: set[str] = set()
    counts = {kind: sum(1 for r in references if r.kind is kind) for kind in Kind}
    for mention, ref_id in resolve_mentions(prompt, references):
        if mention.removed:
            findings.append(
                error(
                    "mention.removed",
                    f"{mention.text} pointed at a reference you removed: mention another one (type @) or "
                    f"delete it from the prompt.",
                    field="prompt",
                    source=source,
                )
            )
        elif ref_id is None:
            have = counts[mention.kind]
            findings.append(
                error(
                    "mention.unknown",
                    f"{mention.text} names {mention.kind.value} {mention.number}, but there "
                    f"{'is' if have == 1 else 'are'} {_count(have, mention.kind)}: add that {mention.kind.value} "
                    f"or fix the mention.",
                    field="prompt",
                    source=source,
                )
            )
        else:
            bound.add(ref_id)
    for reference in references:
        if reference.id not in bound:
            findings.append(
                warning(
                    "reference.unmentioned",
                    f"{reference.label} is never mentioned in the prompt: mention it (type @) to say what it is "
                    f"for, or remove it.",
                    ref=reference,
                )
            )
    return findings


def _count(n: int, kind: Kind) -> str:
    if n == 0:
        return f"no {PLURAL[kind]}"
    return f"only {n} {kind.value if n == 1 else PLURAL[kind]}"
