"""Bad inputs at the boundary of the batched API: the exception type and a message naming the argument.

Each case was once accepted with a silently wrong result or failed deep inside with an unrelated
message; the tests pin both the error and, where the input is legal after promotion, the right result.
"""

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.motifs import NeuralMotif
from effect.operations import calculate_landscape, calculate_landscapes, calculate_values
from effect.robustness import estimate_lipschitz, grid_interval, lipschitz_batch
from effect.search import catch, escape
from practice.motif import collect_motifs, count_motifs_from_adjacency_matrix, detect_motifs_from_adjacency_matrix

COLLIDER = [[0.5, -0.25, 0.1]]
LOOP = [[-1.0, 0.652, 1.0, 1.0, 0.337]]


# ------------------------------------------------------------------ motif_outputs


def test_numpy_and_torch_parameters_give_the_same_landscapes():
    inputs = grid_inputs((-1, 1), 5)
    from_torch = motif_outputs(torch.tensor(COLLIDER), "collider", inputs)
    from_numpy = motif_outputs(np.array(COLLIDER), "collider", inputs.numpy())
    assert torch.equal(from_numpy.float(), from_torch)


def test_integer_inputs_do_not_truncate_the_weights():
    # integer inputs used to set the dtype the weights were cast to: 0.5 became 0
    points = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    exact = torch.tanh(torch.tensor(points, dtype=torch.float64) @ torch.tensor([0.5, -0.25], dtype=torch.float64)
                       + 0.1)
    expected = 2 * (exact - exact.min()) / (exact.max() - exact.min()) - 1
    out = motif_outputs(torch.tensor(COLLIDER), "collider", torch.tensor(points))
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out[0].numpy(), expected.numpy(), atol=1e-12)


def test_integer_parameters_are_promoted_to_float():
    inputs = grid_inputs((-1, 1), 5)
    as_int = motif_outputs(np.array([[1, -1, 0]], dtype=np.int64), "collider", inputs)
    as_float = motif_outputs(torch.tensor([[1.0, -1.0, 0.0]]), "collider", inputs)
    assert torch.equal(as_int, as_float)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_parameters_are_rejected(bad):
    params = np.array(COLLIDER)
    params[0, 1] = bad
    with pytest.raises(ValueError, match="params contains NaN"):
        motif_outputs(params, "collider", grid_inputs((-1, 1), 5))
    with pytest.raises(ValueError, match="params contains NaN"):
        calculate_landscapes(params, "collider", points=5)


def test_non_finite_inputs_are_rejected():
    inputs = grid_inputs((-1, 1), 5)
    inputs[3, 0] = float("nan")
    with pytest.raises(ValueError, match="inputs contains NaN"):
        motif_outputs(torch.tensor(COLLIDER), "collider", inputs)


@pytest.mark.parametrize("shape", [(25, 3), (25, 1), (0, 2), (50,)])
def test_wrong_input_shape_is_named(shape):
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, 2\)"):
        motif_outputs(torch.tensor(COLLIDER), "collider", torch.zeros(shape))


def test_wrong_parameter_width_is_named():
    with pytest.raises(ValueError, match=r"params must have shape \(B, 5\)"):
        motif_outputs(np.array(COLLIDER), "incoherent-loop", grid_inputs((-1, 1), 5))


def test_complex_or_text_parameters_are_type_errors():
    with pytest.raises(TypeError, match="params"):
        motif_outputs(np.array(COLLIDER, dtype=complex), "collider", grid_inputs((-1, 1), 5))
    with pytest.raises(TypeError, match="params"):
        motif_outputs([["a", "b", "c"]], "collider", grid_inputs((-1, 1), 5))


# ------------------------------------------------------------------ catch / escape


def test_empty_batches_are_named():
    with pytest.raises(ValueError, match="escaper_params"):
        escape(np.zeros((0, 5)), "incoherent-loop", points=5, thresholds=(1, 1))
    with pytest.raises(ValueError, match="escaper_params"):
        escape(np.zeros((2, 0, 5)), "incoherent-loop", points=5, thresholds=(1, 1))
    with pytest.raises(ValueError, match="reference_params"):
        catch(np.zeros((0, 5)), "incoherent-loop", points=5, threshold=1)


# ------------------------------------------------------------------ intervals and value ranges


def test_numpy_scalar_interval_is_accepted():
    x = np.linspace(-1, 1, 11)
    plane = ((x[:, None] + x[None, :]) / 2)[None]
    interval = np.float32(0.2)
    assert lipschitz_batch(plane, interval, "L-1")[0] == lipschitz_batch(plane, float(interval), "L-1")[0]
    assert lipschitz_batch(plane, np.float64(0.2), "L-1")[0] == pytest.approx(0.5)


@pytest.mark.parametrize("interval, error", [(0.0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                             ("0.1", TypeError), (True, TypeError)])
def test_bad_interval_is_named(interval, error):
    with pytest.raises(error, match="interval"):
        lipschitz_batch(np.zeros((1, 5, 5)), interval)


def _collider():
    return NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])


@pytest.mark.parametrize("value_range", [(1, -1), (0, 0), (-1, 1, 1, -1)])
def test_reversed_or_empty_value_range_is_rejected_everywhere(value_range):
    calls = [
        lambda: grid_inputs(value_range, 5),
        lambda: calculate_landscape(value_range, 5, _collider()),
        lambda: calculate_landscapes(np.array(COLLIDER), "collider", value_range, 5),
        lambda: estimate_lipschitz(value_range, 5, np.zeros((5, 5))),
        lambda: grid_interval(value_range, 5),
        lambda: catch(np.array(LOOP), "incoherent-loop", value_range=value_range, points=5, threshold=1),
        lambda: escape(np.array(LOOP), "incoherent-loop", value_range=value_range, points=5, thresholds=(1, 1)),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"value_range must be increasing"):
            call()


def test_a_line_may_run_in_either_direction():
    forward = calculate_values((-1, 1, -1, 1), 5, _collider())
    backward = calculate_values((1, -1, 1, -1), 5, _collider())
    np.testing.assert_array_equal(backward, forward[::-1])


def test_numpy_scalar_value_range_is_accepted():
    landscape = calculate_landscape((np.float32(-1), np.float64(1)), 5, _collider())
    np.testing.assert_array_equal(landscape, calculate_landscape((-1, 1), 5, _collider()))


# ------------------------------------------------------------------ reference motif census


@pytest.mark.parametrize("call", [count_motifs_from_adjacency_matrix, collect_motifs])
def test_reference_census_rejects_non_square_matrices(call):
    name = "matrix" if call is count_motifs_from_adjacency_matrix else "adjacency_matrix"
    with pytest.raises(ValueError, match=rf"{name} must be a square \(n, n\) matrix"):
        call(np.zeros((3, 4)), 3)
    with pytest.raises(ValueError, match=rf"{name} must be a square \(n, n\) matrix"):
        call(np.zeros(9), 3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_reference_census_rejects_non_finite_weights(bad):
    weights = np.zeros((4, 4))
    weights[0, 2], weights[1, 2], weights[0, 1] = 0.5, 0.5, bad
    with pytest.raises(ValueError, match="matrix contains NaN"):
        count_motifs_from_adjacency_matrix(weights, 3)
    with pytest.raises(ValueError, match="matrix contains NaN"):
        detect_motifs_from_adjacency_matrix(weights, 3, [np.zeros((3, 3))])


@pytest.mark.parametrize("search_size, error", [(0, ValueError), (4, ValueError), (2, ValueError),
                                                (3.0, TypeError), (True, TypeError)])
def test_reference_census_search_size_must_match_the_templates(search_size, error):
    with pytest.raises(error, match="search_size"):
        count_motifs_from_adjacency_matrix(np.zeros((5, 5)), search_size)


def test_reference_census_rejects_text_matrices():
    with pytest.raises(TypeError, match="matrix must be a numeric matrix"):
        count_motifs_from_adjacency_matrix(np.array([["a", "b"], ["c", "d"]]), 3)


def test_custom_templates_of_another_size_are_still_allowed():
    two_node = [np.array([[0, 1], [0, 0]])]
    weights = np.zeros((3, 3))
    weights[0, 1], weights[1, 2] = 0.3, 0.7
    assert count_motifs_from_adjacency_matrix(weights, 2, two_node).tolist() == [2]
    with pytest.raises(ValueError, match="search_size must equal the size of the motifs in detected_motifs"):
        detect_motifs_from_adjacency_matrix(weights, 3, two_node)


def test_landscapes_still_work_inside_torch_func_transforms():
    # values cannot be checked under vmap/grad; the functions must still run there (the packs use them)
    params = torch.tensor([[-0.7, 0.4, 0.9, 0.2, -0.3], [0.5, 0.5, -0.5, 0.1, 0.0]], dtype=torch.float64)
    inputs = grid_inputs((-1, 1), 5).double()

    def gradient(row):
        return torch.func.grad(lambda x: motif_outputs(row[None], "incoherent-loop", x).sum())(inputs)

    batched = torch.func.vmap(gradient)(params)
    for k in range(2):
        x = inputs.clone().requires_grad_(True)
        motif_outputs(params[k : k + 1], "incoherent-loop", x).sum().backward()
        torch.testing.assert_close(batched[k], x.grad)
