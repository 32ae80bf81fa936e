"""The C. elegans connectome, offline: neurons, roles and signed synapse counts.

The data ship with the package (``practice/data/connectome/``): one JSON file per
data set, exported once from the C. elegans Connectome Toolbox (``cect``) by
``practice/data/connectome/convert_cect.py``, and a ``SHA256SUMS`` file that is
checked on every load. See ``practice/data/connectome/README.md`` for the sources,
citations and licences.

Data sets (:data:`CONNECTOMES`; short aliases in :data:`ALIASES`):

* ``"cook2019_hermaphrodite"`` (alias ``"cook2019"``) — Cook et al., Nature 571, 63–71 (2019);
* ``"varshney2011"`` — Varshney et al., PLoS Comput. Biol. 7, e1001066 (2011).

Adjacency convention: entry (i, j) is the synapse i→j (presynaptic row,
postsynaptic column). Its magnitude is the number of synapses — chemical
contacts i→j plus gap junctions between i and j, as selected by ``synapses`` —
and its sign is the polarity of the connection:

* a pair with a chemical synapse i→j takes the polarity of the presynaptic
  neuron's transmitter: acetylcholine +1, GABA −1, glutamate ``glutamate``
  (default +1; glutamate excites through AMPA/kainate-type receptors and inhibits
  through glutamate-gated chloride channels), anything else or unknown
  ``unknown`` (default +1). A neuron listed with both acetylcholine and GABA
  counts as unknown; acetylcholine or GABA together with glutamate follows
  acetylcholine or GABA;
* a pair joined only by gap junctions takes ``electrical`` (default +1: a gap
  junction passes a depolarisation on with its sign). Gap junctions are symmetric,
  so such a pair is a reciprocal edge.

``signed=False`` returns the unsigned counts. Self-loops (autapses) are dropped
unless ``self_loops=True``; the null models and the motif census expect none.

Examples
--------
>>> data = load_connectome("cook2019")
>>> len(data.names), data.adjacency.shape
(302, (302, 302))
>>> sorted(set(data.roles))
['inter', 'motor', 'sensory']
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["CONNECTOMES", "ALIASES", "SYNAPSE_TYPES", "Connectome", "load_connectome", "read_connectome_file",
           "transmitter_polarity", "data_directory"]

#: Data sets shipped with the package.
CONNECTOMES = ("cook2019_hermaphrodite", "varshney2011")
#: Short names accepted by :func:`load_connectome`.
ALIASES = {"cook2019": "cook2019_hermaphrodite", "cook": "cook2019_hermaphrodite", "varshney": "varshney2011"}
SYNAPSE_TYPES = ("chemical", "electrical")
FORMAT = "motifeffect-connectome/1"


def data_directory():
    """The folder holding the shipped connectome files."""
    return Path(__file__).resolve().parent / "data" / "connectome"


@dataclass(frozen=True, eq=False)
class Connectome:
    """A loaded connectome.

    Attributes
    ----------
    name : str
        Canonical data-set name.
    names : tuple of str, length n
        Neuron names, in the adjacency's order (alphabetical).
    roles : tuple of str, length n
        "sensory", "inter" or "motor".
    adjacency : scipy.sparse.csr_array, shape (n, n)
        Signed (or unsigned) synapse counts, entry (i, j) = synapse i→j.
    transmitters : tuple of str, length n
        Presynaptic transmitter(s) as given by the source ("" when unknown).
    polarity : ndarray of int8, shape (n,)
        The sign each neuron's chemical synapses take under the chosen convention.
    citation, licence : str
    """

    name: str
    names: tuple
    roles: tuple
    adjacency: sp.csr_array
    transmitters: tuple
    polarity: np.ndarray
    citation: str
    licence: str

    def index(self, neuron):
        """Row / column of a neuron name."""
        try:
            return self.names.index(neuron)
        except ValueError:
            raise KeyError(f"no neuron named {neuron!r} in {self.name}") from None


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expected_checksums(directory):
    checksums = {}
    for line in (directory / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, filename = line.split()
            checksums[filename] = digest
    return checksums


def read_connectome_file(path, checksum=None):
    """Read one exported JSON file, verifying its SHA-256 when ``checksum`` is given.

    Returns
    -------
    dict
        The file's content (keys ``name, neurons, roles, transmitters, chemical, electrical, citation, licence, …``).
    """
    path = Path(path)
    if checksum is not None:
        actual = _sha256(path)
        if actual != checksum:
            raise ValueError(f"{path.name}: SHA-256 mismatch (expected {checksum}, got {actual}).")
    content = json.loads(path.read_text(encoding="utf-8"))
    if content.get("format") != FORMAT:
        raise ValueError(f"{path.name}: not a {FORMAT} file.")
    return content


def transmitter_polarity(transmitter, glutamate=1, unknown=1):
    """Sign of a neuron's chemical synapses from its transmitter string (see the module docstring).

    Examples
    --------
    >>> [transmitter_polarity(t) for t in ("Acetylcholine", "GABA", "Glutamate", "")]
    [1, -1, 1, 1]
    >>> transmitter_polarity("Glutamate", glutamate=-1), transmitter_polarity("Dopamine", unknown=0)
    (-1, 0)
    """
    text = transmitter.lower()
    cholinergic, gabaergic = "acetylcholine" in text, "gaba" in text
    if cholinergic and not gabaergic:
        return 1
    if gabaergic and not cholinergic:
        return -1
    if "glutamate" in text and not (cholinergic or gabaergic):
        return int(glutamate)
    return int(unknown)


def _check_sign(value, name, allow_zero=False):
    allowed = (-1, 0, 1) if allow_zero else (-1, 1)
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")
    return int(value)


def load_connectome(name, synapses=("chemical", "electrical"), signed=True, glutamate=1, unknown=1, electrical=1,
                    self_loops=False):
    """Load a shipped connectome as a sparse signed adjacency with neuron names and roles.

    Parameters
    ----------
    name : str
        One of :data:`CONNECTOMES` or :data:`ALIASES`.
    synapses : tuple of {"chemical", "electrical"}, default both
        Which synapses make edges.
    signed : bool, default True
        Signed counts (polarity convention of the module docstring) or plain counts.
    glutamate, unknown : {-1, 1}, default 1
        Polarity of glutamatergic neurons and of neurons without a classical
        transmitter (``unknown=0`` is allowed and drops their chemical edges from the signed view).
    electrical : {-1, 1}, default 1
        Sign of pairs joined only by gap junctions.
    self_loops : bool, default False
        Keep autapses on the diagonal.

    Returns
    -------
    Connectome

    Examples
    --------
    >>> data = load_connectome("cook2019", synapses=("chemical",), signed=False)
    >>> int(data.adjacency[data.index("AVAL"), data.index("AVAR")]) > 0
    True
    """
    canonical = ALIASES.get(name, name)
    if canonical not in CONNECTOMES:
        raise ValueError(f"name must be one of {CONNECTOMES + tuple(ALIASES)}, got {name!r}.")
    synapses = tuple(synapses) if not isinstance(synapses, str) else (synapses,)
    if not synapses or any(kind not in SYNAPSE_TYPES for kind in synapses):
        raise ValueError(f"synapses must be a non-empty subset of {SYNAPSE_TYPES}, got {synapses!r}.")
    glutamate = _check_sign(glutamate, "glutamate")
    unknown = _check_sign(unknown, "unknown", allow_zero=True)
    electrical = _check_sign(electrical, "electrical")
    directory = data_directory()
    filename = f"{canonical}.json"
    content = read_connectome_file(directory / filename, _expected_checksums(directory)[filename])
    names = tuple(content["neurons"])
    n = len(names)
    transmitters = tuple(content["transmitters"])
    polarity = np.array([transmitter_polarity(t, glutamate, unknown) for t in transmitters], dtype=np.int8)

    def matrix(key, symmetric):
        entries = np.asarray(content[key], dtype=np.int64).reshape(-1, 3)
        rows, cols, counts = entries[:, 0], entries[:, 1], entries[:, 2].astype(float)
        if symmetric:
            off = rows != cols
            rows, cols, counts = (np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]]),
                                  np.concatenate([counts, counts[off]]))
        return sp.csr_array((counts, (rows, cols)), shape=(n, n))

    chemical = matrix("chemical", False) if "chemical" in synapses else sp.csr_array((n, n))
    gap = matrix("electrical", True) if "electrical" in synapses else sp.csr_array((n, n))
    counts = sp.csr_array(chemical + gap)
    if signed:
        has_chemical = (chemical != 0).astype(float)
        has_gap = (gap != 0).astype(float)
        gap_only = has_gap - has_gap.multiply(has_chemical)
        # sign = presynaptic polarity where a chemical synapse exists, `electrical` on gap-only pairs
        sign = sp.diags_array(polarity.astype(float)) @ has_chemical + electrical * gap_only
        counts = sp.csr_array(counts.multiply(sign))
    if not self_loops:
        counts.setdiag(0)
    counts = sp.csr_array(counts)
    counts.eliminate_zeros()
    counts.sort_indices()
    return Connectome(canonical, names, tuple(content["roles"]), counts, transmitters, polarity,
                      content["citation"], content["licence"])
