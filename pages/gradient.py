"""Gradient calculator: slopes, the gradient, the slope in every direction and the
effect of one small step, at a point of your choice."""

import numpy as np
import streamlit as st

from core.calculus import describe_point, directional_derivatives, slice_along
from core.formula import parse_formula
from core.landscapes import PARABOLA
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE
from core.params import read_int
from dashboard import links
from dashboard.charts import curve_figure, cut_chart, slope_by_direction_chart
from dashboard.exports import chart_download_ui
from dashboard.state import seed_widget
from dashboard.text import latex_number, number, vector
from dashboard.widgets import landscape_ui, point_ui

PAGE = "gradient"
MODES = {
    "two": "Two knobs: the landscape in the sidebar",
    "one": "One knob: the parabola w²",
}

st.title("Gradient calculator")
st.markdown(
    "The **gradient** collects the slope along each knob (the partial "
    "derivatives). It points the steepest way **uphill**, and its length says how "
    "steep that is. Gradient descent steps the other way, along the **negative "
    "gradient**, by the **learning rate** times the gradient."
)

notices = links.restore_landscape(PAGE)
landscape = landscape_ui(PAGE)
PARAMS = [
    *links.point_params(PAGE),
    links.choice_param("knobs", f"{PAGE}_mode", list(MODES)),
    links.number_param("w", f"{PAGE}_w", -4.0, 4.0),
    links.number_param(
        "lr", f"{PAGE}_learning_rate", MIN_LEARNING_RATE, MAX_LEARNING_RATE
    ),
    links.Param("cut", f"{PAGE}_cut_angle", lambda t, _: read_int(t, 0, 359)),
]
links.show_notices(notices + links.restore(PAGE, landscape, PARAMS))

if landscape.knobs == 1:
    one_knob, chosen = True, landscape
else:
    mode = st.radio(
        "How many knobs?",
        list(MODES),
        format_func=MODES.get,
        key=f"{PAGE}_mode",
        horizontal=True,
    )
    one_knob = mode == "one"
    chosen = PARABOLA if one_knob else landscape
knob = "w" if chosen is PARABOLA else "x"

left, right = st.columns([3, 1])
with left:
    if chosen is PARABOLA:
        seed_widget(f"{PAGE}_w", 3.0)
        w = st.number_input(
            "Knob w",
            min_value=-4.0,
            max_value=4.0,
            step=0.1,
            key=f"{PAGE}_w",
        )
        x, y = float(w), 0.0
    else:
        x, y = point_ui(PAGE, chosen, label="Point")
with right:
    seed_widget(f"{PAGE}_learning_rate", 0.1)
    learning_rate = st.number_input(
        "Learning rate (step size)",
        min_value=MIN_LEARNING_RATE,
        max_value=MAX_LEARNING_RATE,
        step=0.01,
        format="%.4g",
        key=f"{PAGE}_learning_rate",
        help="One step moves the knobs by minus this number times the gradient.",
    )

if chosen.formula:
    partials = parse_formula(chosen.formula)
    st.markdown("**The exact slopes**, worked out symbolically from your formula:")
    dx_latex, dy_latex = partials.gradient_latex
    st.latex(rf"\frac{{\partial\,\text{{cost}}}}{{\partial x}} = {dx_latex}")
    if chosen.knobs == 2:
        st.latex(rf"\frac{{\partial\,\text{{cost}}}}{{\partial y}} = {dy_latex}")
    if not partials.smooth:
        st.info(partials.smoothness_note)

report = describe_point(chosen, x, y, learning_rate)
gx, gy = report.gradient

if not np.isfinite(report.value) or not np.isfinite(report.gradient_norm):
    st.error(
        "The cost or its gradient is not a finite number at this point, so there is "
        "no slope to show. Pick another point."
    )
    links.publish(PAGE, landscape, PARAMS)
    st.stop()

if one_knob:
    parabola = chosen is PARABOLA
    st.subheader("One knob: cost = w²" if parabola else "One knob: a curve")
    cols = st.columns(3)
    cols[0].metric("Cost w²" if parabola else "Cost", number(report.value))
    cols[1].metric(
        "Slope d cost / dw = 2w" if parabola else "Slope d cost / dx", number(gx)
    )
    cols[2].metric("Negative gradient", number(-gx))
    if gx > 0:
        where = f"to the left: smaller {knob} lowers the cost"
    elif gx < 0:
        where = f"to the right: larger {knob} lowers the cost"
    else:
        where = "nowhere: the slope is zero here, the curve is flat"
    if parabola and gx != 0:
        where = where.replace(":", ", toward 0:")
    st.markdown(f"The negative gradient points **{where}**.")

    step_w = report.step_to[0]
    curve = curve_figure(
        chosen,
        point=(x, report.value),
        slope=gx,
        step_to=(step_w, report.value_after),
        knob=knob,
    )
    st.plotly_chart(curve, key=f"{PAGE}_curve_chart")
    chart_download_ui(curve, "curve", f"{PAGE}_save_curve")
    st.markdown(
        f"One step: {knob} ← {knob} − learning rate × slope = "
        f"{number(x)} − {number(learning_rate)} × {number(gx)} = "
        f"**{number(step_w)}**, and the cost goes from "
        f"**{number(report.value)}** to **{number(report.value_after)}**."
    )
    if report.value_after > report.value:
        st.warning(
            "This step went **up**: the learning rate is too large here, so the "
            "step jumps past the bottom. Try a smaller learning rate."
        )
    links.publish(PAGE, landscape, PARAMS)
    st.stop()

st.subheader("Cost and slopes at this point")
cols = st.columns(4)
cols[0].metric("Cost", number(report.value))
cols[1].metric("Slope along x (∂cost/∂x)", number(gx))
cols[2].metric("Slope along y (∂cost/∂y)", number(gy))
cols[3].metric("Gradient length", number(report.gradient_norm))

ux, uy = report.descent_direction
st.latex(
    rf"\nabla \text{{cost}} = \left({latex_number(gx)},\ {latex_number(gy)}\right)"
    rf"\qquad -\nabla \text{{cost}} = \left({latex_number(-gx)},\ "
    rf"{latex_number(-gy)}\right)"
    rf"\qquad \text{{unit downhill direction}} = \left({latex_number(ux, 3)},\ "
    rf"{latex_number(uy, 3)}\right)"
)
st.markdown(
    f"The gradient {vector(gx, gy)} points the steepest way uphill; the negative "
    f"gradient {vector(-gx, -gy)} points the steepest way down. Divided by its "
    f"length {number(report.gradient_norm)} it gives the unit downhill direction "
    f"{vector(ux, uy, 3)}."
)

st.subheader("The slope in every direction")
angles = np.linspace(0.0, 2 * np.pi, 361)
slopes = directional_derivatives(chosen, x, y, angles)
gradient_angle = (
    float(np.degrees(np.arctan2(gy, gx))) if report.gradient_norm > 0 else None
)
downhill = 0.0 if gradient_angle is None else round((gradient_angle + 180) % 360)
seed_widget(f"{PAGE}_cut_angle", int(downhill))
cut_angle = st.slider(
    "Direction of the cut (degrees from the x axis)",
    0,
    359,
    key=f"{PAGE}_cut_angle",
    help="Pick a direction: the chart below slices the terrain along it, and the "
    "dashed line on this chart marks it.",
)
slope_chart = slope_by_direction_chart(
    np.degrees(angles), slopes, gradient_angle, chosen_angle_deg=cut_angle
)
st.altair_chart(slope_chart, key=f"{PAGE}_slope_chart")
chart_download_ui(slope_chart, "slope-by-direction", f"{PAGE}_save_slopes")
if gradient_angle is None:
    st.info("The gradient is zero here: every direction is flat, to first order.")
else:
    st.markdown(
        f"Walking at angle θ, the cost rises at the rate gradient · (cos θ, sin θ). "
        f"The steepest climb, {number(report.gradient_norm)}, is along the gradient "
        f"at {gradient_angle % 360:.0f}°; the steepest drop is opposite, at "
        f"{(gradient_angle + 180) % 360:.0f}°; at right angles the slope is zero."
    )

st.subheader("A cut through the terrain")
(x_low, x_high), (y_low, y_high) = chosen.domain
half = 0.25 * min(x_high - x_low, y_high - y_low)
theta = np.radians(cut_angle)
t, along = slice_along(chosen, x, y, theta, half)
cut_slope = float(directional_derivatives(chosen, x, y, np.array([theta]))[0])
cut = cut_chart(t, along, report.value, cut_slope)
st.altair_chart(cut, key=f"{PAGE}_cut_chart")
chart_download_ui(cut, "cut", f"{PAGE}_save_cut")
st.markdown(
    f"Slice the terrain along the direction {cut_angle}° through the point and you "
    f"get an ordinary curve. Its slope at the point, the dashed tangent, is "
    f"**{number(cut_slope)}**: the slope in that direction, the same number the "
    "chart above shows at the dashed line."
)

st.subheader("One small step downhill")
cols = st.columns(3)
cols[0].metric("Cost now", number(report.value))
cols[1].metric(
    "Cost after one step",
    number(report.value_after),
    # A plain hyphen, so Streamlit reads the sign and points the arrow down.
    delta=number(report.value_after - report.value).replace("−", "-"),
    delta_color="inverse",
)
cols[2].metric("New point", vector(*report.step_to))
if report.value_after > report.value:
    st.warning(
        "This step went **up**: the learning rate is too large for this spot, so "
        "the step overshoots the valley. Try a smaller learning rate."
    )
elif not np.isfinite(report.value_after):
    st.warning("This step lands where the cost is not a finite number.")

with st.expander("Check: the exact gradient against finite differences"):
    fx, fy = report.fd_gradient
    st.markdown(
        "A finite difference estimates a slope from two nearby costs: "
        "(cost(x + h) − cost(x − h)) / 2h with a tiny h. It should agree with the "
        "exact gradient to many digits."
    )
    st.dataframe(
        [
            {"slope": "∂cost/∂x", "exact": gx, "finite difference": fx},
            {"slope": "∂cost/∂y", "exact": gy, "finite difference": fy},
        ],
        hide_index=True,
    )
    st.caption(f"Largest difference: {report.fd_error:.2e}")

links.publish(PAGE, landscape, PARAMS)
