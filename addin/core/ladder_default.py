"""The shipped escalation ladder: the rows a new workbook's Stappen table starts with.

Source: DESIGN.md "The default ladder and how it is walked", which puts PLAYBOOK L1-L8 into
rows: the first step no later than 2 days after the due date (L1); call first for segment A
business customers (L2); after an unanswered call a friendly letter follows (L3); at most
three written reminders: friendly with invoice copy, with an arrangement offer, last with the
offer again (L4, never numbered: L5); personal contact after the first letter (L5); the
statutory 14-day letter for consumers only (L8, art. 6:96 lid 6 BW); then the hand-over to the
collection agency (L8). The user's copy in the workbook is what the engine walks; this tuple
only seeds a new workbook (and a Book read without a Stappen table).

The template name is the action code, so "herinnering" finds ``templates/herinnering.*``.

Example::

    >>> [s.name for s in DEFAULT_STEPS][:3]
    ['Bellen', 'Herinnering', 'Nabellen']
    >>> DEFAULT_STEPS[0].segment, DEFAULT_STEPS[0].audience
    (<Segment.A: 'A'>, <Audience.BUSINESS: 'Zakelijk'>)
"""

from __future__ import annotations

from addin.core.model import Action, Audience, Basis, Channel, Segment, Step

_DUE = Basis.DUE_DATE
_PREV = Basis.PREVIOUS_STEP
_BOTH = Channel.LETTER_AND_EMAIL


def _step(
    name: str,
    days: int,
    basis: Basis,
    action: Action,
    channel: Channel,
    audience: Audience = Audience.ALL,
    segment: Segment | None = None,
) -> Step:
    return Step(name, days, basis, action, channel, action.value, audience, segment)


# Checked against DESIGN.md (2026 edition) row by row: Stap, Na dagen, Vanaf, Actie, Kanaal,
# Voor, Segment (None = Alle).
DEFAULT_STEPS: tuple[Step, ...] = (
    _step("Bellen", 2, _DUE, Action.CALL, Channel.PHONE, Audience.BUSINESS, Segment.A),
    _step("Herinnering", 2, _DUE, Action.REMINDER, _BOTH),
    _step("Nabellen", 7, _PREV, Action.CALL, Channel.PHONE),
    _step("Regeling aanbieden", 7, _PREV, Action.OFFER_ARRANGEMENT, _BOTH),
    _step("Laatste herinnering", 14, _PREV, Action.FINAL_REMINDER, _BOTH),
    _step(
        "Veertiendagenbrief",
        7,
        _PREV,
        Action.FOURTEEN_DAY_LETTER,
        Channel.LETTER,
        Audience.CONSUMER,
    ),
    _step("Incasso", 21, _PREV, Action.COLLECTION, Channel.HANDOVER),
)
