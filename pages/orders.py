"""Orders: how interaction strength spreads over the order |S|, positive and negative."""

import streamlit as st

from ui.certificate import draw_certificate
from ui.context import view_context
from ui.figures import order_bars_figure, order_box_figure
from ui.widgets import chart, exports, teaching_note

ctx = view_context()
teaching_note(
    "The **order** of an interaction is the number of players |S| it involves. Left: the distribution of |I(S)| "
    "over all subsets of each order (boxes; log axis). Right: for the salient interactions only, the sum of the "
    "positive effects (up) and of the negative effects (down, hatched) per order. Low-order interactions are "
    "simple, reusable patterns; strong high-order ones are fragile (their noise grows like 2^|S|)."
)
result = ctx.result()
draw_certificate(result.report)
left, right = st.columns(2)
with left:
    chart(order_box_figure(result), "orders-box", "box plot of interaction strength per order")
with right:
    bars = order_bars_figure(result)
    chart(bars, "orders-bars", "positive and negative salient strength per order")
exports(result, bars, "orders")
