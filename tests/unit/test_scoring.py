"""The payment-behaviour score (cobranca_addon/tools/scoring.py), without Odoo."""

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import load_tool

scoring = load_tool("scoring")
Figures = scoring.Figures

SEGMENTS = [("A", 80), ("B", 60), ("C", 40), ("D", 0)]


def test_a_customer_who_always_pays_on_time_scores_100():
    value, penalties = scoring.score(Figures(paid_count=12, volume=1000))
    assert value == 100.0
    assert penalties == {"delay": 0.0, "late_share": 0.0, "overdue": 0.0}
    assert scoring.segment_for(value, SEGMENTS) == "A"


def test_delays_and_overdue_items_cost_points():
    figures = Figures(paid_count=10, weighted_days_late=10, late_share=0.5, max_days_overdue=20)
    value, penalties = scoring.score(figures)
    assert penalties == {"delay": 15.0, "late_share": 15.0, "overdue": 30.0}
    assert value == 40.0
    assert scoring.segment_for(value, SEGMENTS) == "C"


def test_penalties_are_capped_and_the_score_floored():
    figures = Figures(paid_count=3, weighted_days_late=400, late_share=1.0, max_days_overdue=500)
    value, penalties = scoring.score(figures)
    assert penalties == {"delay": 60.0, "late_share": 30.0, "overdue": 60.0}
    assert value == 0.0
    assert scoring.segment_for(value, SEGMENTS) == "D"


def test_new_customer_without_history():
    assert scoring.score(Figures(volume=500, relationship_days=3)) == (None, {})
    assert scoring.segment_for(None, SEGMENTS, new_customer="N") == "N"
    # an open overdue item is history even with nothing paid yet
    value, _penalties = scoring.score(Figures(max_days_overdue=10))
    assert value == 85.0


def test_no_segment_low_enough():
    assert scoring.segment_for(10, [("A", 80), ("B", 50)]) is None


figures_strategy = st.builds(
    Figures,
    paid_count=st.integers(0, 500),
    avg_days_late=st.floats(0, 365),
    weighted_days_late=st.floats(0, 365),
    late_share=st.floats(0, 1),
    max_days_overdue=st.integers(0, 1000),
)


@settings(max_examples=300, deadline=None)
@given(figures=figures_strategy, more=st.floats(0, 100), more_days=st.integers(0, 100))
def test_score_bounds_and_monotony(figures, more, more_days):
    value, penalties = scoring.score(figures)
    if value is None:
        return
    assert 0.0 <= value <= 100.0
    assert all(points >= 0 for points in penalties.values())
    # paying later, or leaving an item overdue longer, never improves the score
    worse = Figures(
        paid_count=figures.paid_count,
        weighted_days_late=figures.weighted_days_late + more,
        late_share=figures.late_share,
        max_days_overdue=figures.max_days_overdue + more_days,
    )
    assert scoring.score(worse)[0] <= value


@settings(max_examples=200, deadline=None)
@given(value=st.floats(0, 100))
def test_segments_follow_the_thresholds(value):
    key = scoring.segment_for(value, SEGMENTS)
    minimum = dict(SEGMENTS)[key]
    assert value >= minimum
    assert not [k for k, m in SEGMENTS if minimum < m <= value]


def test_weights_are_settings():
    figures = Figures(paid_count=10, weighted_days_late=10, late_share=0.5, max_days_overdue=20)
    strict = scoring.Weights(per_day_late=3.0, late_share=40.0, per_day_overdue=0.0)
    value, penalties = scoring.score(figures, strict)
    assert penalties == {"delay": 30.0, "late_share": 20.0, "overdue": 0.0}
    assert value == 50.0


def test_negative_weights_are_refused():
    import pytest

    with pytest.raises(ValueError, match="per_day_late"):
        scoring.Weights(per_day_late=-1)
