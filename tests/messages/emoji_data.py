"""Write ``crisiscli/messages/data/emoji-x.txt``: the emoji X counts as one, found as
twitter-text (the reference: npm twitter-text 3.1.0 with twemoji-parser 14.0.0) finds them.

Regenerate with the `emoji` package (its table is Unicode's emoji-test.txt), which crisis
itself does not need::

    pip install emoji && python -m tests.messages.emoji_data > crisiscli/messages/data/emoji-x.txt

The facts that are not in Unicode's files were measured on the reference, one character at a
time (``c`` + VS16, and ``c`` + VS16 + a skin tone): they are the constants below.
"""

from __future__ import annotations

import sys

#: Emoji 17.0, the Unicode version of wcwidth's tables: the reference's own data stops at 14.0,
#: and a sequence added since (🐦‍🔥, 🙂‍↔️) counts 2, as a current X client counts it.
EMOJI_VERSION = 17

#: Emoji-presentation characters that twitter-text reads with a following VS16 as one emoji
#: (they also have a text variation sequence); every other emoji-presentation character
#: leaves a VS16 after it as a character of its own.
PRESENTATION_WITH_VS16 = (
    "1F004 1F21A 1F22F 231A 231B 25FD 25FE 2614 2615 2648 2649 264A 264B 264C 264D 264E 264F "
    "2650 2651 2652 2653 267F 2693 26A1 26AA 26AB 26BD 26BE 26C4 26C5 26D4 26EA 26F2 26F3 "
    "26F5 26FA 26FD 2757 2B1B 2B1C 2B50 2B55"
)
#: The one text-style emoji twitter-text does not join with a following VS16 (♾).
TEXT_STYLE_WITHOUT_VS16 = "267E"
#: A skier (⛷) takes a skin tone in twitter-text though Unicode gives it none.
EXTRA_MODIFIER_BASES = "26F7"
#: The eye in a speech bubble: twemoji knows it only without its VS16s.
EYE_QUALIFIED = "\U0001f441\ufe0f\u200d\U0001f5e8\ufe0f"
EYE_AS_KNOWN = "\U0001f441\u200d\U0001f5e8"


def _hex(sequence: str) -> str:
    return " ".join(f"{ord(c):X}" for c in sequence)


def main() -> None:
    import emoji

    known = {
        e: v
        for e, v in emoji.EMOJI_DATA.items()
        if v["E"] <= EMOJI_VERSION and v["status"] == emoji.STATUS["fully_qualified"]
    }
    zwj = sorted({e for e in known if "\u200d" in e and e != EYE_QUALIFIED} | {EYE_AS_KNOWN})
    flags = sorted(e for e in known if len(e) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in e))
    tags = sorted(e for e in known if any(0xE0020 <= ord(c) <= 0xE007F for c in e))
    modifier_bases = sorted(
        {ord(e.replace("\ufe0f", "")[0]) for e in known
         if len(e.replace("\ufe0f", "")) == 2 and 0x1F3FB <= ord(e[-1]) <= 0x1F3FF}
    )  # fmt: skip
    modifier_bases = sorted(set(modifier_bases) | {int(EXTRA_MODIFIER_BASES, 16)})
    text_style = sorted(
        {ord(e[0]) for e in known if len(e) == 2 and e[1] == "\ufe0f"}
        - {int(TEXT_STYLE_WITHOUT_VS16, 16)}
        - {ord(c) for c in "#*0123456789"}
    )
    vs16 = sorted(set(text_style) | {int(h, 16) for h in PRESENTATION_WITH_VS16.split()})
    out = sys.stdout
    out.write(
        "# The emoji X counts as one (2), found as twitter-text finds them, with the "
        f"sequences of Emoji {EMOJI_VERSION}.0.\n"
        "# Made by tests/messages/emoji_data.py from Unicode's emoji-test.txt (Unicode license)\n"
        "# and facts measured on twitter-text; docs/composer.md says what they mean.\n"
    )
    out.write("[vs16]\n# a following VS16 belongs to the emoji\n")
    out.write(" ".join(f"{cp:X}" for cp in vs16) + "\n")
    out.write("[modifier]\n# a skin tone belongs to the emoji\n")
    out.write(" ".join(f"{cp:X}" for cp in modifier_bases) + "\n")
    out.write("[flags]\n")
    out.write(" ".join(chr(ord(a) - 0x1F1E6 + 65) + chr(ord(b) - 0x1F1E6 + 65) for a, b in flags))
    out.write("\n[tags]\n")
    out.writelines(_hex(e) + "\n" for e in tags)
    out.write("[zwj]\n")
    out.writelines(_hex(e) + "\n" for e in zwj)


if __name__ == "__main__":
    main()
