"""Motif-constrained NEAT on neat-python 2.0.

The adjusted strategies of the study forbid one family of three-node
feed-forward loops in every evolved network. Reproduction does **rejection
sampling**: a child (crossover of two parents drawn from the surviving members,
then mutation) that contains a forbidden loop is thrown away and a new child is
bred from two freshly drawn parents; nothing is ever repaired. Elites are copied
unchecked (they passed the check when they were born).

Strategies (agent letter → ``remove_type`` → what is forbidden):

=====  ==============  ==================  =========================================
agent  ``remove_type``  forbidden          networks may contain
=====  ==============  ==================  =========================================
"b"    ``None``         nothing            anything (baseline)
"i"    "i"              incoherent loops   coherent loops + colliders
"c"    "c"              coherent loops     incoherent loops + colliders
"a"    "a"              all loops          colliders only
=====  ==============  ==================  =========================================

The classes plug into neat-python 2.0 through its extension points: genome and
genome-config subclasses (the config section is the class name), a
reproduction subclass (``parse_config`` with extra :class:`ConfigParameter`\\ s,
the library's :class:`~neat.innovation.InnovationTracker` owned by the
reproduction object). Two switches, both readable from the config file and
overridable in :func:`practice.agent.create_agent_config`:

``neat_semantics`` (genome section, default "0.92")
    "0.92" replays the genome operators and reproduction details of neat-python
    0.92, which the study ran on (crossover homology by connection key, fresh
    bias for a split node, outputs allowed as connection sources, spawn sizes
    not forced to ``pop_size``); "2.0" uses neat-python 2.0.0's own operators.
    See ``docs/neat-semantics.md``.
``semantics`` (reproduction section, default "reference")
    "reference" reproduces the original: the motif filter ignores edges whose
    source is an output node and the rejection loop has no retry limit.
    "corrected" filters on the strict adjacency (output-sourced edges kept) and
    raises :class:`RuntimeError` after ``max_retries`` rejected children.

Examples
--------
>>> from types import SimpleNamespace as NS
>>> config = NS(num_inputs=1, num_outputs=1, input_keys=[-1], output_keys=[0])
>>> gene = lambda w: NS(weight=w, enabled=True)
>>> genome = NS(nodes={0: None, 1: None},
...             connections={(-1, 1): gene(0.5), (1, 0): gene(0.5), (-1, 0): gene(-0.5)})
>>> create_adjacency_matrix(genome, config).shape   # 1 input + 1 output + 2 nodes (padded)
(4, 4)
>>> AdjustedReproduction.detect(genome, config, remove_type="i")   # incoherent loop
True
"""

from __future__ import annotations

import math
import random

import numpy as np
from neat.attributes import BoolAttribute, FloatAttribute, StringAttribute
from neat.config import ConfigParameter, DefaultClassConfig
from neat.genes import BaseGene, DefaultConnectionGene, DefaultNodeGene
from neat.genome import DefaultGenome, DefaultGenomeConfig
from neat.graphs import creates_cycle
from neat.math_util import mean
from neat.reproduction import DefaultReproduction

from practice.census import REMOVE_TYPES, has_forbidden_loop

__all__ = [
    "AdjustedGenome",
    "AdjustedGenomeConfig",
    "AdjustedReproduction",
    "BaselineGenome",
    "BaselineReproduction",
    "create_adjacency_matrix",
    "NEAT_SEMANTICS",
    "SEMANTICS",
    "ADJACENCY_MODES",
    "REMOVE_TYPES",
]

NEAT_SEMANTICS = ("0.92", "2.0")
SEMANTICS = ("reference", "corrected")
ADJACENCY_MODES = ("reference", "strict")
#: Retry cap of the rejection loop in ``semantics="corrected"`` (reference: none).
DEFAULT_MAX_RETRIES = 10000


def _check_choice(value, allowed, name):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def _genome_config(config):
    """Accept a ``neat.Config`` or its ``genome_config``."""
    return getattr(config, "genome_config", config)


# ----------------------------------------------------------------------------------------------
# Adjacency matrix and the motif filter
# ----------------------------------------------------------------------------------------------

def create_adjacency_matrix(model_genome, genome_config, consider_enable=True, mode="reference"):
    """Weighted adjacency matrix of a genome's connection graph.

    Row/column layout: inputs first (key ``-num_inputs + k`` ↦ ``k``, so key -1 is
    row ``num_inputs - 1``), then the genome's nodes.

    Parameters
    ----------
    model_genome : neat genome
        Needs ``nodes`` (dict key -> gene) and ``connections`` ((in, out) ->
        gene with ``weight`` and ``enabled``).
    genome_config : neat genome config or ``neat.Config``
        Needs ``num_inputs``, ``num_outputs``, ``output_keys``.
    consider_enable : bool, default True
        Only enabled connections are edges when True; every gene otherwise (the
        reproduction's filter uses False: a disabled gene can be re-enabled).
    mode : {"reference", "strict"}, default "reference"
        "reference" (the original): size ``num_inputs + num_outputs + len(nodes)``
        — ``nodes`` already holds the outputs, so the last ``num_outputs``
        rows/columns are always zero — with the nodes in dict order after the
        inputs; then input→input entries and every entry from an output row to a
        column ``>= num_inputs + num_outputs`` (output→hidden edges) are erased,
        so loops through an output node are invisible to the filter.
        "strict": size ``num_inputs + len(nodes)``, outputs at rows
        ``num_inputs .. num_inputs + num_outputs - 1`` in ``output_keys`` order,
        hidden nodes after them in dict order, every edge kept.

    Returns
    -------
    ndarray, float64, shape (n, n)
        ``A[i, j]`` = weight of the connection i→j (0.0 if absent).

    Raises
    ------
    ValueError
        For an unknown ``mode`` or a connection to/from an unknown node.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> config = NS(num_inputs=1, num_outputs=1, input_keys=[-1], output_keys=[0])
    >>> genome = NS(nodes={0: None, 5: None},
    ...             connections={(-1, 0): NS(weight=0.3, enabled=True), (0, 5): NS(weight=0.7, enabled=True)})
    >>> create_adjacency_matrix(genome, config).tolist()          # output->hidden erased
    [[0.0, 0.3, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    >>> create_adjacency_matrix(genome, config, mode="strict").tolist()
    [[0.0, 0.3, 0.0], [0.0, 0.0, 0.7], [0.0, 0.0, 0.0]]
    """
    _check_choice(mode, ADJACENCY_MODES, "mode")
    config = _genome_config(genome_config)
    n_in, n_out = int(config.num_inputs), int(config.num_outputs)
    index = {-n_in + k: k for k in range(n_in)}
    if mode == "reference":
        size = n_in + n_out + len(model_genome.nodes)
        for position, key in enumerate(model_genome.nodes):
            index[key] = n_in + position
    else:
        size = n_in + len(model_genome.nodes)
        outputs = list(config.output_keys)
        hidden = [key for key in model_genome.nodes if key not in set(outputs)]
        for position, key in enumerate(outputs + hidden):
            index[key] = n_in + position
    matrix = np.zeros((size, size))
    for (source, target), gene in model_genome.connections.items():
        if consider_enable and not gene.enabled:
            continue
        if source not in index or target not in index:
            raise ValueError(f"model_genome: connection {(source, target)} touches an unknown node")
        matrix[index[source], index[target]] = gene.weight
    if mode == "reference":
        matrix[:n_in, :n_in] = 0.0
        matrix[n_in:n_in + n_out, n_in + n_out:] = 0.0
    return matrix


def _detect(model_genome, genome_config, remove_type, mode):
    if remove_type is None:
        return False
    matrix = create_adjacency_matrix(model_genome, genome_config, consider_enable=False, mode=mode)
    return has_forbidden_loop(matrix, remove_type)


# ----------------------------------------------------------------------------------------------
# Genome and genome config
# ----------------------------------------------------------------------------------------------

class AdjustedGenomeConfig(DefaultGenomeConfig):
    """neat-python 2.0 genome config with the study's extra keys.

    Extra keys of the genome section (popped before the parent parses the rest,
    so the parent's validation is untouched):

    ``remove_type`` : {"i", "c", "a"}
        Required for adjusted genomes; absent (``None``) for the baseline.
    ``neat_semantics`` : {"0.92", "2.0"}, optional, default "0.92"
        Genome-operator rule set (module docstring).

    Parameters
    ----------
    params : dict
        Raw key -> string values of the genome section (plus the gene types
        injected by ``parse_config``).
    section_name : str, default "AdjustedGenome"
    require_remove_type : bool, default True

    Raises
    ------
    RuntimeError
        A required key is missing (neat-python's own error) or ``remove_type``
        is missing although required.
    ValueError
        ``remove_type`` or ``neat_semantics`` has a value outside the allowed ones.
    """

    def __init__(self, params, section_name="AdjustedGenome", require_remove_type=True):
        params = dict(params)
        remove_type = params.pop("remove_type", None)
        neat_semantics = params.pop("neat_semantics", "0.92")
        super().__init__(params, section_name)
        if remove_type is None or str(remove_type).strip().lower() in ("", "none"):
            if require_remove_type:
                raise RuntimeError(f"Missing required configuration item in [{section_name}] section: "
                                   f"'remove_type' (one of {REMOVE_TYPES})")
            remove_type = None
        else:
            remove_type = _check_choice(str(remove_type).strip(), REMOVE_TYPES, "remove_type")
        self.remove_type = remove_type
        self.neat_semantics = _check_choice(str(neat_semantics).strip(), NEAT_SEMANTICS, "neat_semantics")
        self._params = self._params + [ConfigParameter("remove_type", str),
                                       ConfigParameter("neat_semantics", str, "0.92")]

    def save(self, f):
        remove_type = self.remove_type
        if remove_type is None:  # baseline: write nothing for remove_type
            self._params = [p for p in self._params if p.name != "remove_type"]
        try:
            super().save(f)
        finally:
            if remove_type is None:
                self._params = self._params + [ConfigParameter("remove_type", str)]


class AdjustedGenome(DefaultGenome):
    """neat-python 2.0 genome with the study's config and 0.92 operators.

    Reads its configuration from the ``[AdjustedGenome]`` section (which needs
    ``remove_type``). With ``neat_semantics = 0.92`` (default) the operators
    follow neat-python 0.92:

    * crossover: the fitter parent (ties → the second argument) is parent 1;
      the child takes parent 1's connection keys in parent 1's order; a key
      present in both parents takes each attribute (weight, enabled) from either
      parent with probability ½ — homology by connection key, no cycle check,
      no "75 % disabled" rule; node genes likewise over parent 1's nodes;
    * add node: the new node's bias is a fresh draw (2.0: 0.0);
    * add connection: the source is drawn from all nodes and inputs (2.0
      excludes outputs), output→output and cycles are refused.

    Connection genes still carry 2.0 innovation numbers from the reproduction's
    tracker (parent 1's number in a crossover child). With
    ``neat_semantics = 2.0`` every operator is neat-python 2.0.0's.
    """

    remove_type_required = True

    @classmethod
    def parse_config(cls, param_dict):
        param_dict["node_gene_type"] = DefaultNodeGene
        param_dict["connection_gene_type"] = DefaultConnectionGene
        return AdjustedGenomeConfig(param_dict, cls.__name__, require_remove_type=cls.remove_type_required)

    @staticmethod
    def _is_092(config):
        return getattr(config, "neat_semantics", "0.92") == "0.92"

    def configure_crossover(self, genome1, genome2, config):
        """Child genes from two parents (0.92: homology by connection key)."""
        if not self._is_092(config):
            return super().configure_crossover(genome1, genome2, config)
        if genome1.fitness > genome2.fitness:
            parent1, parent2 = genome1, genome2
        else:
            parent1, parent2 = genome2, genome1
        for key, gene1 in parent1.connections.items():
            gene2 = parent2.connections.get(key)
            self.connections[key] = _copy_gene(gene1) if gene2 is None else _mix_genes(gene1, gene2)
        for key, node1 in parent1.nodes.items():
            node2 = parent2.nodes.get(key)
            if node2 is None:
                self.nodes[key] = _copy_gene(node1)
            elif type(node1).crossover is BaseGene.crossover and not hasattr(node1, "enabled"):
                self.nodes[key] = _mix_genes(node1, node2)   # neat's crossover without the 'enabled' rule
            else:
                self.nodes[key] = node1.crossover(node2)

    def mutate_add_node(self, config):
        """Split a random connection (0.92: the new node keeps its drawn bias)."""
        if not self._is_092(config):
            return super().mutate_add_node(config)
        if not self.connections:
            if config.check_structural_mutation_surer():
                self.mutate_add_connection(config)
            return
        split = random.choice(list(self.connections.values()))
        key = config.get_new_node_key(self.nodes)
        self.nodes[key] = self.create_node(config, key)
        split.enabled = False
        source, target = split.key
        tracker = config.innovation_tracker
        self.add_connection(config, source, key, 1.0, True,
                            innovation=tracker.get_innovation_number(source, key, "add_node_in"))
        self.add_connection(config, key, target, split.weight, True,
                            innovation=tracker.get_innovation_number(key, target, "add_node_out"))

    def mutate(self, config):
        """neat-python 2.0's ``DefaultGenome.mutate`` (structural draws, then every gene), with the
        attribute mutations of :func:`_mutate_genes` (the same draws, config read once per genome)."""
        if config.single_structural_mutation:
            div = max(1, (config.node_add_prob + config.node_delete_prob +
                          config.conn_add_prob + config.conn_delete_prob))
            r = random.random()
            if r < (config.node_add_prob / div):
                self.mutate_add_node(config)
            elif r < ((config.node_add_prob + config.node_delete_prob) / div):
                self.mutate_delete_node(config)
            elif r < ((config.node_add_prob + config.node_delete_prob + config.conn_add_prob) / div):
                self.mutate_add_connection(config)
            elif r < ((config.node_add_prob + config.node_delete_prob +
                       config.conn_add_prob + config.conn_delete_prob) / div):
                self.mutate_delete_connection()
        else:
            if random.random() < config.node_add_prob:
                self.mutate_add_node(config)
            if random.random() < config.node_delete_prob:
                self.mutate_delete_node(config)
            if random.random() < config.conn_add_prob:
                self.mutate_add_connection(config)
            if random.random() < config.conn_delete_prob:
                self.mutate_delete_connection()
        _mutate_genes(self.connections.values(), config)
        _mutate_genes(self.nodes.values(), config)

    def mutate_add_connection(self, config):
        """Add a random connection (0.92: outputs may be sources)."""
        if not self._is_092(config):
            return super().mutate_add_connection(config)
        if config.innovation_tracker is None:
            raise RuntimeError("genome_config.innovation_tracker is not set; mutate inside a reproduction "
                               "object's create_new/reproduce")
        targets = list(self.nodes)
        target = random.choice(targets)
        source = random.choice(targets + list(config.input_keys))
        key = (source, target)
        if key in self.connections:
            if config.check_structural_mutation_surer():
                self.connections[key].enabled = True
            return
        if source in config.output_keys and target in config.output_keys:
            return
        if config.feed_forward and creates_cycle(list(self.connections), key):
            return
        innovation = config.innovation_tracker.get_innovation_number(source, target, "add_connection")
        gene = self.create_connection(config, source, target, innovation)
        self.connections[gene.key] = gene


def _attribute_mutator(attribute, config):
    """``value -> attribute.mutate_value(value, config)`` with the config values read once.

    Draws exactly what neat-python 2.0's ``mutate_value`` draws from Python's
    ``random`` (same calls, same order, same comparisons), so results are identical.
    """
    if type(attribute) is FloatAttribute:
        rate = getattr(config, attribute.mutate_rate_name)
        power = getattr(config, attribute.mutate_power_name)
        either = getattr(config, attribute.replace_rate_name) + rate
        low, high = getattr(config, attribute.min_value_name), getattr(config, attribute.max_value_name)
        init_value, uniform_draw, gauss = attribute.init_value, random.random, random.gauss

        def mutate_float(value):
            r = uniform_draw()
            if r < rate:
                return max(min(value + gauss(0.0, power), high), low)
            if r < either:
                return init_value(config)
            return value

        return mutate_float
    if type(attribute) is BoolAttribute:
        rate = getattr(config, attribute.mutate_rate_name)
        rate_if_true = rate + getattr(config, attribute.rate_to_false_add_name)
        rate_if_false = rate + getattr(config, attribute.rate_to_true_add_name)
        uniform_draw = random.random

        def mutate_bool(value):
            current = rate_if_true if value else rate_if_false
            if current > 0 and uniform_draw() < current:
                return uniform_draw() < 0.5
            return value

        return mutate_bool
    if type(attribute) is StringAttribute:
        rate = getattr(config, attribute.mutate_rate_name)
        if not rate > 0:
            return None                        # never changes, draws nothing
        options, uniform_draw = getattr(config, attribute.options_name), random.random

        def mutate_string(value):
            return random.choice(options) if uniform_draw() < rate else value

        return mutate_string
    return lambda value: attribute.mutate_value(value, config)


def _mutate_genes(genes, config):
    """``gene.mutate(config)`` for every gene, in order, with per-class mutators built once."""
    plans = {}
    for gene in genes:
        cls = type(gene)
        if cls.mutate is not BaseGene.mutate:       # a gene class with its own mutate
            gene.mutate(config)
            continue
        plan = plans.get(cls)
        if plan is None:
            plan = plans[cls] = [(a.name, mutator) for a in cls._gene_attributes
                                 if (mutator := _attribute_mutator(a, config)) is not None]
        for name, mutator in plan:
            setattr(gene, name, mutator(getattr(gene, name)))


def _copy_gene(gene):
    """``gene.copy()``: neat's ``BaseGene.copy`` (key, innovation, attributes) without its per-attribute loop."""
    cls = type(gene)
    if cls.copy is not BaseGene.copy:
        return gene.copy()
    child = cls.__new__(cls)
    child.__dict__.update(gene.__dict__)
    return child


def _mix_genes(gene1, gene2):
    """0.92 ``BaseGene.crossover``: each attribute from either gene with p = ½ (innovation of gene1).

    One ``random()`` per attribute in attribute order, ``> 0.5`` keeping gene1's
    value, as neat-python's crossover (which for connection genes then adds a
    "75 % disabled" draw that 0.92 does not have).
    """
    child = _copy_gene(gene1)
    for attribute in gene1._gene_attributes:
        if not random.random() > 0.5:
            setattr(child, attribute.name, getattr(gene2, attribute.name))
    return child


#: Baseline genome: the same operators, no ``remove_type``. Its ``__name__`` is
#: "DefaultGenome" because neat-python reads the genome section named after the
#: class, and the baseline config files use ``[DefaultGenome]``.
BaselineGenome = type("DefaultGenome", (AdjustedGenome,), {
    "__module__": __name__, "__qualname__": "BaselineGenome", "remove_type_required": False,
    "__doc__": "Baseline genome: :class:`AdjustedGenome` operators, no motif restriction, section "
               "``[DefaultGenome]``."})


# ----------------------------------------------------------------------------------------------
# Reproduction
# ----------------------------------------------------------------------------------------------

class AdjustedReproduction(DefaultReproduction):
    """Motif-constrained reproduction by rejection sampling.

    Config section ``[AdjustedReproduction]``: neat's ``elitism``,
    ``survival_threshold``, ``min_species_size`` plus the optional
    ``semantics`` ("reference" | "corrected", default "reference") and
    ``max_retries`` (int, default 10000; used only when corrected).

    ``reproduce`` follows neat-python's ``DefaultReproduction.reproduce``
    (stagnation, adjusted fitness with range ``max(1, max − min)``, spawn
    amounts with ``min_species_size = max(min_species_size, elitism)``, elites
    copied unchecked, parents = top ``ceil(survival_threshold · size)`` (≥ 2))
    except the offspring loop: the child id is drawn once, then
    ``{parent1, parent2 = random.choice(...) twice; crossover; mutate}`` repeats
    until :meth:`detect` is False; ancestry records the accepted pair. With the
    genome config's ``neat_semantics = 0.92`` spawn amounts are not forced to
    sum to ``pop_size`` and members are sorted by fitness only (stable); with
    "2.0" neat-python 2.0's exact spawn adjustment and (fitness, id) sort are used.
    """

    @classmethod
    def parse_config(cls, param_dict):
        config = DefaultClassConfig(param_dict,
                                    [ConfigParameter("elitism", int, 0),
                                     ConfigParameter("survival_threshold", float, 0.2),
                                     ConfigParameter("min_species_size", int, 1),
                                     ConfigParameter("semantics", str, "reference"),
                                     ConfigParameter("max_retries", int, DEFAULT_MAX_RETRIES)],
                                    cls.__name__)
        _check_choice(config.semantics, SEMANTICS, "semantics")
        if config.max_retries < 1:
            raise ValueError(f"max_retries must be a positive integer, got {config.max_retries}")
        return config

    def __init__(self, config, reporters, stagnation):
        super().__init__(config, reporters, stagnation)
        #: Rejected children per generation (list of ints), for diagnostics.
        self.rejections = []

    @property
    def semantics(self):
        return getattr(self.reproduction_config, "semantics", "reference")

    @property
    def max_retries(self):
        return getattr(self.reproduction_config, "max_retries", DEFAULT_MAX_RETRIES)

    @staticmethod
    def detect(model_genome, genome_config, remove_type=None, mode="reference"):
        """True if the genome contains a loop of the forbidden family.

        Uses the closed form on ``create_adjacency_matrix(genome, config,
        consider_enable=False, mode=mode)`` — disabled genes count as edges.

        Parameters
        ----------
        model_genome : neat genome
        genome_config : genome config or ``neat.Config``
        remove_type : {"i", "c", "a"} or None
            Defaults to ``genome_config.remove_type``; None → never forbidden.
        mode : {"reference", "strict"}

        Returns
        -------
        bool
        """
        config = _genome_config(genome_config)
        if remove_type is None:
            remove_type = getattr(config, "remove_type", None)
        return _detect(model_genome, config, remove_type, mode)

    def _filter_mode(self):
        return "reference" if self.semantics == "reference" else "strict"

    def create_new(self, genome_type, genome_config, num_genomes):
        """Fresh genomes, each re-created until it passes the filter."""
        genome_config.innovation_tracker = self.innovation_tracker
        mode = self._filter_mode()
        genomes = {}
        for _ in range(num_genomes):
            key = next(self.genome_indexer)
            attempts = 0
            while True:
                genome = genome_type(key)
                genome.configure_new(genome_config)
                attempts += 1
                if not self.detect(genome, genome_config, mode=mode):
                    break
                self._check_attempts(attempts, genome_config, "a new genome")
            genomes[key] = genome
            self.ancestors[key] = tuple()
        return genomes

    def _check_attempts(self, attempts, genome_config, what):
        if self.semantics == "corrected" and attempts >= self.max_retries:
            raise RuntimeError(
                f"AdjustedReproduction: {attempts} consecutive candidates for {what} contained a forbidden "
                f"loop (remove_type={getattr(genome_config, 'remove_type', None)!r}); giving up after "
                f"max_retries={self.max_retries}. Raise max_retries or check the configuration.")

    def reproduce(self, config, species, pop_size, generation):
        """Next generation: elites unchecked, children by rejection sampling.

        Parameters
        ----------
        config : neat.Config
        species : neat.DefaultSpeciesSet
        pop_size : int
        generation : int

        Returns
        -------
        dict
            genome key -> genome (empty when every species stagnated).

        Raises
        ------
        RuntimeError
            ``semantics="corrected"`` and ``max_retries`` children in a row were
            rejected.
        """
        genome_config = config.genome_config
        genome_config.innovation_tracker = self.innovation_tracker
        self.innovation_tracker.reset_generation()
        exact = getattr(genome_config, "neat_semantics", "0.92") == "2.0"
        elitism = self.reproduction_config.elitism

        fitnesses, remaining = [], []
        for sid, s, stagnant in self.stagnation.update(species, generation):
            if stagnant:
                self.reporters.species_stagnant(sid, s)
            else:
                fitnesses.extend(m.fitness for m in s.members.values())
                remaining.append(s)
        if not remaining:
            species.species = {}
            return {}

        low, high = min(fitnesses), max(fitnesses)
        span = max(1.0, high - low)
        for s in remaining:
            s.adjusted_fitness = (mean([m.fitness for m in s.members.values()]) - low) / span
        adjusted = [s.adjusted_fitness for s in remaining]
        self.reporters.info(f"Average adjusted fitness: {mean(adjusted):.3f}")

        previous_sizes = [len(s.members) for s in remaining]
        min_species_size = max(self.reproduction_config.min_species_size, elitism)
        spawn_amounts = self.compute_spawn(adjusted, previous_sizes, pop_size, min_species_size)
        if exact:
            spawn_amounts = self._adjust_spawn_exact(spawn_amounts, pop_size, min_species_size)

        mode = self._filter_mode()
        rejected = 0
        population = {}
        species.species = {}
        for spawn, s in zip(spawn_amounts, remaining):
            spawn = max(spawn, elitism)
            members = list(s.members.items())
            s.members = {}
            species.species[s.key] = s
            if exact:
                members.sort(reverse=True, key=lambda item: (item[1].fitness, item[0]))
            else:
                members.sort(reverse=True, key=lambda item: item[1].fitness)
            for key, member in members[:elitism]:
                population[key] = member
                spawn -= 1
            if spawn <= 0:
                continue
            cutoff = max(int(math.ceil(self.reproduction_config.survival_threshold * len(members))), 2)
            parents = members[:cutoff]
            for _ in range(spawn):
                key, child, pair, attempts = self._breed(config, parents, mode)
                rejected += attempts - 1
                population[key] = child
                self.ancestors[key] = pair
        self.rejections.append(rejected)
        return population

    def _breed(self, config, parents, mode):
        """One accepted child (2.0 order: parents drawn before the child id)."""
        genome_config = config.genome_config
        parent1_id, parent1 = random.choice(parents)
        parent2_id, parent2 = random.choice(parents)
        key = next(self.genome_indexer)
        attempts = 0
        while True:
            if attempts:
                parent1_id, parent1 = random.choice(parents)
                parent2_id, parent2 = random.choice(parents)
            child = config.genome_type(key)
            child.configure_crossover(parent1, parent2, genome_config)
            child.mutate(genome_config)
            attempts += 1
            if not self.detect(child, genome_config, mode=mode):
                return key, child, (parent1_id, parent2_id), attempts
            self._check_attempts(attempts, genome_config, f"child {key}")


#: Baseline reproduction: the same loop without a motif filter; section ``[DefaultReproduction]``.
BaselineReproduction = type("DefaultReproduction", (AdjustedReproduction,), {
    "__module__": __name__, "__qualname__": "BaselineReproduction",
    "__doc__": ":class:`AdjustedReproduction` for the baseline genome (no motif filter), section "
               "``[DefaultReproduction]``, so that all four strategies share one reproduction."})
