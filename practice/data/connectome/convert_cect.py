"""Export C. elegans connectomes from the C. elegans Connectome Toolbox (cect) into small JSON files.

Run once, in a separate environment (cect is ≈ 1.2 GB installed and needs numpy < 2.4,
so it is *not* a dependency of this package and this script is never imported by it)::

    python3 -m venv cect-venv
    cect-venv/bin/pip install cect==0.3.5
    cect-venv/bin/python practice/data/connectome/convert_cect.py practice/data/connectome

It writes, into the given folder:

* ``cook2019_hermaphrodite.json`` — Cook et al. 2019, hermaphrodite, neurons only;
* ``varshney2011.json`` — Varshney et al. 2011, neurons only;
* ``SHA256SUMS`` — the SHA-256 of each JSON file (checked by ``practice.connectome`` on load).

Each JSON file holds (format ``motifeffect-connectome/1``): ``neurons`` (sorted
names), ``roles`` ("sensory", "inter" or "motor"), ``classes`` (cect's finer
class of each neuron), ``transmitters`` (the neuron's transmitters from Wang et al.
2024, joined by "+", "" when unknown), ``chemical`` ([pre, post, count], directed),
``electrical`` ([a, b, count] with a < b, symmetric), and the citation, licence and
provenance notes. Counts are the source's numbers: synapses for Varshney 2011,
serial EM sections (a size-weighted synapse measure) for Cook 2019. Self-loops are
kept as the source gives them.

Roles: cect's Cook 2019 classes — sensory neurons → "sensory", interneurons
(including the pharyngeal interneurons and the RIP linkers) → "inter", head,
sublateral, ventral-cord, HSN/VC and pharyngeal motor neurons → "motor". The
pharyngeal polymodal neurons (MI, NSML/R, MCL/R) and the canal neurons CANL/R,
which Cook 2019 does not place in those three classes, become "inter" (their cect
class is kept in ``classes``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

FORMAT = "motifeffect-connectome/1"
CECT_LICENCE = "cect (C. elegans Connectome Toolbox, OpenWorm) is MIT-licensed (Copyright (c) 2026 OpenWorm)."

DATASETS = {
    "cook2019_hermaphrodite": {
        "reader": "Cook2019HermReader",
        "title": "Cook et al. 2019, adult hermaphrodite (neurons only)",
        "citation": ("Cook SJ, Jarrell TA, Brittin CA, Wang Y, Bloniarz AE, Yakovlev MA, Nguyen KCQ, Tang LT-H, "
                     "Bayer EA, Duerr JS, Bülow HE, Hobert O, Hall DH, Emmons SW. Whole-animal connectomes of both "
                     "Caenorhabditis elegans sexes. Nature 571, 63–71 (2019). doi:10.1038/s41586-019-1352-7"),
        "counts": "serial EM sections of each connection (synapse number weighted by size), as in the source's "
                  "SI 5 adjacency matrices (corrected July 2020)",
        "data_licence": ("Supplementary data of a Nature article, redistributed by the cect package (MIT) of "
                         "OpenWorm; cite the article when using it."),
    },
    "varshney2011": {
        "reader": "VarshneyDataReader",
        "title": "Varshney et al. 2011, hermaphrodite somatic nervous system (neurons only)",
        "citation": ("Varshney LR, Chen BL, Paniagua E, Hall DH, Chklovskii DB. Structural properties of the "
                     "Caenorhabditis elegans neuronal network. PLoS Comput Biol 7(2): e1001066 (2011). "
                     "doi:10.1371/journal.pcbi.1001066"),
        "counts": "number of synapses (chemical: the presynaptic 'S'/'Sp' entries; gap junctions: 'EJ')",
        "data_licence": ("Data of an open-access PLoS article (CC BY 4.0) as distributed by WormAtlas and by the "
                         "cect package (MIT) of OpenWorm; cite the article when using it."),
    },
}

TRANSMITTER_CITATION = ("Wang C, Vidal B, Sural S, Loer C, Aguilar GR, Merritt DM, Toker IA, Vogt MC, Cros CC, "
                        "Hobert O. A neurotransmitter atlas of C. elegans males and hermaphrodites. eLife 13:RP95402 "
                        "(2024). doi:10.7554/eLife.95402 (as read by cect's Wang2024Reader)")


def _roles():
    from cect import Cells

    roles, classes = {}, {}
    groups = [
        ("sensory", "sensory neuron", Cells.SENSORY_NEURONS_COOK),
        ("inter", "interneuron", Cells.INTERNEURONS_COOK),
        ("motor", "motor neuron", Cells.MOTORNEURONS_COOK),
        ("inter", "pharyngeal polymodal neuron", Cells.PHARYNGEAL_POLYMODAL_NEURONS),
        ("inter", "unknown function (canal neuron)", Cells.UNKNOWN_FUNCTION_NEURONS),
    ]
    for role, label, cells in groups:
        for cell in cells:
            if cell in roles and roles[cell] != role:
                raise ValueError(f"{cell} is both {roles[cell]} and {role} in cect's classes")
            roles.setdefault(cell, role)
            classes.setdefault(cell, label)
    return roles, classes


def _transmitters():
    from cect.readers.Wang2024Reader import Wang2024Reader

    reader = Wang2024Reader(sex="Hermaphrodite")
    return {cell: "+".join(sorted(t for t in values if t)) for cell, values in reader.all_neurotransmitters.items()}


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def export(name, spec, roles, classes, transmitters):
    import importlib

    from cect import Cells

    module = importlib.import_module(f"cect.readers.{spec['reader']}")
    reader = module.get_instance(from_cache=True)
    connections = reader.get_current_connection_info_list()
    neurons = sorted({c.pre_cell for c in connections} | {c.post_cell for c in connections})
    neurons = [cell for cell in neurons if Cells.is_herm_neuron(cell)]
    missing = [cell for cell in neurons if cell not in roles]
    if missing:
        raise ValueError(f"{name}: no role for {missing}")
    index = {cell: i for i, cell in enumerate(neurons)}
    chemical, electrical = {}, {}
    for c in connections:
        if c.pre_cell not in index or c.post_cell not in index:
            continue
        pre, post = index[c.pre_cell], index[c.post_cell]
        if c.syntype == "Chemical":
            key = (pre, post)
            if key in chemical:
                raise ValueError(f"{name}: duplicate chemical entry {c.pre_cell}->{c.post_cell}")
            chemical[key] = _number(c.number)
        elif c.syntype == "GapJunction":
            key = (min(pre, post), max(pre, post))
            number = _number(c.number)
            # a gap junction may be listed from both sides: the two entries must agree
            if key in electrical and electrical[key] != number:
                raise ValueError(f"{name}: asymmetric gap junction {c.pre_cell}-{c.post_cell}: "
                                 f"{electrical[key]} vs {number}")
            electrical[key] = number
    import cect

    return {
        "format": FORMAT,
        "name": name,
        "title": spec["title"],
        "citation": spec["citation"],
        "counts": spec["counts"],
        "transmitter_source": TRANSMITTER_CITATION,
        "licence": f"{spec['data_licence']} {CECT_LICENCE}",
        "source": f"cect {getattr(cect, '__version__', '?')}, reader {spec['reader']} (from its cache)",
        "neurons": neurons,
        "roles": [roles[cell] for cell in neurons],
        "classes": [classes[cell] for cell in neurons],
        "transmitters": [transmitters.get(cell, "") for cell in neurons],
        "chemical": [[pre, post, number] for (pre, post), number in sorted(chemical.items())],
        "electrical": [[a, b, number] for (a, b), number in sorted(electrical.items())],
    }


def _dump(content):
    """JSON with one edge per line (short diffs, still small)."""
    lines = ["{"]
    items = list(content.items())
    for position, (key, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        if key in ("chemical", "electrical"):
            body = ",\n".join(f"  {json.dumps(edge)}" for edge in value)
            lines.append(f'"{key}": [\n{body}\n]{comma}')
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    roles, classes = _roles()
    transmitters = _transmitters()
    sums = []
    for name, spec in DATASETS.items():
        text = _dump(export(name, spec, roles, classes, transmitters)).encode("utf-8")
        (folder / f"{name}.json").write_bytes(text)
        sums.append(f"{hashlib.sha256(text).hexdigest()}  {name}.json")
        print(f"{name}: {len(text)} bytes")
    (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent)
