"""Answer text as it enters Viva: one cleaning step at the boundary, before grading and storing.

Text from Discord, a terminal or a paste can carry code points that break later stages for everyone:
a lone surrogate (a broken UTF-16 pair, produced by some clients and copy-paste paths) cannot be
encoded as UTF-8, so the tokenizer, the database driver and log handlers raise on it; a NUL byte is
refused by PostgreSQL in text and JSON; other control characters are invisible noise. Cleaning once,
here, means every later stage (grader, storage, report, export) sees text it can handle.

Nothing a person typed on purpose is dropped: printable characters, tabs and line breaks stay, and
text is put in Unicode NFC so the same word typed two ways compares (and grades) the same.
"""

from __future__ import annotations

import re
import unicodedata

#: C0 controls except tab and line feed, DEL and the C1 controls. Carriage returns are normalised first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What a lone surrogate becomes: the replacement character, so the reader sees where text was broken.
REPLACEMENT = "\ufffd"


def clean_answer(text: str | None) -> str:
    """`text` safe to grade, store and show: surrogates paired or replaced, controls removed, NFC.

    Line breaks are normalised to "\\n"; surrounding whitespace is stripped (an answer of only spaces
    or control characters becomes empty, which front ends treat as no answer).
    """
    if not text:
        return ""
    # A valid surrogate pair kept as two code points becomes the one character it encodes; a lone
    # half becomes U+FFFD. Strings without surrogates pass through unchanged.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text).strip()
