"""k-mer counts against a Counter and scikit-learn's character n-grams."""

from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from dlpractice.genomics import kmers
from support.dna import random_dna


def test_kmer_counts_match_a_counter_and_scikit_learns_char_ngrams():
    seq = random_dna(500, 1)
    for k in (1, 3, 5):
        counts = dict(zip(kmers.kmer_names(k), kmers.kmer_counts(seq, k).tolist()))
        assert {w: n for w, n in counts.items() if n} == Counter(kmers.windows(seq, k))
        vectorizer = CountVectorizer(analyzer="char", ngram_range=(k, k), lowercase=False)
        found = vectorizer.fit_transform([seq]).toarray()[0]
        assert dict(zip(vectorizer.get_feature_names_out(), found.tolist())) == {w: n for w, n in counts.items() if n}
    assert kmers.kmer_counts("ACNGT", 2).sum() == 2  # AC and GT; the windows with N are skipped
    assert kmers.kmer_counts("AC", 3).sum() == 0 and kmers.windows("AC", 3) == []
    table = kmers.kmer_table(["ACGT" * 10, "AAAA"], 2)
    assert table.shape == (2, 16) and np.allclose(table.sum(axis=1), 1)
