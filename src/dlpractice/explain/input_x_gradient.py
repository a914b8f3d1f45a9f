"""Input × gradient (Shrikumar et al., 2016; captum's InputXGradient): each input value times its gradient (lab 06).

The gradient says how much the class score would change per unit of an input value; multiplied by the value
itself it becomes that value's share of the score, to first order. Where the input is zero (a black pixel, a
position with no base in a one-hot genome) the attribution is zero, whatever the gradient. Lab 05 reads
genomes this way, lab 06 images.
"""

from __future__ import annotations

from torch import Tensor, nn

from dlpractice.explain.saliency import saliency


def input_x_gradient(model: nn.Module, inputs: Tensor, target: int | Tensor | None = None) -> Tensor:
    """inputs × ∂ score_target / ∂ inputs, the inputs' shape, on the CPU; any input shape (N, ...) the model takes."""
    return saliency(model, inputs, target, absolute=False) * inputs.detach().cpu()
