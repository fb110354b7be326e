"""LSTM forward: the fused cell, the fused recurrent step, and sequence pipelines (one and two directions).

Gate order i, f, g, o; x (T, B, I), W (I, 4H), U (H, 4H), b (4H,); c' = f*c + i*g, h' = o*tanh(c').
``reference`` holds the NumPy references, ``cell`` the cell and step kernels, ``stages`` the
pipelines' small helper kernels and ``sequence`` the pipelines; ``backward_cells`` and ``backward``
are backpropagation through time (its kernels, its pipelines).
"""
from warpbench.kernels.specs.lstm import backward, cell, stages
from warpbench.kernels.specs.lstm.reference import cell_reference, sequence_reference
from warpbench.kernels.specs.lstm.sequence import BILSTM_FORWARD, LSTM_FORWARD, SEQUENCE_BENCH, run_direction

__all__ = ["backward", "cell", "stages", "cell_reference", "sequence_reference", "BILSTM_FORWARD", "LSTM_FORWARD",
           "SEQUENCE_BENCH", "run_direction"]
