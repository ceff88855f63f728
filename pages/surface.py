"""Surface: the cost as a terrain, in 3-D and as contours, with a point and its
downhill arrow."""

import numpy as np
import streamlit as st

from core.grids import wants_log_colour
from core.params import read_flag
from dashboard import links
from dashboard.cache import load_grid
from dashboard.charts import contour_figure, curve_figure, surface_figure
from dashboard.exports import chart_download_ui
from dashboard.state import seed_widget
from dashboard.text import number
from dashboard.widgets import landscape_ui, point_ui

PAGE = "surface"
RESOLUTIONS = [40, 60, 80, 100, 150, 200]
VIEWS = {"both": "Side by side", "3d": "3-D only", "contours": "Contours only"}

st.title("Surface: the cost as a terrain")
st.markdown(
    "Each spot on the floor is one setting of the two knobs, x and y; the height "
    "there is the cost. The red dot is where you are, and the red arrow points "
    "along the **negative gradient**, the steepest way down. The gold star marks "
    "the **global minimum**, the deepest point; white circles mark **local "
    "minima**, valleys that are lowest only nearby."
)

notices = links.restore_landscape(PAGE)
landscape = landscape_ui(PAGE)
LOG_KEY = f"{PAGE}_log_colour_{landscape.name}"
PARAMS = [
    *links.point_params(PAGE),
    links.choice_param("resolution", f"{PAGE}_resolution", RESOLUTIONS),
    links.choice_param("view", f"{PAGE}_view", list(VIEWS)),
    links.Param("log", LOG_KEY, lambda text, _: read_flag(text)),
]
links.show_notices(notices + links.restore(PAGE, landscape, PARAMS))

with st.sidebar:
    seed_widget(f"{PAGE}_resolution", 80)
    resolution = st.select_slider(
        "Grid resolution",
        options=RESOLUTIONS,
        key=f"{PAGE}_resolution",
        help="Points per side used to draw the terrain. Higher is finer and slower.",
    )
    view = st.radio(
        "View",
        list(VIEWS),
        format_func=VIEWS.get,
        key=f"{PAGE}_view",
        horizontal=True,
    )

x, y = point_ui(PAGE, landscape, label="You are here:")
grid = load_grid(landscape.key, resolution)
seed_widget(LOG_KEY, wants_log_colour(grid.values))
log_colour = st.sidebar.toggle(
    "Colour by log of cost",
    key=LOG_KEY,
    help="Steep walls can use up all the colours and leave the valley floor flat. "
    "A log scale shows detail near the bottom.",
)

with np.errstate(all="ignore"):
    cost = float(landscape.value(x, y))
    dx, dy = (float(g) for g in landscape.gradient(x, y))
slope = float(np.hypot(dx, dy))

cols = st.columns(3)
cols[0].metric("Cost here", number(cost))
cols[1].metric("Gradient length (steepness)", number(slope))
if not np.isfinite(cost) or not np.isfinite(slope):
    cols[2].metric("Downhill direction", "undefined")
    st.warning(
        "The cost or its gradient is not a number at this point (for example a log "
        "of a negative number or a division by zero). Move the point."
    )
elif slope == 0:
    cols[2].metric("Downhill direction", "flat here")
elif landscape.knobs == 1:
    cols[2].metric("Downhill direction", "left" if dx > 0 else "right")
else:
    angle = float(np.degrees(np.arctan2(-dy, -dx))) % 360
    cols[2].metric(
        "Downhill direction",
        f"{angle:.0f}°",
        help="The negative gradient's angle, counter-clockwise from the x axis.",
    )

if landscape.knobs == 1:
    # One knob: the terrain is a curve, and "downhill" is left or right.
    curve = curve_figure(landscape, point=(x, cost), slope=dx)
    st.plotly_chart(curve, key=f"{PAGE}_curve_chart")
    chart_download_ui(curve, "curve", f"{PAGE}_save_curve")
    st.caption(
        "With one knob the terrain is a curve. The dashed line is the tangent: its "
        "slope is the gradient, and downhill is the way it tilts down."
    )
else:
    marks = {"point": (x, y), "gradient": (dx, dy), "log_colour": log_colour}
    surface = surface_figure(grid, landscape, **marks)
    contours = contour_figure(grid, landscape, **marks)
    if view == "both":
        left, right = st.columns(2)
    else:
        left = right = st.container()
    if view in ("both", "3d"):
        with left:
            st.plotly_chart(surface, key=f"{PAGE}_surface_chart")
            chart_download_ui(surface, "surface", f"{PAGE}_save_surface")
    if view in ("both", "contours"):
        with right:
            st.plotly_chart(contours, key=f"{PAGE}_contour_chart")
            chart_download_ui(contours, "contours", f"{PAGE}_save_contours")
    st.caption(
        "Drag the 3-D view to turn it; changing a setting redraws it from the "
        "starting angle. "
        "The arrow's length is fixed so it is easy to see; only its direction matters."
    )


if landscape.minima_proven:
    st.subheader("Known minima")
else:
    st.subheader("Minima found by a search")
    st.caption(
        "These come from many short descents from a grid of starts, checked by the "
        "curvature there. The deepest is the lowest found, not a proven global "
        "minimum: a deeper valley could hide where no descent went."
    )
if landscape.minima:
    rows = [
        {
            "kind": m.kind,
            "x": m.x,
            "y": m.y,
            "cost": m.value,
        }
        for m in landscape.minima
    ]
    st.dataframe(rows, hide_index=True, height=min(35 * len(rows) + 38, 300))
elif landscape.minima_proven:
    st.write("This landscape has no minimum: some direction always goes further down.")
else:
    st.write("The search found no minimum inside this domain.")
if not landscape.minima_complete:
    st.caption(
        "Only the global minimum is listed: this landscape has a great many local "
        "minima, too many to list."
    )

links.publish(PAGE, landscape, PARAMS)
