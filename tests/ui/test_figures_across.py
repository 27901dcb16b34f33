"""Figures of the across-samples view, as functions of an aggregate of synthetic results."""

import numpy as np
from helpers import across_samples, numbers

from engine.across import aggregate
from ui.figures_across import (
    assumption_rates_figure, class_of, curves_figure, mean_bound_figure, order_box_figure, p_figure,
    salient_by_class_figure, salient_histogram, transfer_band_figure,
)

DESCRIBE = lambda model_id: (model_id.upper(), ["no", "yes"])  # noqa: E731


def single():
    return aggregate(["m"], across_samples(4), [f"s{i}" for i in range(4)], describe=DESCRIBE)


def test_curves_draw_band_then_mean_on_log_axes_without_zeros():
    found = single()
    fig = curves_figure(found.models[0]).to_plotly_json()
    assert fig["layout"]["yaxis"]["type"] == "log" and fig["layout"]["xaxis"]["type"] == "log"
    high, low, mean = fig["data"][3:6]  # AND-OR: band edges, then the mean line
    assert low["fill"] == "tonexty" and mean["name"] == "AND-OR"
    assert np.allclose(numbers(mean["y"]), np.where(found.models[0].curve_and_or.mean > 0,
                                                     found.models[0].curve_and_or.mean, np.nan), equal_nan=True)


def test_salient_ratio_points_carry_their_sample_and_class():
    model = single().models[0]
    hist = salient_histogram(model).to_plotly_json()
    assert np.allclose(numbers(hist["data"][0]["x"]), model.salient_ratios)
    by_class = salient_by_class_figure(model).to_plotly_json()
    points = by_class["data"][1]
    assert list(points["customdata"]) == ["s0", "s1", "s2", "s3"]
    assert list(by_class["layout"]["xaxis"]["ticktext"]) == ["no", "yes"]  # labels 0, 1, 0, 1
    assert [class_of(model, i) for i in range(4)] == ["no", "yes", "no", "yes"]
    means = numbers(by_class["data"][0]["y"])
    assert np.allclose(means, [model.salient_ratios[[0, 2]].mean(), model.salient_ratios[[1, 3]].mean()])


def test_order_boxes_assumption_rates_p_and_bound():
    model = single().models[0]
    boxes = order_box_figure(model).to_plotly_json()["data"]
    assert [b["name"] for b in boxes] == ["1", "2", "3", "4"]
    assert np.allclose(numbers(boxes[1]["y"]), model.order_share[:, 1])
    rates = assumption_rates_figure(model).to_plotly_json()["data"][0]
    assert np.allclose(numbers(rates["x"])[:3], [model.rates()[k] for k in ("high_orders_vanish", "monotone",
                                                                             "polynomial")])
    p = p_figure(model).to_plotly_json()["data"][0]
    assert list(p["customdata"]) == [r.sample_id for r in model.rows if r.p is not None]
    bound = mean_bound_figure(model).to_plotly_json()
    assert np.allclose(numbers(bound["data"][0]["y"]), model.bound_means()[0], equal_nan=True)
    assert numbers(bound["data"][2]["y"]).tolist() == [4, 6, 4]  # C(4, k), k = 1 … n − 1


def test_transfer_figure_has_three_methods_with_bands_and_no_or_for_and_only():
    found = aggregate(["a", "b"], across_samples(3, pair=True), ["s0", "s1", "s2"], describe=DESCRIBE)
    fig = transfer_band_figure(found).to_plotly_json()
    names = [t["name"] for t in fig["data"] if t.get("showlegend") is not False]
    assert names == ["s_and, joint (Chen et al.)", "s_or, joint (Chen et al.)", "s_and, each model alone",
                     "s_or, each model alone", "s_and, AND only (Harsanyi)"]
    joint = next(t for t in fig["data"] if t.get("name") == "s_and, joint (Chen et al.)")
    assert np.allclose(numbers(joint["y"]), found.transferability.band("joint", "s_and").mean, equal_nan=True)
    assert list(numbers(joint["x"])) == list(found.transferability.k)


def test_p_figure_marks_non_monotone_samples_hollow_and_averages_the_monotone_ones():
    model = single().models[0]
    p = p_figure(model).to_plotly_json()
    fitted = [r for r in model.rows if r.p is not None]
    assert list(p["data"][0]["marker"]["symbol"]) == ["circle" if r.monotone else "circle-open" for r in fitted]
    assert f"mean over the {model.p_summary()[2]} monotone ones" in p["layout"]["title"]["text"]
