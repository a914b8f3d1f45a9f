"""Movie-review sentences with their sentiment: MR (Pang and Lee 2005) and GLUE's SST-2.

MR: 5,331 positive and 5,331 negative one-line snippets from Rotten Tomatoes, lower-cased and tokenised; no
official split, so papers report 10-fold cross-validation. Looked for in DATA/sentiment/mr/rt-polarity.{pos,neg}
(or the archive's own folder DATA/rt-polaritydata/), downloaded from Cornell when online.
SST-2: 67,349 training phrases and sentences and 872 dev sentences from the Stanford Sentiment Treebank, as GLUE
ships them, in DATA/sentiment/sst2/{train,dev}.tsv (or GLUE's folder DATA/SST-2/), downloaded when online.
Labels: 1 positive, 0 negative.
"""

from __future__ import annotations

import csv
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from dlpractice.course.errors import UserError
from dlpractice.data.download import fetch
from dlpractice.data.root import data_root

MR_URL = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
SST2_URL = "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"


def movie_reviews(data_dir: str | Path | None = None, download: bool = True) -> tuple[list[str], np.ndarray]:
    """MR: (sentences, labels (10,662,) int64), positives first."""
    root = data_root(data_dir)
    places = (root / "sentiment" / "mr", root / "rt-polaritydata")
    folder = next((f for f in places if (f / "rt-polarity.pos").is_file()), None)
    if folder is None:
        archive = fetch(MR_URL, root / "rt-polaritydata.tar.gz", "the MR movie reviews", places[0], download)
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")  # makes root/rt-polaritydata/
        folder = root / "rt-polaritydata"
    texts: list[str] = []
    labels: list[int] = []
    for name, label in (("rt-polarity.pos", 1), ("rt-polarity.neg", 0)):
        # split("\n"), not splitlines(): Latin-1 text holds bytes such as 0x85 that splitlines() also breaks at
        lines = [line.strip() for line in (folder / name).read_text(encoding="latin-1").split("\n") if line.strip()]
        texts += lines
        labels += [label] * len(lines)
    return texts, np.array(labels, dtype=np.int64)


def sst2(split: str = "train", data_dir: str | Path | None = None,
         download: bool = True) -> tuple[list[str], np.ndarray]:
    """GLUE SST-2, split "train" (67,349) or "dev" (872): (sentences, labels int64)."""
    if split not in ("train", "dev"):
        raise UserError(f"SST-2 has the splits 'train' and 'dev', got '{split}'")
    root = data_root(data_dir)
    folder = next((f for f in (root / "sentiment" / "sst2", root / "SST-2") if (f / f"{split}.tsv").is_file()), None)
    if folder is None:
        archive = fetch(SST2_URL, root / "SST-2.zip", "GLUE SST-2", root / "sentiment" / "sst2", download)
        with zipfile.ZipFile(archive) as z:
            z.extractall(root)  # makes root/SST-2/
        folder = root / "SST-2"
    with open(folder / f"{split}.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["sentence"].strip() for r in rows], np.array([int(r["label"]) for r in rows], dtype=np.int64)
