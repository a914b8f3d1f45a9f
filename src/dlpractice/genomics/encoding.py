"""DNA as numbers: base codes, one-hot encoding (4 x L) and the original study's one-channel numeric encoding (lab 05).

Genomes differ in length; a batch is padded at the end with zeros ("no base"), so padding looks like N.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np

from dlpractice.data.genomes import BASES, N_CODE

# The study's numeric encoding: one number per base, 0 for anything else.
NUMERIC_VALUES = {"C": 0.25, "T": 0.50, "G": 0.75, "A": 1.0}

Encoding = Literal["one_hot", "numeric"]

_CODE_OF_BYTE = np.full(256, N_CODE, dtype=np.uint8)
for _code, _base in enumerate(BASES):
    _CODE_OF_BYTE[ord(_base)] = _CODE_OF_BYTE[ord(_base.lower())] = _code
_CODE_OF_BYTE[ord("U")] = _CODE_OF_BYTE[ord("u")] = BASES.index("T")  # RNA genomes: U reads as T


def base_codes(seq: str) -> np.ndarray:
    """A, C, G, T -> 0, 1, 2, 3 and anything else -> 4, as uint8 (one byte per base)."""
    return _CODE_OF_BYTE[np.frombuffer(seq.encode("ascii", errors="replace"), dtype=np.uint8)]


def one_hot_encode(seq: str, length: int | None = None) -> np.ndarray:
    """A float32 array (4, length): row i is 1 where the base is BASES[i]; N (and padding) is a column of zeros."""
    codes = padded_codes(seq, length)
    eye = np.eye(N_CODE + 1, N_CODE, dtype=np.float32)  # code 4 -> the all-zero row
    return eye[codes].T


def numeric_encode(seq: str, length: int | None = None) -> np.ndarray:
    """A float32 array (1, length): C=0.25, T=0.50, G=0.75, A=1.0, anything else (and padding) 0."""
    values = np.zeros(N_CODE + 1, dtype=np.float32)
    for base, value in NUMERIC_VALUES.items():
        values[BASES.index(base)] = value
    return values[padded_codes(seq, length)][None, :]


def padded_codes(seq: str, length: int | None = None) -> np.ndarray:
    codes = base_codes(seq)
    length = len(codes) if length is None else length
    if len(codes) > length:
        raise ValueError(f"a sequence of {len(codes)} bases does not fit in length {length}")
    return np.concatenate([codes, np.full(length - len(codes), N_CODE, dtype=np.uint8)])


def encode_batch(seqs: Sequence[str], encoding: Encoding = "one_hot", length: int | None = None) -> np.ndarray:
    """All sequences encoded and zero-padded to one length (the longest, by default): (n, 4, L) or (n, 1, L)."""
    length = max(len(s) for s in seqs) if length is None else length
    encode = one_hot_encode if encoding == "one_hot" else numeric_encode
    return np.stack([encode(s, length) for s in seqs])


def channels(encoding: Encoding) -> int:
    return 4 if encoding == "one_hot" else 1
