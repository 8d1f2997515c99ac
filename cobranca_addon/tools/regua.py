"""Rules of the régua de cobrança, as plain functions.

Which level a receivable item reaches on a given day, and when it will reach the
next one. The dunning run applies the very same rules set-based in SQL
(``cobranca.run._create_lines``); the tests check that both agree.

Vocabulary:

* ``steps``: the levels of a policy, as :class:`Step` (``days`` relative to the
  due date, negative before it);
* ``days_late``: run date minus due date (negative before the due date);
* ``reached_days``: the highest ``days`` of the levels the item already reached,
  or ``None``.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Step:
    """One level of a policy: an opaque ``key`` (the level id) and its ``days``."""

    key: object
    days: int


def is_pre_due(days):
    """A level of ``days`` belongs to the reminders sent up to the due date."""
    return days <= 0


def next_step(steps, days_late, reached_days=None):
    """Return the :class:`Step` an item reaches on a day, or ``None``.

    * Up to the due date (``days_late <= 0``) only the levels before (or on) the
      due date apply, and the most recent one that applies is chosen: a reminder
      "in 5 days" is pointless when the invoice is due in 2.
    * After the due date, the levels before it are skipped and the item advances
      one level at a time: the lowest level after the due date that it has not
      reached and whose ``days`` have elapsed. An old debt therefore starts at the
      first overdue level instead of jumping to the last one.
    """
    pre_due = days_late <= 0
    candidates = [
        step
        for step in steps
        if is_pre_due(step.days) == pre_due
        and step.days <= days_late
        and (reached_days is None or step.days > reached_days)
    ]
    if not candidates:
        return None
    if pre_due:
        return max(candidates, key=lambda step: step.days)
    return min(candidates, key=lambda step: step.days)


def next_step_date(steps, due_date, today, reached_days=None, last_contact=None, min_interval=0):
    """Return ``(date, step)`` of the next reminder of an item, or ``(None, None)``.

    ``last_contact`` is the date of the last reminder to the same customer and
    ``min_interval`` the minimum number of days between two reminders to them.
    """
    earliest = today
    if last_contact:
        earliest = max(earliest, last_contact + timedelta(days=min_interval))
    not_reached = [step for step in steps if reached_days is None or step.days > reached_days]
    pre_due = [step for step in not_reached if is_pre_due(step.days)]
    if pre_due:
        day = max(earliest, due_date + timedelta(days=min(step.days for step in pre_due)))
        if day <= due_date:
            return day, next_step(steps, (day - due_date).days, reached_days)
    overdue = [step for step in not_reached if not is_pre_due(step.days)]
    if overdue:
        step = min(overdue, key=lambda step: step.days)
        return max(earliest, due_date + timedelta(days=step.days)), step
    return None, None
