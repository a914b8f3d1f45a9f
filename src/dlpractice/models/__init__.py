"""Small reusable models for the labs, one concept per file."""

from dlpractice.models.mlp import MLP, count_parameters, mlp_parameter_formula

__all__ = ["MLP", "count_parameters", "mlp_parameter_formula"]
