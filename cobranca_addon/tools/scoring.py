"""Payment-behaviour score of a customer, as plain functions.

The nightly scoring computes, set-based in SQL, each customer's figures over a
window (default 12 months); this module turns them into a score from 0 (worst)
to 100 (best) and says which figures cost points, so that the segment it leads
to can be explained to the customer (LGPD art. 20).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """How many points each criterion takes (all configurable in Settings)."""

    #: Points taken per day of weighted average delay, and their cap.
    per_day_late: float = 1.5
    max_delay: float = 60.0
    #: Points taken for paying every item late (proportionally for a share).
    late_share: float = 30.0
    #: Points taken per day of the oldest open overdue item, and their cap.
    per_day_overdue: float = 1.5
    max_overdue: float = 60.0

    def __post_init__(self):
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"the scoring weight {name} cannot be negative")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Figures:
    """What a customer's score is made of, over the scoring window."""

    paid_count: int = 0
    avg_days_late: float = 0.0
    weighted_days_late: float = 0.0
    late_share: float = 0.0
    open_overdue_amount: float = 0.0
    max_days_overdue: int = 0
    volume: float = 0.0
    relationship_days: int = 0

    @property
    def has_history(self):
        """A customer with nothing paid nor overdue in the window has no record yet."""
        return bool(self.paid_count or self.max_days_overdue > 0)


def score(figures, weights=DEFAULT_WEIGHTS):
    """Return ``(score, penalties)``: the score (0-100, rounded to one decimal) and
    the points each criterion took, ``{criterion: points}``; ``(None, {})`` for a
    customer without history."""
    if not figures.has_history:
        return None, {}
    penalties = {
        "delay": min(
            weights.max_delay, weights.per_day_late * max(0.0, figures.weighted_days_late)
        ),
        "late_share": weights.late_share * min(1.0, max(0.0, figures.late_share)),
        "overdue": min(
            weights.max_overdue, weights.per_day_overdue * max(0, figures.max_days_overdue)
        ),
    }
    value = max(0.0, 100.0 - sum(penalties.values()))
    return round(value, 1), {key: round(points, 1) for key, points in penalties.items()}


def segment_for(value, thresholds, new_customer=None):
    """The segment whose minimum score ``value`` reaches, the most demanding first.

    :param thresholds: ``[(key, min_score)]``
    :param new_customer: the key for customers without history (``value`` None)
    """
    if value is None:
        return new_customer
    eligible = [(minimum, key) for key, minimum in thresholds if value >= minimum]
    if not eligible:
        return None
    return max(eligible, key=lambda pair: pair[0])[1]
