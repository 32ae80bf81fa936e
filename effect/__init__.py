"""motifeffect ``effect``: three-node motifs as sign-restricted tanh modules.

Public names follow the original MotifEffect package. Heavy submodules are
imported lazily on first attribute access.

Examples
--------
>>> from effect import NeuralMotif, calculate_landscape
>>> motif = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
>>> calculate_landscape((-1, 1), 41, motif).shape
(41, 41)
"""

from importlib import import_module

_EXPORTS = {
    # networks
    "RestrictedWeight": "effect.motifs",
    "RestrictedBias": "effect.motifs",
    "NeuralMotif": "effect.motifs",
    "Collider": "effect.motif_networks",
    "Loop": "effect.motif_networks",
    "RestrictedLoop": "effect.motif_networks",
    "MotifNetwork": "effect.motif_networks",
    "ColliderNetwork": "effect.motif_networks",
    "LoopNetwork": "effect.motif_networks",
    "RestrictedLoopNetwork": "effect.motif_networks",
    # operations
    "prepare_data": "effect.operations",
    "prepare_data_flexible": "effect.operations",
    "prepare_motifs": "effect.operations",
    "calculate_landscape": "effect.operations",
    "calculate_values": "effect.operations",
    "calculate_gradients": "effect.operations",
    "calculate_hessian_eigenvalues": "effect.operations",
    "detect_curvature_feature": "effect.operations",
    "generate_motifs": "effect.operations",
    "generate_outputs": "effect.operations",
    "calculate_differences": "effect.operations",
    # robustness
    "evaluate_propagation": "effect.robustness",
    "estimate_lipschitz": "effect.robustness",
    "estimate_lipschitz_by_motif": "effect.robustness",
    # similarity
    "minimum_loss_search": "effect.similarity",
    "execute_catch_processes": "effect.similarity",
    "maximum_minimum_loss_search": "effect.similarity",
    "execute_escape_processes": "effect.similarity",
    # batched engine (new in motifeffect)
    "motif_outputs": "effect.engine",
    "calculate_landscapes": "effect.operations",
    "lipschitz_batch": "effect.robustness",
    "nearest_differences": "effect.nearest",
    "catch": "effect.search",
    "escape": "effect.search",
    # expression
    "get_landscape": "effect.expression",
    "fit": "effect.expression",
    "fit_batch": "effect.expression",
    "fit_restricted_batch": "effect.expression",
}

_EXPORTS.update({
    # learned diversity (new in motifeffect): learned activations, curvature, experiment units
    "LearnedActivation": "effect.learned",
    "InterpolatedActivation": "effect.learned",
    "extract_activation": "effect.learned",
    "DiverseLayer": "effect.learned",
    "DiverseNetwork": "effect.learned",
    "meta_learn": "effect.learned",
    "participation_ratio": "effect.curvature",
    "hessian_trace": "effect.curvature",
    "hessian_spectrum": "effect.curvature",
    "exact_hessian": "effect.curvature",
    "learn_types": "effect.diversity_experiments",
    "compare_loop_types": "effect.diversity_experiments",
})

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'effect' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
