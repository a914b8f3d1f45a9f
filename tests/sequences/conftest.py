"""Every test here runs with one intra-op thread: the recurrent models are small, and on a busy 2-core machine two
OpenMP threads spin waiting for each other (MiniLM-sized steps ran 10-30x slower with two). Restored afterwards."""

import pytest

from dlpractice.course.runner import torch_threads


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    with torch_threads(1):
        yield
