"""text8: the first 100 million characters of an English Wikipedia dump, cleaned by Matt Mahoney to lower-case
letters and single spaces: 17,005,207 words on one line. The classic word2vec benchmark corpus.

Looked for as DATA/text8 (or DATA/text8.zip), downloaded when online (31 MB zipped). Split into "sentences" of
10,000 words, as gensim's Text8Corpus does.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from dlpractice.data.download import fetch
from dlpractice.data.root import data_root

URL = "http://mattmahoney.net/dc/text8.zip"
SENTENCE_WORDS = 10_000


def text8(data_dir: str | Path | None = None, download: bool = True, max_words: int | None = None) -> list[list[str]]:
    """The corpus as lists of 10,000 words (the first `max_words` words only, when given)."""
    root = data_root(data_dir)
    plain = root / "text8"
    if not plain.is_file():
        archive = fetch(URL, root / "text8.zip", "text8", root, download)
        with zipfile.ZipFile(archive) as z:
            z.extract("text8", root)
    words = plain.read_text(encoding="ascii").split()
    if max_words is not None:
        words = words[:max_words]
    return [words[i:i + SENTENCE_WORDS] for i in range(0, len(words), SENTENCE_WORDS)]
