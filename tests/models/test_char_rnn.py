"""models.char_rnn: the classic RNN is the tutorial's (log-probabilities, a linear hidden update on input and
hidden concatenated), the GRU/LSTM classifier gives a name the same scores in a padded, packed batch as alone
(whatever the padding holds), and the generator is causal: what follows a position never changes its output."""

from __future__ import annotations

import pytest
import torch

from dlpractice.course.runner import torch_threads
from dlpractice.models.char_rnn import ClassicCharRNN, NameClassifier, NameGenerator

LETTERS, CLASSES = 57, 18


@pytest.fixture(autouse=True)
def one_thread_and_seed():
    torch.manual_seed(0)
    with torch_threads(1):
        yield


def test_classic_step_is_the_tutorials() -> None:
    model = ClassicCharRNN(LETTERS, 16, CLASSES)
    letter = torch.nn.functional.one_hot(torch.tensor([3]), LETTERS).float()
    hidden = torch.randn(1, 16)
    output, after = model(letter, hidden)
    assert output.shape == (1, CLASSES) and after.shape == (1, 16)
    assert torch.exp(output).sum().item() == pytest.approx(1.0, abs=1e-6)
    combined = torch.cat((letter, hidden), dim=1)
    torch.testing.assert_close(after, combined @ model.i2h.weight.T + model.i2h.bias)  # no nonlinearity
    assert torch.equal(model.init_hidden(), torch.zeros(1, 16))


def test_classic_read_is_the_last_step() -> None:
    model = ClassicCharRNN(LETTERS, 16, CLASSES)
    one_hot = torch.nn.functional.one_hot(torch.tensor([5, 0, 20, 7]), LETTERS).float().unsqueeze(1)  # (4, 1, 57)
    hidden = model.init_hidden()
    for letter in one_hot:
        output, hidden = model(letter, hidden)
    torch.testing.assert_close(model.read(one_hot), output)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_packed_batch_equals_each_name_alone(kind: str) -> None:
    """Five names of lengths 1..9 in one batch, the padding filled with random letters: the same logits as each
    name run alone."""
    model = NameClassifier(LETTERS, 8, 12, CLASSES, kind)
    lengths = torch.tensor([4, 9, 1, 6, 9])
    ids = torch.randint(0, LETTERS, (5, 9))  # beyond each length: junk that packing must never read
    batch = model(ids, lengths)
    assert batch.shape == (5, CLASSES)
    for row in range(5):
        alone = model(ids[row:row + 1, :lengths[row]], lengths[row:row + 1])
        torch.testing.assert_close(batch[row:row + 1], alone, rtol=1e-5, atol=1e-6)


def test_classifier_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="gru"):
        NameClassifier(LETTERS, 8, 12, CLASSES, "rnn")


def test_generator_shapes_and_tokens() -> None:
    model = NameGenerator(LETTERS, CLASSES, 8, 12)
    assert (model.end, model.start) == (LETTERS, LETTERS + 1)
    tokens = torch.randint(0, LETTERS + 2, (3, 7))
    logits, hidden = model(tokens, torch.tensor([0, 5, 17]))
    assert logits.shape == (3, 7, LETTERS + 1)  # letters and END, never START
    assert hidden.shape == (1, 3, 12)


def test_generator_is_causal_and_can_run_step_by_step() -> None:
    """Changing the tokens after position 3 leaves outputs 0..3 unchanged (so padding needs no packing), and
    feeding the tokens one at a time with the returned state gives the same outputs as the whole sequence."""
    model = NameGenerator(LETTERS, CLASSES, 8, 12)
    language = torch.tensor([4])
    tokens = torch.randint(0, LETTERS, (1, 8))
    changed = tokens.clone()
    changed[0, 4:] = torch.randint(0, LETTERS, (4,))
    whole, _ = model(tokens, language)
    torch.testing.assert_close(model(changed, language)[0][:, :4], whole[:, :4])
    hidden, steps = None, []
    for t in range(8):
        step, hidden = model(tokens[:, t:t + 1], language, hidden)
        steps.append(step)
    torch.testing.assert_close(torch.cat(steps, dim=1), whole, rtol=1e-5, atol=1e-6)


def test_generator_output_depends_on_the_language() -> None:
    model = NameGenerator(LETTERS, CLASSES, 8, 12)
    tokens = torch.full((2, 1), LETTERS + 1)  # START
    logits, _ = model(tokens, torch.tensor([0, 1]))
    assert not torch.allclose(logits[0], logits[1])
