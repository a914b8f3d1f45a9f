"""Character-level recurrent models of surnames (lab 08): the PyTorch tutorial's classic RNN classifier, a GRU or
LSTM classifier over packed mini-batches, and a generator that writes names of a given language letter by letter.

Letters come in as ids 0..n_letters-1 (one-hot vectors for the classic model); the letter set and the encoding
live with the training code (sequences/name_classification.py). Nothing here trains or loads data.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence


class ClassicCharRNN(nn.Module):
    """The tutorial's RNN, as first published: at each letter the one-hot input and the hidden state are
    concatenated, `i2h` (a Linear layer) gives the next hidden state and `i2o` the class scores, log-softmaxed.

    As in the tutorial there is no nonlinearity on the hidden state: the recurrence is linear, and only the
    log-softmax at the output is not. The model reads one name at a time, one letter per call, and the output
    after the last letter is the prediction.
    """

    def __init__(self, n_letters: int, hidden: int, n_classes: int) -> None:
        super().__init__()
        self.hidden_size = hidden
        self.i2h = nn.Linear(n_letters + hidden, hidden)
        self.i2o = nn.Linear(n_letters + hidden, n_classes)

    def init_hidden(self) -> Tensor:
        return torch.zeros(1, self.hidden_size, device=self.i2h.weight.device)

    def forward(self, letter: Tensor, hidden: Tensor) -> tuple[Tensor, Tensor]:
        """letter (1, n_letters) one-hot, hidden (1, hidden) → (log-probabilities (1, n_classes), next hidden)."""
        combined = torch.cat((letter, hidden), dim=1)
        return F.log_softmax(self.i2o(combined), dim=1), self.i2h(combined)

    def read(self, one_hot: Tensor) -> Tensor:
        """A whole name, (L, 1, n_letters) as the tutorial's lineToTensor makes it → log-probabilities (1, C)."""
        hidden = self.init_hidden()
        for letter in one_hot:
            output, hidden = self(letter, hidden)
        return output


class NameClassifier(nn.Module):
    """Embedding → one-layer GRU or LSTM over a packed batch → Linear on each name's final hidden state.

    Packing (`pack_padded_sequence`) makes the recurrent layer stop at each name's own last letter, so the padding
    of a batch never reaches a hidden state: a name gets the same scores alone as in any batch (tests check it).
    """

    def __init__(self, n_letters: int, embed: int, hidden: int, n_classes: int,
                 kind: Literal["gru", "lstm"] = "gru") -> None:
        super().__init__()
        if kind not in ("gru", "lstm"):
            raise ValueError(f"kind must be 'gru' or 'lstm', got {kind!r}")
        self.kind = kind
        self.embedding = nn.Embedding(n_letters, embed)
        self.rnn = (nn.GRU if kind == "gru" else nn.LSTM)(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """ids (B, T) int64 letter ids, padded with anything after each name's end; lengths (B,) → logits (B, C)."""
        packed = pack_padded_sequence(self.embedding(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        final = state[0] if self.kind == "lstm" else state  # LSTM: (h_n, c_n); h_n is (layers, B, hidden)
        return self.head(final[-1])


class NameGenerator(nn.Module):
    """A character-level language model conditioned on the language: at each step the embedding of the language
    is concatenated to the embedding of the current character, a GRU reads them, and a Linear layer scores the
    next character.

    Tokens: letters 0..n_letters-1, END = n_letters, START = n_letters + 1. A name is read as START, c1 .. cn and
    trained to predict c1 .. cn, END; the output covers the letters and END (n_letters + 1 classes), never START.
    The GRU runs left to right, so the padding after a short name in a batch cannot change its outputs: no packing
    is needed, only a loss that ignores the padded targets.
    """

    def __init__(self, n_letters: int, n_languages: int, embed: int, hidden: int) -> None:
        super().__init__()
        self.n_letters = n_letters
        self.end, self.start = n_letters, n_letters + 1
        self.characters = nn.Embedding(n_letters + 2, embed)
        self.languages = nn.Embedding(n_languages, embed)
        self.rnn = nn.GRU(2 * embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_letters + 1)

    def forward(self, tokens: Tensor, language: Tensor, hidden: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """tokens (B, T), language (B,) → logits (B, T, n_letters + 1) over the next token, and the GRU's state."""
        chars = self.characters(tokens)
        lang = self.languages(language).unsqueeze(1).expand(-1, tokens.shape[1], -1)
        output, hidden = self.rnn(torch.cat((chars, lang), dim=2), hidden)
        return self.head(output), hidden
