"""Attributions: each player's Shapley (or Banzhaf) value, built from the interactions it takes part in."""

import pandas as pd
import streamlit as st

from engine.attributions import WEIGHTS, pair_indices, shares
from ui.certificate import draw_certificate
from ui.context import view_context
from ui.figures_attributions import pairs_figure, shares_figure
from ui.widgets import chart, table_exports, teaching_note

ctx = view_context()
teaching_note(
    "Attribution methods answer “how much did each player contribute?” with one number per player. All the "
    "common ones are sums of interactions (Harsanyi 1963; spec §9):\n\n"
    "- **Shapley value** $\\phi(i)=\\sum_{S\\ni i} I(S)/|S|$ — every interaction is shared *equally* among its "
    "players. An OR interaction of T is shared the same way, 1/|T| to each member.\n"
    "- **Banzhaf value** $\\beta(i)=\\sum_{S\\ni i} I(S)/2^{|S|-1}$.\n"
    "- **Shapley interaction index** of a pair $I_{SII}(\\{i,j\\})=\\sum_{T\\supseteq\\{i,j\\}} I(T)/(|T|-1)$ and "
    "**Shapley-Taylor** of order 2 $I_{STI}(\\{i,j\\})=\\sum_{T\\supseteq\\{i,j\\}} I(T)/\\binom{|T|}{2}$.\n\n"
    "Each bar below stacks a player's shares of the strongest interactions; the diamond is the value itself. "
    "With the AND-OR split the interactions reproduce v + q; the share of −q is drawn in grey, so the bars add "
    "up to the value of v exactly."
)
result = ctx.result()
draw_certificate(result.report)
index = st.radio("Value", list(WEIGHTS), horizontal=True, key="attr-index")
found = shares(result.players, result.v, result.i_and, result.i_or, index)
fig = shares_figure(found)
chart(fig, "attr-shares", f"{index} value of each player as a stack of its shares of the interactions")
pairs = pair_indices(result.v)
columns = st.columns(len(pairs))
for column, (name, matrix) in zip(columns, pairs.items()):
    with column:
        chart(pairs_figure(matrix, result.players, name), f"attr-{name}", f"{name} of every pair of players")
table = pd.DataFrame({"player": result.players} | {name: shares(result.players, result.v, result.i_and, result.i_or,
                                                                 name).values for name in WEIGHTS})
st.dataframe(table, hide_index=True, width="stretch")
table_exports(table, result.provenance.to_dict(), fig, "attributions")
