"""All motif modules under the original module name ``effect.networks``.

``RestrictedWeight``, ``RestrictedBias`` and ``NeuralMotif`` live in
:mod:`effect.motifs`; the newer network building blocks (``Collider``,
``Loop``, ``RestrictedLoop`` and the ``MotifNetwork`` family) in
:mod:`effect.motif_networks`.
"""

from effect.motif_networks import (  # noqa: F401
    Collider,
    ColliderNetwork,
    Loop,
    LoopNetwork,
    MotifNetwork,
    RestrictedLoop,
    RestrictedLoopNetwork,
)
from effect.motifs import NeuralMotif, RestrictedBias, RestrictedWeight  # noqa: F401

__all__ = [
    "RestrictedWeight",
    "RestrictedBias",
    "NeuralMotif",
    "Collider",
    "Loop",
    "RestrictedLoop",
    "MotifNetwork",
    "ColliderNetwork",
    "LoopNetwork",
    "RestrictedLoopNetwork",
]
