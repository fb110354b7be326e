"""Theano's ``tensor`` namespace for the graph: the elementwise math (math.py, special.py),
reductions (reduce_ops.py), shape ops (shape_ops.py), indexing (subtensor.py,
advanced_subtensor.py) and array creation (creation.py), gathered so ``warpbench.graph``
exports them under Theano's names.
"""
from warpbench.graph.creation import ARange, Alloc, alloc, arange, ones, ones_like, zeros, zeros_like
from warpbench.graph.math import (EQ, GE, GT, LE, LT, NEQ, Abs, Cast, Clip, Compare, Log, Maximum, Minimum, Pow, Sgn,
                                  Sqrt, Switch, abs, cast, clip, eq, ge, gt, le, log, lt, maximum, minimum, neq, pow,
                                  sgn, sqrt, switch)
from warpbench.graph.reduce_ops import (Argmax, Max, Min, Prod, Reduce, Sum, argmax, max, mean, min, prod, std, sum,
                                        var)
from warpbench.graph.shape_ops import (AxisError, DimShuffle, Join, Reshape, concatenate, dimshuffle, flatten, reshape,
                                       stack, transpose)
from warpbench.graph.special import (Erf, Expm1, Log1p, Softplus, abs_, argmin, erf, expm1, log1p, outer,
                                     softplus, sqr)
from warpbench.graph.advanced_subtensor import AdvancedIncSubtensor, AdvancedSubtensor
from warpbench.graph.subtensor import (AdvancedIncSubtensor1, AdvancedSubtensor1, IncSubtensor, Subtensor,
                                       inc_subtensor, set_subtensor)

__all__ = [
    "ARange", "Abs", "AdvancedIncSubtensor", "AdvancedSubtensor", "AdvancedIncSubtensor1", "AdvancedSubtensor1",
    "Alloc", "Argmax", "AxisError", "Cast", "Clip",
    "Compare", "DimShuffle", "EQ", "GE", "GT", "IncSubtensor", "Join", "LE", "LT", "Log", "Max", "Maximum", "Min",
    "Minimum", "NEQ", "Pow", "Prod", "Reduce", "Reshape", "Sgn", "Sqrt", "Subtensor", "Sum", "Switch",
    "abs", "alloc", "arange", "argmax", "cast", "clip", "concatenate", "dimshuffle", "eq", "flatten", "ge", "gt",
    "inc_subtensor", "le", "log", "lt", "max", "maximum", "mean", "min", "minimum", "neq", "ones", "ones_like", "pow",
    "prod", "reshape", "set_subtensor", "sgn", "sqrt", "stack", "std", "sum", "switch", "transpose", "var", "zeros",
    "zeros_like", "Erf", "Expm1", "Log1p", "Softplus", "abs_", "argmin", "erf", "expm1", "log1p", "outer", "softplus",
    "sqr",
]
