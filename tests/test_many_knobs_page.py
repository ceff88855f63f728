"""The Many knobs page in Streamlit's AppTest: it loads, reruns when its inputs
change, shows hand-checkable numbers, and reads and writes shareable links."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.many_knobs import make_landscape, random_start

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = str(ROOT / "pages" / "many_knobs.py")


def open_page(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(SCRIPT, default_timeout=60)
    app.query_params.update(query or {})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def table(app: AppTest):
    return app.dataframe[0].value.set_index("optimizer")


def test_loads_with_every_optimizer_on_the_bowl():
    app = open_page()
    shown = metrics(app)
    assert shown["Knobs"] == "1,000"
    start = random_start(1_000, 0)
    cost = float(make_landscape("bowl", 1_000).value(start))
    assert shown["Starting cost"] == f"{cost:.4g}"
    assert len(table(app)) == 6
    assert len(app.get("vega_lite_chart")) == 2
    # Gradient descent at 0.1 on the bowl converges; its last cost is tiny.
    gd = table(app).loc["Gradient descent"]
    assert gd["status"] == "converged"
    assert gd["final cost"] < 1e-10


def test_changing_knobs_optimizers_and_rate_reruns_with_new_numbers():
    app = open_page()
    before = metrics(app)["Starting cost"]

    app.number_input(key="many_knobs_knobs").set_value(50)
    rerun(app)
    assert metrics(app)["Knobs"] == "50"
    assert metrics(app)["Starting cost"] != before

    app.session_state["many_knobs_optimizers"] = ["gd"]
    app.number_input(key="many_knobs_steps").set_value(10)
    rerun(app)
    first = table(app).loc["Gradient descent", "final cost"]
    assert list(table(app).index) == ["Gradient descent"]

    # Ten steps keep 0.64^10 of the starting cost at learning rate 0.1 ...
    start = float(make_landscape("bowl", 50).value(random_start(50, 0)))
    assert first == pytest.approx(0.64**10 * start, rel=1e-12)
    # ... and 0.36^10 at 0.2, where each knob keeps 0.6 of itself per step.
    app.number_input(key="many_knobs_learning_rate").set_value(0.2)
    rerun(app)
    assert table(app).loc["Gradient descent", "final cost"] == pytest.approx(
        0.36**10 * start, rel=1e-12
    )


def test_rastrigin_strands_most_walks_in_local_minima():
    app = open_page()
    app.selectbox(key="many_knobs_landscape").set_value("rastrigin")
    rerun(app)
    assert "Rastrigin" in " ".join(m.value for m in app.markdown)
    # The landscape's own learning rate and steps came with it.
    assert app.number_input(key="many_knobs_learning_rate").value == 0.002
    ended = table(app)
    assert np.all(ended["final cost"] > 100)
    assert np.all(ended["final cost"] < float(metrics(app)["Starting cost"]))


def test_a_huge_rate_diverges_in_words_not_a_traceback():
    app = open_page()
    app.number_input(key="many_knobs_learning_rate").set_value(10.0)
    rerun(app)
    status = table(app).loc["Gradient descent", "status"]
    assert status.startswith("diverged")


def test_no_optimizer_asks_for_one():
    app = open_page()
    app.session_state["many_knobs_optimizers"] = []
    rerun(app)
    assert any("at least one optimizer" in i.value for i in app.info)


def test_a_link_reproduces_the_settings_and_refuses_garbage():
    query = {
        "landscape": "stretched_bowl",
        "knobs": "13000",
        "seed": "7",
        "optimizers": "gd,adam",
        "lr": "0.04",
        "steps": "20",
        "log": "0",
    }
    app = open_page(query)
    assert metrics(app)["Knobs"] == "13,000"
    assert list(table(app).index) == ["Gradient descent", "Adam"]
    start = random_start(13_000, 7)
    cost = float(make_landscape("stretched_bowl", 13_000).value(start))
    assert metrics(app)["Starting cost"] == f"{cost:.4g}"
    # The page writes the same settings back into its URL.
    written = {name: app.query_params[name] for name in query}
    assert written == {**query, "lr": "0.04"}

    bad = open_page({"landscape": "moon", "knobs": "99999", "x": "1"})
    warning = " ".join(w.value for w in bad.warning).replace("\\", "")
    assert "landscape" in warning and "knobs" in warning
    assert "x: this page has no such setting" in warning
    assert metrics(bad)["Knobs"] == "1,000"
