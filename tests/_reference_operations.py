"""Slow per-motif reference path of effect.operations.generate_outputs (used by the tests)."""

import itertools

import numpy as np

from effect.motifs import NeuralMotif
from effect.operations import calculate_landscape


def generate_outputs_loop(motif_type, motif_index, activations, aggregations, weight_groups, bias_groups,
                          value_range, points):
    """Literal per-motif reference path of :func:`generate_outputs` (one NeuralMotif per combination)."""
    parameters, landscapes = [], []
    for weights in itertools.product(*weight_groups):
        for biases in itertools.product(*bias_groups):
            motif = NeuralMotif(motif_type, motif_index, activations, aggregations, weights=list(weights),
                                biases=list(biases))
            landscapes.append(calculate_landscape(value_range, points, motif).reshape(-1).tolist())
            parameters.append([w.value() for w in motif.w] + [b.value() for b in motif.b])
    return np.array(parameters, dtype=np.float64), np.array(landscapes, dtype=np.float64)
