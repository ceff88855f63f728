"""Shared links: a URL with every setting reproduces the view, a URL full of
garbage shows notices and safe values, and a link to a statistics run gives the
identical table."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.params import read_choices, read_float, read_floats, read_int

ROOT = Path(__file__).resolve().parent.parent


def open_link(script: str, query: dict[str, str]) -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages" / script), default_timeout=60)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def notices(app: AppTest) -> str:
    """The link notices as a learner reads them (Markdown escapes removed)."""
    text = " ".join(w.value for w in app.warning if "this link" in w.value)
    return text.replace("\\", "")


# -- the readers in core -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "message"),
    [
        ("abc", 0, 1, "not a number"),
        ("nan", 0, 1, "not a finite number"),
        ("inf", 0, 1, "not a finite number"),
        ("2", 0, 1, "outside"),
        ("9" * 500, 0, 1, "characters long"),
    ],
)
def test_read_float_refuses_with_a_reason(text, low, high, message):
    with pytest.raises(ValueError, match=message):
        read_float(text, low, high)


def test_readers_accept_what_the_widgets_accept():
    assert read_float(" 0.25 ", 0, 1) == 0.25
    assert read_int("20000", 1, 20000) == 20000
    with pytest.raises(ValueError, match="outside"):
        read_int("20001", 1, 20000)
    with pytest.raises(ValueError, match="whole number"):
        read_int("1.5", 1, 10)
    assert read_choices("adam,gd", ["gd", "momentum", "adam"]) == ("gd", "adam")
    with pytest.raises(ValueError, match="not among"):
        read_choices("adam,sgd", ["gd", "adam"])
    assert read_floats("0.1,0.01,0.1", [0.01, 0.1, 1.0]) == (0.01, 0.1)
    with pytest.raises(ValueError, match="offered"):
        read_floats("0.5", [0.01, 0.1])


# -- pages -------------------------------------------------------------------------


def test_surface_link_with_every_setting_reproduces_the_view():
    query = {
        "landscape": "himmelblau",
        "x": "1",
        "y": "-2",
        "resolution": "60",
        "view": "3d",
        "log": "1",
    }
    app = open_link("surface.py", query)
    # Himmelblau at (1, -2): (1 - 2 - 11)^2 + (1 + 4 - 7)^2 = 144 + 4.
    assert metrics(app)["Cost here"] == "148"
    assert len(app.get("plotly_chart")) == 1
    assert dict(app.query_params) == query
    assert not notices(app)


def test_surface_link_full_of_garbage_shows_notices_and_defaults():
    query = {
        "landscape": "__import__('os')",
        "x": "abc",
        "y": "1e9",
        "resolution": "99999",
        "view": "4d",
        "log": "maybe",
        "junk": "1",
    }
    app = open_link("surface.py", query)
    text = notices(app)
    for name in ("landscape", "x:", "y:", "resolution", "view", "log", "junk"):
        assert name in text, (name, text)
    # The bowl at its preset point (3, 4).
    assert metrics(app)["Cost here"] == "25"
    assert app.query_params["landscape"] == "bowl"
    assert app.query_params["resolution"] == "80"


def test_calculator_link_restores_point_and_learning_rate():
    app = open_link(
        "gradient.py", {"landscape": "bowl", "x": "1", "y": "2", "lr": "0.25"}
    )
    shown = metrics(app)
    assert shown["Slope along x (∂cost/∂x)"] == "2"
    assert shown["Slope along y (∂cost/∂y)"] == "4"
    # (1, 2) − 0.25 × (2, 4) = (0.5, 1).
    assert shown["New point"] == "(0.5, 1)"


def test_descent_link_reproduces_the_walks_to_the_digit():
    query = {
        "landscape": "himmelblau",
        "x": "0.5",
        "y": "-1",
        "optimizers": "nesterov,adam",
        "lr": "0.02",
        "steps": "150",
        "log": "1",
        "momentum": "0.8",
        "beta1": "0.85",
        "beta2": "0.999",
        "step": "20",
        "view": "race",
        "schedule": "cosine",
        "eta_min": "0.1",
        "noise": "0.5",
        "nseed": "3",
    }
    first = open_link("descent.py", query)
    again = open_link("descent.py", dict(first.query_params))
    pd.testing.assert_frame_equal(first.dataframe[0].value, again.dataframe[0].value)
    assert dict(first.query_params) == query
    assert first.dataframe[0].value["step"].max() == 20
    assert len(first.get("plotly_chart")) == 1  # the race: one animated figure


def test_descent_link_cannot_exceed_the_caps():
    app = open_link("descent.py", {"steps": "10000000", "lr": "1e300", "x": "nan"})
    text = notices(app)
    assert "steps" in text and "lr" in text and "x:" in text
    assert int(app.query_params["steps"]) <= 2000


def test_custom_formula_travels_in_the_link():
    query = {
        "landscape": "custom",
        "formula": "x^2 + 3y^2",
        "xmin": "-1",
        "xmax": "2",
        "ymin": "-3",
        "ymax": "3",
        "x": "1",
        "y": "2",
    }
    app = open_link("surface.py", query)
    assert metrics(app)["Cost here"] == "13"
    assert app.query_params["formula"] == "x^2 + 3y^2"


def test_a_hostile_formula_in_a_link_is_refused_with_a_notice():
    app = open_link(
        "surface.py",
        {"landscape": "custom", "formula": "__import__('os').system('true')"},
    )
    assert "formula" in notices(app)
    assert app.query_params["formula"] == "(1-x)^2 + 100(y-x^2)^2"


def test_a_shared_statistics_link_gives_the_identical_table():
    query = {
        "landscape": "two_valleys",
        "optimizers": "gd,rmsprop",
        "runs": "300",
        "seed": "7",
        "steps": "400",
        "lrs": "0.01,0.03",
        "run": "1",
    }
    first = open_link("local_global.py", query)
    runs = first.dataframe[-1].value
    assert len(runs) == 300 * 2 * 2
    again = open_link("local_global.py", dict(first.query_params))
    pd.testing.assert_frame_equal(runs, again.dataframe[-1].value)


def test_statistics_link_refuses_an_absurd_number_of_runs():
    app = open_link("local_global.py", {"runs": "100000000", "run": "1"})
    assert "runs" in notices(app)
    runs = app.dataframe[-1].value
    assert len(runs) == 1000 * 2


def test_text_from_a_link_cannot_become_a_link_on_the_page():
    app = open_link(
        "surface.py", {"landscape": "[**Session expired**](https://evil.example)"}
    )
    raw = " ".join(w.value for w in app.warning)
    assert "\\[" in raw and "\\(https\\:" in raw
    assert "](https" not in raw


def test_statistics_work_is_capped_in_core():
    from core.experiments import MAX_WORK, run_many
    from core.landscapes import get_landscape

    with pytest.raises(ValueError, match="at most"):
        run_many(get_landscape("bowl"), ["gd", "adam"], [0.1], 20_000, 0, 5_000)
    assert MAX_WORK < 20_000 * 2 * 5_000


def test_a_heavy_statistics_link_says_why_it_did_not_run():
    app = open_link(
        "local_global.py",
        {
            "optimizers": "gd,momentum,nesterov,adagrad,rmsprop,adam",
            "runs": "20000",
            "steps": "5000",
            "run": "1",
        },
    )
    assert any("at most" in e.value for e in app.error)


def test_a_stale_address_does_not_undo_a_quick_click():
    # The browser may send a rerun with the address from before the last run's
    # update: reading that as a link would switch the landscape back.
    app = open_link("surface.py", {})
    before = dict(app.query_params)
    app.selectbox(key="surface_landscape").set_value("himmelblau").run()
    app.query_params.clear()
    app.query_params.update(before)
    app.number_input(key="surface_x").set_value(1.0).run()
    assert app.session_state["surface_landscape"] == "himmelblau"


def test_the_back_button_restores_an_older_address(monkeypatch):
    import dashboard.links

    monkeypatch.setattr(dashboard.links, "ECHO_SECONDS", 0.0)
    app = open_link("surface.py", {})
    before = dict(app.query_params)
    app.selectbox(key="surface_landscape").set_value("himmelblau").run()
    app.query_params.clear()
    app.query_params.update(before)
    app.run()
    assert app.session_state["surface_landscape"] == "bowl"
    assert metrics(app)["Cost here"] == "25"
