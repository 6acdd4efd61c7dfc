"""Keys for names as they are heard: sound-alikes, near spellings and nicknames.

A name is folded (accents, case, ß, ø...) and split into words; each word gives index tokens,
stored in the person's "sound" search entry (app/search/index.py) so `~` search and the
duplicate check find them through the full-text index instead of computing per row:

- ``zs<code>``: the word's Metaphone code, with "th" (0) read as "t". Metaphone is a consonant
  skeleton: vowels after the first letter drop out, so Smyth/Smith, Müller/Mueller/Muller and
  Jon/John share a code, and "ph"/"v" both give F (Steven/Stephen). We fold 0 into T because
  many European names say "th" as "t" (Katherine/Katrin, Thomas/Tomas). NYSIIS keeps vowels
  (Smyth SNYT, Smith SNAT) and match-rating codes are compared by a rule, not by equality, so
  neither can be a stored key; Double Metaphone is not in jellyfish. Soundex keeps only the
  first four sounds and merges too much (Mark/Marcia are both M620).
- ``ze<spelling>``: near spellings, for words of MIN_EDIT_LENGTH letters or more: the word and
  each form of it with one letter deleted. Two words sharing one of these are within one edit
  (a letter added, dropped, changed or two swapped; rarely two edits). Short words get none:
  one edit in four letters is another name (Mark/Mary).
- ``zn<name>``: the word itself when the nickname dataset knows it. A `~` query asks for the
  word and every name the dataset relates to it in one step (Bob → Robert, Bobby, Rob), not the
  closure, which would make Bob a Bill through Robert.

Smith/Schmidt do not match: SM0 vs SXMTT, and spelling is two edits apart. They are different
surnames, and a duplicate offer between them would be noise more often than help.

Every token is lowercase ASCII letters and digits with a two-letter prefix no real name word
has, so both databases keep it as one token and it never meets a literal search word.
Changing what these functions return needs a migration that rewrites the "sound" entries
(tests/test_heard_names.py pins sample outputs so such a change cannot slip in unnoticed).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import jellyfish
from nicknames import NickNamer

MIN_EDIT_LENGTH = 6
MAX_WORD_LENGTH = 30  # longer "words" are junk; their keys would only bloat the index
_LETTERS_OUTSIDE_NFKD = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "ı": "i", "ĸ": "k",
})
_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII letters, digits and spaces: Müller → muller, O'Brien → obrien."""
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS_OUTSIDE_NFKD)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.translate(_LETTERS_OUTSIDE_NFKD))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def name_words(full_name: str) -> list[str]:
    """The words that carry a name: folded, without initials, numbers or overlong junk."""
    return [
        word for word in fold(full_name).split()
        if len(word) > 1 and len(word) <= MAX_WORD_LENGTH and not word.isdigit()
    ]


def sound_tokens(word: str) -> set[str]:
    """The phonetic key and the near-spelling keys of one folded word (a symmetric match)."""
    tokens = set()
    code = jellyfish.metaphone(word).lower().replace("0", "t")
    if code:
        tokens.add("zs" + code)
    if len(word) >= MIN_EDIT_LENGTH:
        tokens.add("ze" + word)
        tokens.update("ze" + word[:i] + word[i + 1:] for i in range(len(word)))
    return tokens


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


def related_names(word: str) -> set[str]:
    """Formal names and nicknames the dataset relates to this folded word, one step away."""
    namer = _nicknamer()
    related = namer.nicknames_of(word) | namer.canonicals_of(word)
    return {name for name in (fold(n) for n in related) if name.isalnum()}


def nickname_token(word: str) -> str | None:
    """The stored nickname token of a folded word, when the dataset knows the word."""
    return "zn" + word if related_names(word) else None


def sound_keys(full_name: str) -> list[str]:
    """Index tokens for a person's name (the text of its "sound" search entry)."""
    tokens: set[str] = set()
    for word in name_words(full_name):
        tokens |= sound_tokens(word)
        nickname = nickname_token(word)
        if nickname:
            tokens.add(nickname)
    return sorted(tokens)


def query_keys(word: str) -> list[str]:
    """Tokens a `~` query word looks for (any of them): its sounds and related names."""
    tokens: set[str] = set()
    for part in name_words(word):
        tokens |= sound_tokens(part)
        tokens.add("zn" + part)
        tokens.update("zn" + name for name in related_names(part))
    return sorted(tokens)
