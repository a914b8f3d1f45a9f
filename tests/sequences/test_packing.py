"""sequences.packing: pad_batch equals pad_sequence, last_real_outputs picks each sequence's last real step, and
packing gives each sequence's own final state, which the padded run without packing does not."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from dlpractice.sequences.packing import last_real_outputs, packed_final_states, pad_batch

LENGTHS = [3, 7, 1, 5]  # unsorted on purpose: enforce_sorted=False has to put them back in this order
F, H = 2, 4


@pytest.fixture
def sequences() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [torch.randn(n, F, generator=generator) for n in LENGTHS]


def test_pad_batch_equals_pad_sequence(sequences) -> None:
    padded, lengths = pad_batch(sequences)
    assert padded.shape == (4, 7, F)
    assert lengths.dtype == torch.int64 and lengths.tolist() == LENGTHS
    torch.testing.assert_close(padded, pad_sequence(sequences, batch_first=True), rtol=0, atol=0)
    for row, n in enumerate(LENGTHS):
        assert (padded[row, n:] == 0).all()


def test_last_real_outputs_takes_each_sequences_last_step() -> None:
    outputs = torch.arange(4 * 7 * 3, dtype=torch.float32).view(4, 7, 3)
    lengths = torch.tensor(LENGTHS)
    picked = last_real_outputs(outputs, lengths)
    assert picked.shape == (4, 3)
    for row, n in enumerate(LENGTHS):
        torch.testing.assert_close(picked[row], outputs[row, n - 1])
    with pytest.raises(ValueError, match="lengths"):
        last_real_outputs(outputs, torch.tensor([0, 1, 1, 1]))


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM])
def test_packed_h_n_is_the_last_real_output_of_the_padded_run(sequences, kind) -> None:
    """One layer, one direction: the padded run's outputs at the real steps do not depend on the padding (it comes
    after them), so the output at each sequence's last real step is the state packing ends on. The packed outputs
    are those of the padded run, with zeros in the padding."""
    torch.manual_seed(0)
    rnn = kind(F, H, batch_first=True)
    padded, lengths = pad_batch(sequences)
    outputs, final = packed_final_states(rnn, padded, lengths)
    h_n = final[0] if kind is nn.LSTM else final
    padded_outputs, _ = rnn(padded)
    torch.testing.assert_close(h_n[-1], last_real_outputs(padded_outputs, lengths))
    assert outputs.shape == (4, 7, H)
    for row, n in enumerate(LENGTHS):
        torch.testing.assert_close(outputs[row, :n], padded_outputs[row, :n])
        assert (outputs[row, n:] == 0).all()


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_packed_final_states_are_each_sequence_run_alone(sequences, kind, bidirectional) -> None:
    """Two layers: every row of h_n (and c_n) is what the module gives for that sequence alone, unpadded, for
    every layer and direction. The reverse direction starts at each sequence's own last step, not in the padding."""
    torch.manual_seed(0)
    rnn = kind(F, H, num_layers=2, bidirectional=bidirectional)  # time first: packed_final_states still reads (B, T, F)
    padded, lengths = pad_batch(sequences)
    outputs, final = packed_final_states(rnn, padded, lengths)
    for row, sequence in enumerate(sequences):
        alone_outputs, alone_final = rnn(sequence.unsqueeze(1))  # (n, 1, F): a batch of one
        torch.testing.assert_close(outputs[row, :len(sequence)], alone_outputs[:, 0])
        states = zip(final, alone_final) if kind is nn.LSTM else [(final, alone_final)]  # (h_n, c_n) or h_n
        for ours, alone in states:
            torch.testing.assert_close(ours[:, row], alone[:, 0])


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM])
def test_without_packing_the_final_states_of_shorter_sequences_are_wrong(sequences, kind) -> None:
    """Running the padded batch as it is steps every sequence through its padding: h_n is right for the longest
    sequence only, and off for every shorter one."""
    torch.manual_seed(0)
    rnn = kind(F, H, batch_first=True)
    padded, lengths = pad_batch(sequences)
    _, packed = packed_final_states(rnn, padded, lengths)
    _, unpacked = rnn(padded)
    if kind is nn.LSTM:
        packed, unpacked = packed[0], unpacked[0]
    longest = LENGTHS.index(max(LENGTHS))
    torch.testing.assert_close(unpacked[:, longest], packed[:, longest])
    for row in range(len(LENGTHS)):
        if row != longest:
            assert (unpacked[:, row] - packed[:, row]).abs().max() > 1e-3
