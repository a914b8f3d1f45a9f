"""The Lee background corpus that ships inside gensim: 300 Australian news articles (about 60,000 words), one per
line. Small enough to train word vectors in seconds, and the course's offline default for lab 07.

Lee, Pincombe and Welsh (2005) collected it for a study of document similarity.
"""

from __future__ import annotations


def lee_corpus() -> list[str]:
    """The 300 articles as text, one string each."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        return [line.strip() for line in f if line.strip()]
