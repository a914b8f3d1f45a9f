"""data.names: the packaged surnames load offline (18 languages, 17,993 names after the duplicate policy), equal
the shared copy byte for byte, become plain ASCII as in the PyTorch tutorial, and repeats are handled as the
module's docstring says: once per language, and an ambiguous name once under each of its languages."""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest

from dlpractice.data.names import LETTERS, PACKAGED, names_by_language, to_ascii
from support.paths import SHARED_DATA

SHARED_NAMES = SHARED_DATA / "names"


def test_packaged_set_counts() -> None:
    names = names_by_language()
    assert len(names.languages) == 18
    assert names.languages == tuple(sorted(names.languages))
    assert names.languages[0] == "Arabic" and names.languages[-1] == "Vietnamese"
    assert len(names) == len(names.labels) == 17_993
    assert names.labels.dtype == np.int64
    assert np.all(np.diff(names.labels) >= 0)  # grouped by language, in the order of `languages`
    counts = names.counts()
    assert counts["Russian"] == 9_340 and counts["English"] == 3_668 and counts["Arabic"] == 108
    assert min(counts.values()) == counts["Vietnamese"] == 71
    assert len(set(names.names)) == 17_416


def test_names_are_plain_ascii_letters() -> None:
    names = names_by_language()
    assert all(name and set(name) <= set(LETTERS) for name in names.names)
    assert len(LETTERS) == 57


def test_to_ascii_follows_the_tutorial() -> None:
    assert to_ascii("Ślusarczyk") == "Slusarczyk"
    assert to_ascii("Müller") == "Muller"
    assert to_ascii("Abdank-Kossovsky") == "AbdankKossovsky"  # '-' is not in the tutorial's letters
    assert to_ascii("O'Neal") == "O'Neal"
    assert to_ascii("Rafaj1") == "Rafaj"


def test_duplicate_policy_on_a_small_folder(tmp_path: Path) -> None:
    """Repeated in one language: kept once, first place kept. In two languages: kept once under each. Accents are
    removed before comparing, so 'Émile' and 'Emile' are one name."""
    (tmp_path / "A.txt").write_text("Smith\nÉmile\nSmith\nEmile\n\n  Jones \n", encoding="utf-8")
    (tmp_path / "B.txt").write_text("Nguyen\nSmith\n", encoding="utf-8")
    names = names_by_language(tmp_path)
    assert names.languages == ("A", "B")
    assert list(zip(names.names, names.labels.tolist())) == [("Smith", 0), ("Emile", 0), ("Jones", 0),
                                                             ("Nguyen", 1), ("Smith", 1)]


def test_duplicate_policy_on_the_packaged_set() -> None:
    """No (name, language) pair twice; 480 names under several languages, 1,057 pairs; 99 of Scottish's 100 names
    are also English (why ambiguous names are not dropped)."""
    names = names_by_language()
    pairs = list(zip(names.names, names.labels.tolist()))
    assert len(set(pairs)) == len(pairs)
    languages_of = collections.defaultdict(set)
    for name, label in pairs:
        languages_of[name].add(names.languages[label])
    ambiguous = {name for name, found in languages_of.items() if len(found) > 1}
    assert len(ambiguous) == 480
    assert sum(len(languages_of[name]) for name in ambiguous) == 1_057
    scottish = [name for name, label in pairs if names.languages[label] == "Scottish"]
    assert sum("English" in languages_of[name] for name in scottish) == 99


def test_packaged_files_equal_the_shared_copy() -> None:
    if not SHARED_NAMES.is_dir():
        pytest.skip(f"{SHARED_NAMES} is absent: nothing to compare the packaged names with")
    shared = sorted(path.name for path in SHARED_NAMES.glob("*.txt"))
    assert sorted(path.name for path in PACKAGED.glob("*.txt")) == shared and len(shared) == 18
    for name in shared:
        assert (PACKAGED / name).read_bytes() == (SHARED_NAMES / name).read_bytes(), name
    theirs, mine = names_by_language(SHARED_NAMES), names_by_language()
    assert theirs.names == mine.names and theirs.languages == mine.languages
    assert np.array_equal(theirs.labels, mine.labels)


def test_attribution_ships_with_the_files() -> None:
    text = (PACKAGED / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "BSD" in text and "Classifying Names with a Character-Level RNN" in text


def test_an_empty_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Language"):
        names_by_language(tmp_path)
