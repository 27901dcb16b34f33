"""Orders: how interaction strength spreads over the order |S|, positive and negative."""

import streamlit as st

from engine.sparsity import order_statistics
from ui.compute import result_for
from ui.figures import order_bars_figure, order_box_figure
from ui.state import current_selection
from ui.widgets import chart, exports, teaching_note

selection = current_selection()
st.title("Orders")
teaching_note(
    "The **order** of an interaction is the number of players |S| it involves. Left: the distribution of |I(S)| "
    "over all subsets of each order (boxes; log axis). Right: for the salient interactions only, the sum of the "
    "positive effects (up) and of the negative effects (down, hatched) per order. Low-order interactions are "
    "simple, reusable patterns; strong high-order ones are fragile (their noise grows like 2^|S|)."
)
result = result_for(selection.request)
left, right = st.columns(2)
with left:
    box = order_box_figure(result)
    chart(box, "orders-box", "box plot of interaction strength per order")
with right:
    kinds = ["AND", "OR"] if result.method != "and" else ["AND"]
    bars = order_bars_figure({kind: order_statistics(result, kind) for kind in kinds})
    chart(bars, "orders-bars", "positive and negative salient strength per order")
exports(result, bars, "orders")
