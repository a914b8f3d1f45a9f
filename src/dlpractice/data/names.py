"""Surnames by language, the data of PyTorch's tutorial "Classifying names with a character-level RNN": 18 files
`<Language>.txt` of one surname a line, shipped in data/names/ (0.2 MB; ATTRIBUTION.md there says where they come
from) so that lab 08 runs offline.

What reading does, measured on the packaged files (20,050 lines):

- Names become plain ASCII letters as the tutorial makes them: Unicode NFD, combining marks dropped, then only
  the letters a-z, A-Z and " .,;'" kept ("Ślusarczyk" → "Slusarczyk", "Abdank-Kossovsky" → "AbdankKossovsky",
  "Rafaj1" → "Rafaj"); 184 lines change. Case is kept, so Vietnamese lists both "An" and "an".
- A name repeated within one language is kept once: 2,057 lines go, 1,892 of them in Arabic, whose 2,000 lines
  hold only 108 distinct names (the tutorial keeps them all, which makes Arabic look ten times larger and easy).
- A name listed under several languages is ambiguous, and is KEPT ONCE UNDER EACH of them: 480 names, 1,057
  (name, language) pairs of 17,993 ("Michel" is under six). Dropping them everywhere was the alternative, and it
  would nearly empty two languages: 99 of Scottish's 100 names are also in English.txt, and 42 of Portuguese's 74
  are also Spanish, English or Italian. The price: no classifier can be right on every copy of such a name, so at
  most 17,416 of the 17,993 pairs (96.8%) can be classified correctly.

That leaves 17,993 names (pairs), from 71 (Vietnamese) and 108 (Arabic) to 9,340 (Russian) per language, 17,416
distinct strings. Lines are stripped of surrounding spaces before anything else.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LETTERS = string.ascii_letters + " .,;'"  # the tutorial's alphabet: 57 characters
PACKAGED = Path(__file__).resolve().parent / "names"


@dataclass(frozen=True)
class NameSet:
    names: list[str]
    labels: np.ndarray  # (N,) int64: the index of each name's language in `languages`
    languages: tuple[str, ...]  # sorted by name: the file stems, "Arabic" ... "Vietnamese"

    def __len__(self) -> int:
        return len(self.names)

    def counts(self) -> dict[str, int]:
        """How many names each language has."""
        return dict(zip(self.languages, np.bincount(self.labels, minlength=len(self.languages)).tolist()))


def to_ascii(name: str) -> str:
    """The tutorial's unicodeToAscii: decompose (NFD), drop the combining marks, keep only LETTERS."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn" and c in LETTERS)


def read_language(path: Path) -> list[str]:
    """The distinct ASCII names of one file, in the order they first appear; blank lines skipped."""
    names = (to_ascii(line.strip()) for line in path.read_text(encoding="utf-8").splitlines())
    return list(dict.fromkeys(name for name in names if name))


def names_by_language(folder: str | Path | None = None) -> NameSet:
    """Every `<Language>.txt` in `folder` (the packaged copy by default), duplicates handled as the module says.
    Names are grouped by language, in alphabetical order of the languages, each in its file's order."""
    folder = PACKAGED if folder is None else Path(folder)
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no <Language>.txt files in {folder}")
    names: list[str] = []
    labels: list[int] = []
    for label, path in enumerate(files):
        found = read_language(path)
        names += found
        labels += [label] * len(found)
    return NameSet(names, np.array(labels, dtype=np.int64), tuple(path.stem for path in files))
