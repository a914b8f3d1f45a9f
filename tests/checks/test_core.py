"""`checks.core`: what "not attempted" means, that a check never raises anything but CheckFailed, and the helpers
every lab's checks share (dtype, booleans)."""

import numpy as np
import pytest
import torch

from dlpractice.checks.core import CheckFailed, as_bool, attempt, exercise, expect_close, expect_dtype
from dlpractice.course.notebooks import STUB_MESSAGE
from support.exercise_checks import stub


@exercise("double")
def double(fn):
    expect_close(attempt(fn, np.arange(3.0), case="0, 1, 2"), [0.0, 2.0, 4.0], case="0, 1, 2")


def test_only_the_stub_means_not_attempted():
    assert double(stub) is False

    def bare(x):
        raise NotImplementedError

    assert double(bare) is False  # a student's own placeholder: not attempted either

    def torch_refuses(x):  # what PyTorch says for an unsupported dtype: a wrong answer, not a missing one
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Long'")

    with pytest.raises(CheckFailed, match="not implemented for 'Long'"):
        double(torch_refuses)


def test_the_stub_message_is_the_one_the_exercise_notebooks_hold():
    from dlpractice.course.notebooks.build import strip_solutions

    stubbed = strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "s.py")
    namespace = {}
    exec(stubbed, namespace)
    with pytest.raises(NotImplementedError) as raised:
        namespace["f"]()
    assert raised.value.args == (STUB_MESSAGE,)


def test_a_check_that_trips_on_an_unusual_answer_says_so_in_one_line():
    @exercise("shape")
    def shape_check(fn):
        got = attempt(fn, case="a")
        assert got.shape[1] == 3  # the check's own code assumes a 2-d result

    with pytest.raises(CheckFailed, match="shape: your answer has a form this check cannot work with"):
        shape_check(lambda: np.zeros(3))


def test_expect_dtype_names_what_came_in_and_what_went_out():
    expect_dtype(torch.zeros(2, dtype=torch.float64), torch.float64, "x")
    expect_dtype(np.zeros(2), np.float64, "x")
    with pytest.raises(CheckFailed, match="float64 expected, float32 out"):
        expect_dtype(torch.zeros(2), torch.float64, "x")
    with pytest.raises(CheckFailed, match="int64 expected, float64 out"):
        expect_dtype(np.zeros(2), np.int64, "x")


@pytest.mark.parametrize("value", [True, np.bool_(True), np.array(True), np.array([True]), torch.tensor(True)])
def test_as_bool_accepts_every_kind_of_true(value):
    assert as_bool(value, "c") is True


@pytest.mark.parametrize("value", [1, "True", np.array([True, False]), torch.tensor([1.0]), None])
def test_as_bool_refuses_what_is_not_a_boolean(value):
    with pytest.raises(CheckFailed, match="expected True or False"):
        as_bool(value, "c")


def test_an_error_the_case_expects_must_reach_the_caller():
    def fails_inside(x):
        raise RuntimeError("the model failed")

    assert attempt(fails_inside, 1, case="c", raises=RuntimeError) is None
    with pytest.raises(CheckFailed, match="did not reach the caller"):
        attempt(lambda x: None, 1, case="c", raises=RuntimeError)
    with pytest.raises(CheckFailed, match="raised ValueError"):  # another error is still a wrong answer
        attempt(lambda x: int("x"), 1, case="c", raises=RuntimeError)
