"""Text rules: the characters no input may hold, found and named.

What a user writes (a note, a reason, a drug name, a patient or course id, a
roster cell, a `--dose`) goes into calendars, spreadsheets and diaries. Two
kinds of character must never get there (DESIGN.md §5):

- control characters: C0 but tab, DEL, C1 (U+0085 NEXT LINE among them), and
  U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR. They are invisible,
  and readers disagree about which of them end a line (Python's
  `str.splitlines` ends lines at VT, FF, U+001C-U+001E, NEL, U+2028 and
  U+2029), so a note could carry a line such as "END:VCALENDAR" into a
  calendar file;
- bidirectional embedding, override and isolate characters (U+202A-U+202E,
  U+2066-U+2069): they reorder how the text around them is shown, so a line
  would not read as dosecal reads it ("Trojan Source", CVE-2021-42574).

Where they are refused:

- regimen and course files, anywhere (quoted text, names, comments, between
  words); a tab stays allowed, and the line ends are the file's own. A
  comment is refused too, because the reader checking the file line by line
  sees the comment through the editor: a NEXT LINE in it would show a
  schedule line that dosecal never reads. The bidirectional characters are
  refused in quoted text too, not only in names and ids (which the grammars
  already keep to ASCII): Arabic or Hebrew in a note needs none of them (the
  letters carry their own direction; the marks U+200E, U+200F and U+061C stay
  allowed), the PDF diary draws text in the order written and cannot honour
  them anyway, and one left open in a CSV cell reorders the rest of the row
  in a text viewer, dose columns included;
- one-line values (roster cells, command-line values, ids and reasons given
  through the Python API): the same characters, and a tab or a line break too.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from dataclasses import dataclass

from dosecal.errors import Diagnostic
from dosecal.source import Span

# C0 but tab and line feed; DEL and C1; the two Unicode line and paragraph separators.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_IN_FILES = re.compile(f"[{_CONTROLS}{_BIDI}]")
_IN_VALUES = re.compile(f"[\t\n{_CONTROLS}{_BIDI}]")
_IN_VALUES_BUT_TAB = re.compile(f"[\n{_CONTROLS}{_BIDI}]")
_BIDI_CLASS = re.compile(f"[{_BIDI}]")

# Controls have no name in the Unicode character database, only aliases; these
# are the ones a user meets (the rest are named by their code alone).
_CONTROL_NAMES = {
    "\x00": "NULL",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\x0b": "VERTICAL TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}

# The refused characters that Python's str.splitlines (and some editors) take for a line end.
_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_COPIED = "(a copy and paste may have brought it)"

# Past this many a file is most likely not text, and carets under more would not help:
# one more diagnostic counts the rest (kept under the cap on messages per file, 50).
_MAX_REPORTED = 20


class Kind(enum.Enum):
    """The two kinds of refused character, in a reader's words."""

    CONTROL = "an invisible control character"
    BIDI = "a character that reorders text"


@dataclass(frozen=True, slots=True)
class Refused:
    """One refused character of a text: where it is and what it is."""

    index: int  # 0-based, in characters
    char: str

    @property
    def kind(self) -> Kind:
        return Kind.BIDI if _BIDI_CLASS.match(self.char) else Kind.CONTROL

    def named(self) -> str:
        """'U+2028 LINE SEPARATOR (an invisible control character)'."""
        return f"{name(self.char)} ({self.kind.value})"

    def hint(self) -> str:
        """Why it must go, for a file's diagnostic."""
        if self.kind is Kind.BIDI:
            return (
                "delete it: it changes the order in which the text around it is shown, "
                "so the line would not read as dosecal reads it"
            )
        if self.char in _BREAKS:
            return f"delete it: some programs end a line there and others do not {_COPIED}"
        return f"delete it: it cannot be seen {_COPIED}"

    def sentence(self, subject: str) -> str:
        """'{subject} holds U+0000 NULL (an invisible control character) at character 5; delete it'."""
        return f"{subject} holds {self.named()} at character {self.index + 1}; delete it"


def name(char: str) -> str:
    """A character by its code and name: 'U+2028 LINE SEPARATOR', 'U+0001'."""
    code = f"U+{ord(char):04X}"
    found = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    return f"{code} {found}" if found else code


def refused(text: str, *, tab: bool = False) -> Refused | None:
    """The first character of a one-line value that no output may hold (`tab`: a tab is allowed)."""
    found = (_IN_VALUES_BUT_TAB if tab else _IN_VALUES).search(text)
    return Refused(found.start(), found.group()) if found else None


@dataclass(frozen=True, slots=True)
class Screened:
    """A file's text with its refused characters found.

    `text` has each of them replaced by a space, so parsing goes on and
    finds the file's other mistakes at unchanged columns; `shown` has a
    U+FFFD REPLACEMENT CHARACTER instead, for the source lines that messages
    print, so nothing invisible reaches a terminal and the caret has a mark
    to stand under.
    """

    text: str
    shown: str
    diagnostics: tuple[Diagnostic, ...]


def screen(text: str, kind: str) -> Screened:
    """Find every refused character of a file's text (lines end "\\n"); `kind`: 'regimen file'."""
    if _IN_FILES.search(text) is None:  # the usual case, at the speed of one regular expression
        return Screened(text, text, ())
    first = list(itertools.islice(_IN_FILES.finditer(text), _MAX_REPORTED + 1))
    diagnostics = [_one(text, match, kind) for match in first[:_MAX_REPORTED]]
    if len(first) > _MAX_REPORTED:
        rest = len(_IN_FILES.findall(text, first[-1].start()))
        chars = "character" if rest == 1 else "characters"
        diagnostics.append(
            Diagnostic(
                _one(text, first[-1], kind).span,
                f"{rest} more {chars} that cannot be written in a {kind}, from here on",
                "is this a text file? save it as plain text",
            )
        )
    return Screened(_IN_FILES.sub(" ", text), _IN_FILES.sub("\ufffd", text), tuple(diagnostics))


def _one(text: str, match: re.Match[str], kind: str) -> Diagnostic:
    """The diagnostic of one refused character of `text`."""
    at = match.start()
    char = Refused(at - (text.rfind("\n", 0, at) + 1), match.group())
    return Diagnostic(
        Span(text.count("\n", 0, at) + 1, char.index + 1),
        f"{char.named()} cannot be written in a {kind}",
        char.hint(),
    )


_UNSEEN = re.compile(f"[\t\n{_CONTROLS}{_BIDI}\ud800-\udfff]")


def visible(text: str, *, lines: bool = False) -> str:
    """`text` for a terminal: every refused character (and a tab, and bytes that were not UTF-8)
    written as its escape (`\\x1b`, `\\u202e`), so a value echoed in a message can neither move
    the cursor, set the terminal's title, reorder the line nor start a new one.

    `lines`: a message of several lines keeps its line feeds.
    """

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        if lines and char == "\n":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSEEN.sub(escaped, text)


def counted(count: int, noun: str) -> str:
    """'1 day', '2 days': a count and its noun, which takes an 's' for any count but one."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
