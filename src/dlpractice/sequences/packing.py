"""Batches of sequences of different lengths: padding them into one tensor, finding each sequence's last real
output, and packing, which makes a recurrent module stop at each sequence's own end.

A padded batch (B, T, F) has zeros after each sequence's end. Run as it is, a recurrent module keeps stepping
through those zeros: its outputs at the real steps are right (the padding comes after them), but its final state is
the state after step T - 1, padding included, for every sequence shorter than T. Two ways out:
- take each sequence's output at its last real step (`last_real_outputs`); this works for the top layer of a
  unidirectional module only, since a reverse direction would start in the padding;
- pack the batch (`pack_padded_sequence`): the module then runs each sequence for its own length only, so h_n is
  each sequence's state at its own end, for every layer and both directions (`packed_final_states`).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def pad_batch(sequences: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Sequences (T_i, F) → (padded (B, max T_i, F) batch first, zeros after each end; lengths int64 (B,)).

    The same as torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True), written out."""
    if not sequences:
        raise ValueError("pad_batch needs at least one sequence")
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.int64)
    first = sequences[0]
    padded = first.new_zeros(len(sequences), int(lengths.max()), *first.shape[1:])
    for row, sequence in enumerate(sequences):
        padded[row, : len(sequence)] = sequence
    return padded, lengths


def last_real_outputs(outputs: Tensor, lengths: Tensor) -> Tensor:
    """outputs (B, T, H) batch first, lengths (B,) → (B, H): row b is outputs[b, lengths[b] - 1], the output at
    sequence b's last real step rather than at T - 1, in the padding."""
    if (lengths < 1).any() or (lengths > outputs.shape[1]).any():
        raise ValueError(f"lengths must be in [1, {outputs.shape[1]}], got {lengths.tolist()}")
    index = (lengths.to(outputs.device) - 1).view(-1, 1, 1).expand(-1, 1, outputs.shape[2])  # (B, 1, H)
    return outputs.gather(1, index).squeeze(1)


def packed_final_states(rnn: nn.RNNBase, padded: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor | tuple]:
    """Run `rnn` on the packed batch: (outputs padded back (B, max length, D·H) with zeros after each end, h_n).

    padded (B, T, F) is read batch first whatever rnn.batch_first says (the output is batch first too); h_n is
    (L·D, B, H), or (h_n, c_n) for an LSTM, in the batch's own order: enforce_sorted=False sorts the sequences by
    length for the module and puts them back. lengths must be on the CPU, as pack_padded_sequence wants them.
    """
    packed = pack_padded_sequence(padded if rnn.batch_first else padded.transpose(0, 1), lengths.cpu(),
                                  batch_first=rnn.batch_first, enforce_sorted=False)
    packed_outputs, final = rnn(packed)
    outputs, _ = pad_packed_sequence(packed_outputs, batch_first=True, total_length=padded.shape[1])
    return outputs, final
