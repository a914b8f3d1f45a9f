"""The scikit-learn tables the course uses, loaded with consistent shapes and types."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice import data
from dlpractice.course.errors import UserError


@pytest.mark.parametrize("name", data.TABLES)
def test_every_table_loads_with_consistent_shapes_and_dtypes(name: str) -> None:
    table = data.load_table(name)
    assert table.name == name
    assert table.X.dtype == np.float32 and table.X.ndim == 2
    assert table.y.shape == (len(table.X),)
    assert len(table.feature_names) == table.X.shape[1]
    assert np.isfinite(table.X).all()
    if table.task == "classification":
        assert table.y.dtype == np.int64
        assert len(table.target_names) == table.y.max() + 1 == len(np.unique(table.y))
    else:
        assert table.task == "regression"
        assert table.y.dtype == np.float32 and table.target_names == []


def test_the_tables_promised_by_the_course_are_there() -> None:
    expected = {
        "iris": ((150, 4), "classification"),
        "wine": ((178, 13), "classification"),
        "breast_cancer": ((569, 30), "classification"),
        "digits": ((1797, 64), "classification"),
        "diabetes": ((442, 10), "regression"),
    }
    for name, (shape, task) in expected.items():
        table = data.load_table(name)
        assert (table.X.shape, table.task) == (shape, task), name
    assert data.load_table("iris").target_names == ["setosa", "versicolor", "virginica"]
    digits = data.load_table("digits")
    assert digits.X.min() == 0 and digits.X.max() == 16  # 8×8 images with 17 grey levels


def test_unknown_table_is_a_user_error_listing_the_valid_names() -> None:
    with pytest.raises(UserError) as caught:
        data.load_table("titanic")
    message = str(caught.value)
    assert "titanic" in message
    for name in data.TABLES:
        assert name in message
