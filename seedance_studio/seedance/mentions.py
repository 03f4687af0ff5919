"""@-mentions in prompts: parse them, keep them bound to their files, write them as each provider expects.

Forms understood (any case for the English words):
  @image1  @video2  @audio3           000:393-395, 001:358-360
  @图片1  @视频1  @音频1, @图片_1     000:396 ("with or without _"); the studio also accepts @image_1
  【@图片1】                          001:361 (GoAPI's bracketed form; brackets accepted around any form)

Names. A creative may give a reference a short name (`hero`, letters, digits and "_", see `name_problem`) and
write @hero instead of @image1; both forms bind to the same file. A name is only a mention while a reference of
the composition carries it (so "@everyone" in a prompt stays text), and no provider knows names: every provider
receives the numbered form in its own style (`write_mentions`). A named mention in a Chinese prompt is written
in the Chinese form ("【@图片1】" for GoAPI), the form the rest of such a prompt is read in.

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
NAME_MAX_CHARS = 32
_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_NAME_RE = re.compile(rf"{_NAME}")
# A name must not read as a numbered mention of any kind and language ("image2", "Video_1", "图片1" cannot be
# typed as a name anyway), nor as the removed mark.
_NUMBERED_NAME_RE = re.compile(rf"(?:{'|'.join(map(re.escape, _WORDS))})_?\d+", re.IGNORECASE)
_RESERVED_NAMES = frozenset({REMOVED_PREFIX.rstrip(":")})
# The end of a name: "@hero2" is not "@hero" followed by "2".
_NAME_END = r"(?![A-Za-z0-9_])"
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# (name, kind, number) for each named reference: how a name is read in a prompt.
NameTable = tuple[tuple[str, Kind, int], ...]


_NAMES_SLOT = "__NAMES__"


def _pattern(names: str, *, closing: str) -> str:
    """The numbered forms, the removed names and `names` (an alternation, or a pattern that never matches). A
    bracket belongs to a mention only when both halves are there: `closing` is Python's conditional closing
    bracket, or JavaScript's plain optional group (see mention_syntax)."""
    return (
        rf"{_NOT_AFTER}(?P<open>【)?(?:(?:{_MENTION_BODY})"
        rf"|@{re.escape(REMOVED_PREFIX)}(?P<removed_name>{_NAME}){_NAME_END}"
        rf"|@(?P<name>{names}){_NAME_END}){closing}"
    )


@functools.lru_cache(maxsize=64)
def _mention_re(names: tuple[str, ...]) -> re.Pattern[str]:
    """Mentions where `names` are the named references' names (longest first, so @hero_2 is not @hero)."""
    ordered = "|".join(map(re.escape, sorted(names, key=lambda name: (-len(name), name)))) or "(?!)"
    return re.compile(_pattern(ordered, closing="(?(open)】|)"), re.IGNORECASE)


def name_problem(name: str, taken: Iterable[str] = ()) -> str | None:
    """Why `name` cannot name a reference (None: it can). `taken`: the other references' names in the same
    composition; names are compared without case, as mentions are read."""
    if not name:
        return None
    if len(name) > NAME_MAX_CHARS:
        return f"“{name}” is {len(name)} characters long: a name has at most {NAME_MAX_CHARS}."
    if not _NAME_RE.fullmatch(name):
        return (
            f"“{name}” cannot be a name: use letters, digits and _ only (no spaces or accents), starting with a "
            f"letter, e.g. hero or street_2."
        )
    if name.lower() in _RESERVED_NAMES:
        return f"“{name}” marks the mentions of removed references: choose another name."
    if _NUMBERED_NAME_RE.fullmatch(name):
        return (
            f"“{name}” reads as a numbered mention (@{name}): choose a name that is not a kind and a number, "
            f"e.g. hero or street."
        )
    if name.lower() in {other.lower() for other in taken if other}:
        return f"Another reference is already named {name}: choose another name."
    return None


def mention_syntax() -> dict:
    """The mention forms for a browser to highlight and complete as this module parses them (the compose page
    hands this to static/js/mentions.js as JSON): `new RegExp(pattern, flags)` finds them, with the named groups
    of `_mention_re`. JavaScript has no conditional group, so the closing bracket is a group of its own
    (`close`) and the script counts a bracket only when `open` and `close` are both there. `kinds` says which
    reference kind each word names, `chinese` the Chinese word for each kind. `named_pattern` is the same with
    the references' names, which only the page knows."""
    return {
        "pattern": f"{_NOT_AFTER}(?P<open>【)?{_MENTION_BODY}(?P<close>】)?".replace("(?P<", "(?<"),
        "flags": "gi",
        "kinds": {word: kind.value for word, kind in _WORDS.items()},
        "chinese": {kind.value: word for kind, word in _CHINESE.items()},
        # The same with the references' names (@hero): the script puts the chips' names, escaped and joined
        # with "|" (longest first), where `names_slot` is.
        "named_pattern": _pattern(_NAMES_SLOT, closing="(?P<close>】)?").replace("(?P<", "(?<"),
        "names_slot": _NAMES_SLOT,
    }


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    kind: Kind | None  # None only for a removed name ("@removed:hero"): its kind went with it
    number: int  # the reference's number among its kind (a named mention's too); 0 for a removed name
    word: str  # as written: "image", "Image", "图片"; "" for a name
    separator: str  # "" or "_"
    bracketed: bool
    removed: bool  # "@removed:image2", see the module docstring
    name: str = ""  # as written, for a named mention ("Hero" in "@Hero"), removed or not

    @property
    def label(self) -> str:
        return f"@{self.kind.value if self.kind else ''}{self.number}"

    @property
    def chinese(self) -> bool:
        return self.word in _CHINESE.values()

    def rewritten(self, *, number: int | None = None, removed: bool | None = None) -> str:
        number = self.number if number is None else number
        removed = self.removed if removed is None else removed
        written = self.name if self.name else f"{self.word}{self.separator}{number}"
        return self._bracketed(f"@{REMOVED_PREFIX if removed else ''}{written}")

    def renamed(self, body: str) -> str:
        """This mention as "@" + `body` (a new name, or a numbered form once the name is gone), brackets kept."""
        return self._bracketed(f"@{body}")

    def _bracketed(self, body: str) -> str:
        return f"【{body}】" if self.bracketed else body


def parse_mentions(prompt: str, names: NameTable = ()) -> tuple[Mention, ...]:
    """Every mention in the prompt, in order. `names`: the named references (see `name_table`); without them
    only the numbered forms are mentions."""
    return _parse(prompt or "", names)


@functools.lru_cache(maxsize=32)
def _parse(prompt: str, names: NameTable) -> tuple[Mention, ...]:
    # Cached (the result is immutable): one evaluation reads the same prompt's mentions several times, and the
    # live check evaluates on every keystroke.
    named = {name.lower(): (kind, number) for name, kind, number in names}
    mentions = []
    for match in _mention_re(tuple(name for name, _, _ in names)).finditer(prompt):
        text, start, end, bracketed = match.group(0), match.start(), match.end(), bool(match.group("open"))
        if match.group("word"):
            word, number, sep = match.group("word"), int(match.group("number")), match.group("sep")
            removed = bool(match.group("removed"))
            mention = Mention(text, start, end, _WORDS[word.lower()], number, word, sep, bracketed, removed)
        elif match.group("removed_name"):
            mention = Mention(text, start, end, None, 0, "", "", bracketed, True, match.group("removed_name"))
        else:
            name = match.group("name")
            kind, number = named[name.lower()]
            mention = Mention(text, start, end, kind, number, "", "", bracketed, False, name)
        mentions.append(mention)
    return tuple(mentions)


# A reference as the functions below take it: a core Reference, a labeled one, or (id, kind) / (id, kind, name).
RefKey = Reference | LabeledReference | tuple[str, Kind | str] | tuple[str, Kind | str, str]


def _keys(references: Iterable[RefKey]) -> list[tuple[str, Kind, str]]:
    keys = []
    for item in references:
        if isinstance(item, Reference):
            keys.append((item.id, item.kind, item.mention_name))
        elif isinstance(item, LabeledReference):
            keys.append((item.id, item.kind, item.reference.mention_name))
        else:
            ref_id, kind, *name = item
            keys.append((str(ref_id), Kind(kind), name[0] if name else ""))
    return keys


def _numbering(keys: Iterable[tuple[str, Kind, str]]) -> dict[tuple[Kind, int], str]:
    counters = {kind: 0 for kind in Kind}
    by_position = {}
    for ref_id, kind, _ in keys:
        counters[kind] += 1
        by_position[(kind, counters[kind])] = ref_id
    return by_position


def name_table(references: Iterable[RefKey]) -> NameTable:
    """(name, kind, number) of each named reference, for `parse_mentions`."""
    counters = {kind: 0 for kind in Kind}
    table = []
    for _, kind, name in _keys(references):
        counters[kind] += 1
        if name:
            table.append((name, kind, counters[kind]))
    return tuple(table)


def resolve_mentions(prompt: str, references: Sequence[RefKey]) -> list[tuple[Mention, str | None]]:
    """Each mention (numbered or named) with the id of the reference it points at (None: nothing there, or
    removed)."""
    keys = _keys(references)
    by_position = _numbering(keys)
    return [
        (m, None if m.removed or m.kind is None else by_position.get((m.kind, m.number)))
        for m in parse_mentions(prompt, name_table(keys))
    ]


def shot_order(prompt: str, references: Sequence[RefKey]) -> list[str]:
    """The references' ids in the order the prompt first mentions them (by number or by name): the creative's
    shot order. References it never mentions follow, in their own order."""
    order = dict.fromkeys(ref_id for mention, ref_id in resolve_mentions(prompt, references) if ref_id is not None)
    order.update(dict.fromkeys(ref_id for ref_id, _, _ in _keys(references)))
    return list(order)


def renumber_mentions(prompt: str, old: Sequence[RefKey], new: Sequence[RefKey]) -> str:
    """Rewrite mentions after references were reordered, removed or renamed so each still names the same file.

    `old` and `new` are the ordered references before and after the change: Reference objects, labeled
    references or (id, kind[, name]) tuples. Spelling, case, "_" and GoAPI brackets of each mention are kept;
    only the number changes, and a name only when the reference's name changed (to the numbered form when its
    name was cleared). Mentions of removed references become "@removed:..." (see the module docstring).
    """
    old_keys, new_keys = _keys(old), _keys(new)
    old_positions = _numbering(old_keys)
    new_numbers = {ref_id: number for (kind, number), ref_id in _numbering(new_keys).items()}
    new_kinds = {ref_id: kind for ref_id, kind, _ in new_keys}
    new_names = {ref_id: name for ref_id, _, name in new_keys}
    pieces, cursor = [], 0
    for mention in parse_mentions(prompt, name_table(old_keys)):
        if mention.removed or mention.kind is None:
            continue
        ref_id = old_positions.get((mention.kind, mention.number))
        if ref_id is None:
            continue  # already dangling: leave it, the error keeps showing
        if ref_id not in new_numbers or new_kinds[ref_id] != mention.kind:
            replacement = mention.rewritten(removed=True)
        elif not mention.name:
            replacement = mention.rewritten(number=new_numbers[ref_id])
        elif new_names[ref_id].lower() == mention.name.lower():
            continue  # the same name: nothing to change
        elif new_names[ref_id]:
            replacement = mention.renamed(new_names[ref_id])
        else:
            replacement = mention.renamed(f"{mention.kind.value}{new_numbers[ref_id]}")
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


def write_mentions(prompt: str, style: MentionStyle, references: Sequence[RefKey] = ()) -> str:
    """The prompt with every live mention written in `style`, names as the numbers they stand for (`references`
    say which); "@removed:" marks are never sent anyway."""
    if style is MentionStyle.AS_WRITTEN:
        return prompt
    mentions = parse_mentions(prompt, name_table(references))
    pieces, cursor = [], 0
    chinese_prompt = None
    for mention in mentions:
        if mention.removed or mention.kind is None:
            continue
        chinese = mention.chinese
        if mention.name:
            if chinese_prompt is None:
                chinese_prompt = _is_chinese(prompt, mentions)
            chinese = chinese_prompt
        pieces.append(prompt[cursor : mention.start])
        pieces.append(_styled(mention.kind, mention.number, chinese, style))
        cursor = mention.end
    pieces.append(prompt[cursor:])
    return "".join(pieces)


def _is_chinese(prompt: str, mentions: Sequence[Mention]) -> bool:
    """Whether the prompt's own words (its mentions left out) are written in Chinese characters."""
    cursor, words = 0, []
    for mention in mentions:
        words.append(prompt[cursor : mention.start])
        cursor = mention.end
    words.append(prompt[cursor:])
    return bool(_HAN_RE.search("".join(words)))


def _styled(kind: Kind, number: int, chinese: bool, style: MentionStyle) -> str:
    if style is MentionStyle.WORDS:
        if chinese:
            return f"{_CHINESE[kind]}{number}"
        return f"{kind.value} {number}"
    if chinese:
        plain = f"@{_CHINESE[kind]}{number}"
        return f"【{plain}】" if style is MentionStyle.AT_BRACKETED_CHINESE else plain
    return f"@{kind.value}{number}"


def check_mentions(prompt: str, references: Sequence[LabeledReference], *, source: str = "") -> list[Finding]:
    """Errors for mentions that point nowhere, warnings for references the prompt never names."""
    findings: list[Finding] = []
    bound: set[str] = set()
    counts = {kind: sum(1 for r in references if r.kind is kind) for kind in Kind}
    for mention, ref_id in resolve_mentions(prompt, references):
        if mention.removed or mention.kind is None:
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
                    f"{reference.name or reference.label} is never mentioned in the prompt: mention it (type @) to "
                    f"say what it is for, or remove it.",
                    ref=reference,
                )
            )
    return findings


def _count(n: int, kind: Kind) -> str:
    if n == 0:
        return f"no {PLURAL[kind]}"
    return f"only {n} {kind.value if n == 1 else PLURAL[kind]}"
