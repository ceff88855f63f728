"""Home: what Downhill is, the terrain picture, and a card per page."""

import streamlit as st

from dashboard.navigation import PAGES, st_page

st.title("Downhill")
st.markdown(
    "**See how a model learns by walking downhill on its cost.**\n\n"
    "Training a model means turning its knobs (its parameters) until a cost, a "
    "number that measures how wrong it is, is as small as possible. "
    "Picture every setting of the knobs as a point on a map and its cost as the "
    "height there: the cost function is a terrain. "
    "The gradient points the steepest way uphill, so its opposite, the negative "
    "gradient, points the steepest way down; gradient descent takes small steps "
    "that way and settles in a valley, which may be a shallow local minimum rather "
    "than the deepest, global one."
)

st.subheader("Where to go")
columns = st.columns(2)
for i, info in enumerate(PAGES):
    with columns[i % 2].container(border=True):
        st.page_link(st_page(info), label=f"**{info.title}**", icon=info.icon)
        st.write(info.blurb)

st.caption(
    "Pick a landscape in the sidebar of any page; your choice and your point "
    "travel with you from page to page."
)
