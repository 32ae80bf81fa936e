"""motifeffect ``practice``: motif-constrained NEAT, its agents, tasks and noise.

Public names follow the newest ``practice/__init__.py`` of the original
package (plus the baseline genome/reproduction classes of this port).
Submodules are imported lazily on first attribute access, so importing
``practice`` does not import neat-python, gymnasium or scikit-learn.

Examples
--------
>>> import practice
>>> sorted(practice.acyclic_motifs)
['coherent-loop', 'collider', 'incoherent-loop']
"""

from importlib import import_module

_EXPORTS = {
    # agent
    "DefaultAgent": "practice.agent",
    "NEATAgent": "practice.agent",
    "create_agent_config": "practice.agent",
    "train_and_evaluate": "practice.agent",
    "train": "practice.agent",
    "evaluate": "practice.agent",
    # task
    "BasicTask": "practice.task",
    "GymTask": "practice.task",
    "NEATCartPoleTask": "practice.task",
    "SupervisionTask": "practice.task",
    # noise
    "NormNoiseGenerator": "practice.noise",
    # evolve
    "AdjustedReproduction": "practice.evolve",
    "AdjustedGenome": "practice.evolve",
    "AdjustedGenomeConfig": "practice.evolve",
    "BaselineGenome": "practice.evolve",
    "BaselineReproduction": "practice.evolve",
    "create_adjacency_matrix": "practice.evolve",
    # motif
    "acyclic_motifs": "practice.motif",
    "collect_motifs": "practice.motif",
    "count_motifs_from_adjacency_matrix": "practice.motif",
    # connectome, null models, enrichment, ElegansNet
    "load_connectome": "practice.connectome",
    "null_model": "practice.null_models",
    "motif_census": "practice.enrichment",
    "motif_enrichment": "practice.enrichment",
    "ElegansNet": "practice.wiring",
    "run_unit": "practice.elegans_experiment",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'practice' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
