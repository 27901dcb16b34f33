"""Figures as functions of results: what each one draws (traces, axes, counts), without Streamlit."""

import numpy as np
from helpers import and_or_result, game_from_terms, sparse_result

from engine.assumptions import high_order_check
from engine.attributions import pair_indices, shares
from engine.faithfulness import matching_curve, reconstruct
from engine.generalizable import TransferCurve, salient_groups, shared_strength_by_order
from engine.harsanyi import and_interactions
from engine.interaction import Interaction
from engine.playground import game_from_formula, split
from engine.result import InteractionResult, SolverReport
from engine.sparsity import salient, zero_count
from ui.figures import order_bars_figure, order_box_figure, solver_figure, sparsity_figure
from ui.figures_assumptions import high_order_figure, orders_without_interactions
from ui.figures_attributions import pairs_figure, shares_figure
from ui.figures_faithfulness import match_figure, matching_figure
from ui.figures_playground import terms_figure, values_figure
from ui.figures_shared import scatter_figure, shared_strength_figure, transfer_figure


def test_sparsity_figure_draws_nonzero_strengths_with_their_names_and_the_focus():
    r = and_or_result()
    reference = InteractionResult.harsanyi(r.players, r.v)
    fig = sparsity_figure(r, reference, salient(r).tau, False, Interaction("AND", 6))
    curve, harsanyi, focused = fig.data
    assert list(curve.customdata) == ["AND:1", "AND:6", "OR:9"] and list(curve.y) == [2.0, 1.5, 0.5]
    assert len(curve.x) == len(r.ranking()) - zero_count(r)  # the exact zeros are counted, not drawn
    assert harsanyi.name.startswith("AND only") and (np.asarray(harsanyi.y) > 0).all()
    assert list(focused.x) == [2] and list(focused.y) == [1.5]
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type == "log"
    assert fig.layout.shapes[0].y0 == salient(r).tau
    normalised = sparsity_figure(r, None, salient(r).tau, True, None)
    assert len(normalised.data) == 1 and normalised.data[0].y[0] == 1.0
    assert normalised.layout.shapes[0].y0 == salient(r).tau / 2.0


def test_order_figures_follow_the_kinds_of_the_result():
    r = and_or_result()
    box = order_box_figure(r)
    assert [t.name for t in box.data] == ["AND", "OR"]
    assert "nonzero only: 23 of 26 are zero" in box.layout.title.subtitle.text  # 15 AND + 11 OR of order ≥ 2, 3 nonzero
    bars = order_bars_figure(r)
    assert [t.name for t in bars.data] == ["AND positive", "AND negative", "OR positive", "OR negative"]
    assert list(bars.data[1].y) == [0.0, -1.5, 0.0, 0.0] and bars.layout.barmode == "relative"
    assert [t.name for t in order_bars_figure(sparse_result()).data] == ["AND positive", "AND negative"]


def test_faithfulness_figures():
    r = sparse_result()
    match = match_figure(r, reconstruct(r, 2), 2)
    assert len(match.data[0].y) == r.v.size and match.data[1].name == "top-2 interactions"
    assert list(match.data[0].y) == sorted(r.v, reverse=True)
    curve = matching_curve(r)
    errors = matching_figure(curve)
    assert errors.layout.xaxis.type == "log" and min(errors.data[0].x) >= 1  # K = 0 is not on the log axis
    assert len(errors.data[0].x) == (curve.ks > 0).sum()


def test_high_order_figure_leaves_exact_zeros_out():
    r = sparse_result()  # no interaction of order 4, 5 or 6
    high = high_order_check(r)
    fig = high_order_figure(high)
    assert np.isnan(np.asarray(fig.data[0].y, dtype=float)[3:]).all()
    assert orders_without_interactions(high) == [4, 5, 6]


def test_shared_figures():
    a = and_or_result()
    terms_b = game_from_terms(4, {(0,): 1.0}, {(0, 3): -0.25}, bias=0.25)
    i_and, i_or = np.zeros(16), np.zeros(16)
    i_and[0], i_and[1], i_or[9] = 0.25, 1.0, -0.25
    b = InteractionResult(a.players, terms_b, i_and, i_or, "shared")
    groups = salient_groups([a, b])
    assert groups["shared"] == [Interaction("AND", 1), Interaction("OR", 9)] and groups["A only"] == [
        Interaction("AND", 6)] and groups["B only"] == []
    group_of = {k: name for name, keys in groups.items() for k in keys}
    scatter = scatter_figure([a, b], group_of, ["A", "B"])
    by_name = {t.name: t for t in scatter.data}
    assert list(by_name["shared"].customdata) == ["AND:1", "OR:9"] and list(by_name["A only"].customdata) == ["AND:6"]
    assert len(by_name["not salient"].x) == 0 and scatter.layout.xaxis.type == "log"
    bars = shared_strength_figure(shared_strength_by_order([a, b], 0), "A")
    assert [t.name for t in bars.data] == ["all +", "all −", "shared +", "shared −"]
    assert list(bars.data[2].y) == [2.0, 0.5, 0.0, 0.0]  # AND {x0} at order 1, OR {x0, x3} at order 2
    ks = np.array([1, 2])
    with_or = TransferCurve(ks, np.array([1.0, 0.5]), np.array([1.0, 1.0]))
    without_or = TransferCurve(ks, np.array([1.0, 1.0]), np.array([np.nan, np.nan]))
    transfer = transfer_figure(ks, {"joint": (with_or, "blue"), "AND only": (without_or, "grey")})
    assert [t.name for t in transfer.data] == ["s_and, joint", "s_and, AND only", "s_or, joint"]


def test_solver_figure_draws_the_loss_down_and_the_certified_bound_up_to_the_returned_loss():
    report = SolverReport("pdhg", 1.0, curve=[(0, 5.0, 0.0), (10, 2.0, 0.5), (20, 1.0, 0.9)])
    fig = solver_figure(report)
    loss, bound = fig.data
    assert list(loss.x) == [0, 10, 20] and list(loss.y) == [5.0, 2.0, 1.0] and fig.layout.shapes[0].y0 == 1.0
    assert list(bound.y) == [None, 0.5, 0.9]  # a bound of 0 has no place on the log axis


def test_playground_figures_draw_v_and_the_nonzero_terms_of_a_reading():
    game = game_from_formula("(x1 and x2) + (x3 or x4)")
    values = values_figure(game)
    assert list(values.data[0].y) == game.v.tolist() and values.data[0].x[0] == "∅" and len(values.data[0].x) == 16
    both = terms_figure(split(game, "and-or"))
    assert [t.name for t in both.data] == ["AND", "OR"] and both.layout.title.text == "AND-OR split: 2 interactions"
    assert list(both.data[1].y) == ["OR {x3, x4}"] and both.data[1].marker.pattern.shape == "/"
    assert terms_figure(split(game, "and")).layout.title.text == "AND only (Harsanyi): 4 interactions"


def test_attribution_figures_stack_shares_up_to_the_value_and_draw_symmetric_pairs():
    game = game_from_formula("2*(a and b) + (c or d) + a")
    found = shares(list(game.players), game.v, and_interactions(game.v).numpy(), np.zeros_like(game.v))
    fig = shares_figure(found)
    bars = sum(np.asarray(t.x, dtype=float) for t in fig.data if t.type == "bar")
    assert fig.layout.barmode == "relative" and np.allclose(bars, fig.data[-1].x)
    assert np.allclose(fig.data[-1].x, found.values) and fig.data[-1].marker.symbol == "diamond"
    pairs = pair_indices(game.v)
    heat = pairs_figure(pairs["Shapley interaction (SII)"], list(game.players), "Shapley interaction (SII)")
    z = np.asarray(heat.data[0].z)
    assert np.allclose(z, z.T) and heat.data[0].zmin == -heat.data[0].zmax == -np.abs(z).max()


def test_a_28_by_28_digit_is_drawn_with_its_cut_edge_cells_and_a_frame():
    from ui.figures import image_figure

    image = np.zeros((28, 28))
    cells = {"r0c0": [0, 1, 2, 28, 29, 30, 56, 57, 58], "r9c9": [27 * 28 + 27]}  # a 3×3 cell and the 1×1 corner
    fig = image_figure(image, cells, players=[0, 1], highlighted={1}, labels=["r0c0", "r9c9"], height=600)
    first, corner = fig.layout.shapes
    assert (first.x0, first.x1, first.y0, first.y1) == (-0.5, 2.5, 24.5, 27.5)  # rows drawn bottom-up
    assert (corner.x0, corner.x1, corner.y0, corner.y1) == (26.5, 27.5, -0.5, 0.5) and corner.fillcolor
    assert fig.layout.height == 600 and fig.layout.xaxis.showline and fig.layout.xaxis.mirror
