"""Structure names, sign tables and parameter grids."""

import hashlib
import io

import numpy as np
import pytest

from effect.structures import (
    BIAS_VALUES,
    STRUCTURES,
    WEIGHT_MAGNITUDES,
    catcher_parameters,
    parse_structure,
    restricted_loop_signs,
    structure_parameters,
    weight_signs,
)

# First 8 hex digits of the MD5 of each published `raw/parameters/<s>.npy`.
PUBLISHED_MD5 = {
    "incoherent-loop.1": "1C4047E0", "incoherent-loop.2": "3350B5A4", "incoherent-loop.3": "ADD9D654",
    "incoherent-loop.4": "67EBC75B", "coherent-loop.1": "5B8C6E15", "coherent-loop.2": "FB2BD264",
    "coherent-loop.3": "6E19D59E", "coherent-loop.4": "FB0E69B5", "collider.1": "BFF72A6D",
    "collider.2": "5FC4A67E", "collider.3": "8A493261", "collider.4": "FADFB7C9",
}

SIGN_TABLE = {  # the paper's sign table
    "incoherent-loop": [(-1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, -1, -1)],
    "coherent-loop": [(1, 1, 1), (-1, 1, -1), (-1, -1, 1), (1, -1, -1)],
    "collider": [(1, 1), (1, -1), (-1, 1), (-1, -1)],
}


@pytest.mark.parametrize("structure", STRUCTURES)
def test_parameter_grids_hash_to_published_files(structure):
    buffer = io.BytesIO()
    np.save(buffer, structure_parameters(structure))
    assert hashlib.md5(buffer.getvalue()).hexdigest().upper()[:8] == PUBLISHED_MD5[structure]


def test_sign_table_and_coherence_rule():
    for motif_type, rows in SIGN_TABLE.items():
        for index, signs in enumerate(rows, start=1):
            assert weight_signs(motif_type, index) == signs
            if "loop" in motif_type:
                coherent = signs[0] * signs[2] == signs[1]
                assert coherent == (motif_type == "coherent-loop")


def test_reference_rows_and_index_formula():
    loops = structure_parameters("incoherent-loop.1")
    assert loops.shape == (441000, 5)
    np.testing.assert_array_equal(loops[0], [-0.1, 0.1, 0.1, -1.0, -1.0])
    np.testing.assert_array_equal(loops[1][3:], [-1.0, -0.9])
    np.testing.assert_array_equal(loops[440999], [-1.0, 1.0, 1.0, 1.0, 1.0])
    rng = np.random.default_rng(0)
    for i0, i1, i2, j0, j1 in rng.integers([0, 0, 0, 0, 0], [10, 10, 10, 21, 21], size=(20, 5)):
        n = (((i0 * 10 + i1) * 10 + i2) * 21 + j0) * 21 + j1
        expected = [-WEIGHT_MAGNITUDES[i0], WEIGHT_MAGNITUDES[i1], WEIGHT_MAGNITUDES[i2], BIAS_VALUES[j0],
                    BIAS_VALUES[j1]]
        np.testing.assert_array_equal(loops[n], expected)
    colliders = structure_parameters("collider.1")
    assert colliders.shape == (2100, 3)
    np.testing.assert_array_equal(colliders[0], [0.1, 0.1, -1.0])
    np.testing.assert_array_equal(colliders[2099], [1.0, 1.0, 1.0])
    assert colliders[(3 * 10 + 4) * 21 + 5].tolist() == [WEIGHT_MAGNITUDES[3], WEIGHT_MAGNITUDES[4], BIAS_VALUES[5]]
    assert BIAS_VALUES[6] == -0.3999999999999999 and WEIGHT_MAGNITUDES[2] == 0.30000000000000004


def test_catchers():
    np.testing.assert_array_equal(
        catcher_parameters(), [[0.5, 0.5, 0.0], [0.5, -0.5, 0.0], [-0.5, 0.5, 0.0], [-0.5, -0.5, 0.0]]
    )


def test_restricted_loop_coherent_three_bug():
    assert restricted_loop_signs("c", 3) == (-1, 1, 1) == restricted_loop_signs("i", 1)
    assert restricted_loop_signs("c", 3, semantics="corrected") == (-1, -1, 1)
    for index in (1, 2, 4):
        assert restricted_loop_signs("c", index) == restricted_loop_signs("c", index, semantics="corrected")


def test_reduced_grid_and_bad_inputs():
    small = structure_parameters("coherent-loop.2", magnitudes=[0.5, 1.0], biases=[0.0])
    assert small.shape == (8, 5) and np.all(small[:, 0] < 0) and np.all(small[:, 2] < 0)
    assert parse_structure("collider.3") == ("collider", 3)
    for bad in ("collider", "collider.5", "loop.1", "collider.x", 3):
        with pytest.raises(ValueError):
            parse_structure(bad)
    with pytest.raises(ValueError, match="motif_index"):
        weight_signs("collider", 0)
    with pytest.raises(ValueError, match="motif_type"):
        weight_signs("triangle", 1)
    with pytest.raises(ValueError, match="semantics"):
        restricted_loop_signs("c", 1, semantics="fixed")
    with pytest.raises(ValueError, match="magnitudes"):
        structure_parameters("collider.1", magnitudes=[-0.5])
