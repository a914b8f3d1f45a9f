"""SeededSampler: the training order is a function of the seed and the epoch, so resumed runs repeat exactly."""

from dlpractice.training.sampler import SeededSampler


def test_seeded_sampler_order_is_a_function_of_seed_and_epoch() -> None:
    sampler = SeededSampler(50, seed=3)
    first = list(sampler)
    assert sorted(first) == list(range(50))
    assert list(SeededSampler(50, seed=3)) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert second != first
    sampler.set_epoch(0)
    assert list(sampler) == first
    assert list(SeededSampler(50, seed=4)) != first
