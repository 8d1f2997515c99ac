"""The rules of the régua (cobranca_addon/tools/regua.py), without Odoo."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import load_tool

regua = load_tool("regua")
Step = regua.Step

# The shipped policy: D-3, D+1, D+7, D+15 (call), D+30.
DEFAULT = [Step("d-3", -3), Step("d+1", 1), Step("d+7", 7), Step("d+15", 15), Step("d+30", 30)]


def test_nothing_before_the_first_level():
    assert regua.next_step(DEFAULT, -10) is None
    assert regua.next_step(DEFAULT, -4) is None


def test_pre_due_level_applies_until_the_due_date():
    assert regua.next_step(DEFAULT, -3).key == "d-3"
    assert regua.next_step(DEFAULT, -1).key == "d-3"
    assert regua.next_step(DEFAULT, 0).key == "d-3"
    # once reached, never again
    assert regua.next_step(DEFAULT, -1, reached_days=-3) is None


def test_pre_due_levels_are_skipped_after_the_due_date():
    # not reached before the due date: the first overdue level comes instead
    assert regua.next_step(DEFAULT, 1).key == "d+1"
    assert regua.next_step(DEFAULT, 1, reached_days=-3).key == "d+1"


def test_the_most_recent_pre_due_level_wins():
    steps = [Step("d-10", -10), Step("d-5", -5), Step("d0", 0)]
    assert regua.next_step(steps, -7).key == "d-10"
    assert regua.next_step(steps, -2).key == "d-5"
    assert regua.next_step(steps, -2, reached_days=-10).key == "d-5"
    assert regua.next_step(steps, 0, reached_days=-5).key == "d0"


def test_overdue_items_advance_one_level_at_a_time():
    # an old debt does not jump to the formal notice
    assert regua.next_step(DEFAULT, 200).key == "d+1"
    assert regua.next_step(DEFAULT, 200, reached_days=1).key == "d+7"
    assert regua.next_step(DEFAULT, 200, reached_days=7).key == "d+15"
    assert regua.next_step(DEFAULT, 200, reached_days=15).key == "d+30"
    assert regua.next_step(DEFAULT, 200, reached_days=30) is None


def test_overdue_level_waits_for_its_day():
    assert regua.next_step(DEFAULT, 6, reached_days=1) is None
    assert regua.next_step(DEFAULT, 7, reached_days=1).key == "d+7"


def test_next_step_date_simple_schedule():
    due = date(2026, 3, 10)
    today = date(2026, 3, 1)
    day, step = regua.next_step_date(DEFAULT, due, today)
    assert (day, step.key) == (date(2026, 3, 7), "d-3")
    day, step = regua.next_step_date(DEFAULT, due, date(2026, 3, 7), reached_days=-3)
    assert (day, step.key) == (date(2026, 3, 11), "d+1")


def test_next_step_date_respects_the_minimum_interval():
    due = date(2026, 3, 10)
    # last contact on the 10th, interval 3: the D+1 reminder waits until the 13th
    day, step = regua.next_step_date(
        DEFAULT, due, date(2026, 3, 11), last_contact=date(2026, 3, 10), min_interval=3
    )
    assert (day, step.key) == (date(2026, 3, 13), "d+1")


def test_next_step_date_pre_due_step_pushed_past_due_date_becomes_overdue_step():
    due = date(2026, 3, 10)
    day, step = regua.next_step_date(
        DEFAULT, due, date(2026, 3, 8), last_contact=date(2026, 3, 8), min_interval=5
    )
    assert (day, step.key) == (date(2026, 3, 13), "d+1")


def test_next_step_date_none_after_last_level():
    assert regua.next_step_date(DEFAULT, date(2026, 1, 1), date(2026, 6, 1), reached_days=30) == (
        None,
        None,
    )
    assert regua.next_step_date([], date(2026, 1, 1), date(2026, 1, 1)) == (None, None)


steps_strategy = st.lists(
    st.integers(min_value=-30, max_value=120), min_size=1, max_size=8, unique=True
).map(lambda days: [Step(f"L{d}", d) for d in sorted(days)])


@settings(max_examples=300, deadline=None)
@given(
    steps=steps_strategy, days_late=st.integers(-60, 400), reached=st.none() | st.integers(-30, 120)
)
def test_properties_of_next_step(steps, days_late, reached):
    step = regua.next_step(steps, days_late, reached)
    if step is None:
        return
    # a level is only reached once its day has come, and never twice
    assert step.days <= days_late
    assert reached is None or step.days > reached
    # never a level before the due date once it has passed, and vice versa
    assert (step.days <= 0) == (days_late <= 0)
    if days_late > 0:
        # one level at a time: nothing skipped between the last reached and this one
        floor = max(reached, 0) if reached is not None else 0
        assert not [s for s in steps if floor < s.days < step.days]


@settings(max_examples=200, deadline=None)
@given(steps=steps_strategy, start=st.integers(-40, 60))
def test_walking_day_by_day_reaches_each_overdue_level_once_in_order(steps, start):
    """Simulate the daily run on one item: levels come in order, each once."""
    due = date(2026, 1, 31)
    reached = None
    seen, offsets = [], []
    for offset in range(start, 200):
        step = regua.next_step(steps, offset, reached)
        if step:
            seen.append(step.days)
            offsets.append(offset)
            reached = step.days
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    overdue = [s.days for s in steps if s.days > 0]
    assert [d for d in seen if d > 0] == overdue
    # the schedule agrees with next_step_date
    day, step = regua.next_step_date(steps, due, due + timedelta(days=start))
    if seen:
        assert step.days == seen[0]
        assert day == due + timedelta(days=offsets[0])
    else:
        assert (day, step) == (None, None)
