"""Datasets for the labs: synthetic and bundled sets offline, real ones through torchvision."""

from dlpractice.data.splits import split_indices
from dlpractice.data.synthetic import blobs, noisy_sinusoid, spirals, two_moons

__all__ = ["blobs", "noisy_sinusoid", "spirals", "split_indices", "two_moons"]
