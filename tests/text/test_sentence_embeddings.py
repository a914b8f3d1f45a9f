"""text.sentence_embeddings: mean_pooling averages the real tokens only (padding changes nothing), and encode()
gives sentence-transformers' own vectors for all-MiniLM-L6-v2 (to 1e-5, length 1, long texts cut at 256 tokens),
the same for a sentence alone or padded in a batch."""

from __future__ import annotations

import pytest
import torch

from dlpractice.text.sentence_embeddings import encode, mean_pooling

TEXTS = [
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The central bank raised interest rates on Monday, surprising most analysts.",
    "ok",
    "Ünïcode, punctuation!? and numbers 12345 — all tokenised.",
    " ".join(["a very long review that goes on and on"] * 40),  # about 400 word pieces: truncated at 256
]


@pytest.fixture(scope="module")
def reference(minilm):
    """sentence-transformers' SentenceTransformer on the same packaged folder, on the CPU."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm.path), device="cpu")


@pytest.fixture(scope="module")
def encoded(minilm) -> torch.Tensor:
    """encode() of all of TEXTS in one batch (every sentence padded to the long one's 256 tokens)."""
    return encode(minilm, TEXTS)


def test_mean_pooling_ignores_padding() -> None:
    """Rows of 5, 2 and 7 real tokens in a (3, 7, 4) batch: each row's result is the mean of its real tokens, and
    filling the padded positions with anything else changes nothing."""
    generator = torch.Generator().manual_seed(0)
    lengths = [5, 2, 7]
    tokens = torch.randn(3, 7, 4, generator=generator)
    mask = (torch.arange(7) < torch.tensor(lengths).unsqueeze(1)).long()
    pooled = mean_pooling(tokens, mask)
    assert pooled.shape == (3, 4)
    for row, n in enumerate(lengths):
        assert torch.allclose(pooled[row], tokens[row, :n].mean(0), atol=1e-6)
        assert torch.allclose(mean_pooling(tokens[row:row + 1, :n], mask[row:row + 1, :n])[0], pooled[row], atol=1e-6)
    changed = torch.where(mask.bool().unsqueeze(-1), tokens, 1e4 * torch.randn(3, 7, 4, generator=generator))
    assert torch.equal(mean_pooling(changed, mask), pooled)


def test_encode_equals_sentence_transformers(encoded, reference) -> None:
    theirs = torch.from_numpy(reference.encode(TEXTS))
    assert encoded.shape == (len(TEXTS), 384) and encoded.dtype == torch.float32
    assert (encoded - theirs).abs().max().item() < 1e-5
    assert torch.allclose(encoded.norm(dim=1), torch.ones(len(TEXTS)), atol=1e-5)
    assert reference.max_seq_length == 256


def test_padding_in_a_batch_and_batch_size_change_nothing(minilm, encoded) -> None:
    """A short sentence encoded alone or padded beside the long text gives the same vector; so do batches of 3."""
    alone = encode(minilm, [TEXTS[0], TEXTS[3]], batch_size=1)
    assert (alone - encoded[[0, 3]]).abs().max().item() < 1e-5
    assert (encode(minilm, TEXTS[:5], batch_size=3) - encoded[:5]).abs().max().item() < 1e-5


def test_unnormalised_vectors_and_similarity(minilm) -> None:
    """normalize=False gives the plain mean (same direction, not length 1); similar sentences are closer."""
    raw = encode(minilm, TEXTS[:3], normalize=False)
    unit = encode(minilm, TEXTS[:3])
    assert torch.allclose(torch.nn.functional.normalize(raw, dim=1), unit, atol=1e-6)
    assert not torch.allclose(raw.norm(dim=1), torch.ones(3), atol=1e-2)
    assert unit[0] @ unit[1] > unit[0] @ unit[2] + 0.2
    assert encode(minilm, []).shape == (0, 384)
