"""Dutch words the engine puts in front of the user: goals per action and date/amount text.

Reasons are built where the decision is made (they quote its facts); this module holds the
fixed vocabulary so the words live in one place.

Example::

    >>> nl_date(date(2026, 3, 2))
    '2-3-2026'
    >>> GOALS[Action.CALL]
    'betaaldatum of regeling afspreken'
"""

from __future__ import annotations

from datetime import date

from .model import Action

# What each action should achieve (PLAYBOOK P5: know the goal before contact).
GOALS: dict[Action, str] = {
    Action.NONE: "",
    Action.WAIT: "betaling op de afgesproken datum",
    Action.CHECK_BANK: "betaling koppelen of afwijzen",
    Action.ASK_PROOF: "betaalbewijs ontvangen",
    Action.RESOLVE: "geschil oplossen",
    Action.CALL: "betaaldatum of regeling afspreken",
    Action.REMINDER: "betaling binnen 7 dagen",
    Action.OFFER_ARRANGEMENT: "betaling of een regeling",
    Action.FINAL_REMINDER: "betaling of een regeling",
    Action.FOURTEEN_DAY_LETTER: "betaling binnen 14 dagen zonder incassokosten",
    Action.COLLECTION: "volledig dossier overdragen aan het incassobureau",
    Action.CONFIRM: "getekende bevestiging retour",
    Action.OWN: "",
}

GOAL_INSOLVENCY = "vordering indienen bij de curator of bewindvoerder"
GOAL_MISSED = "nieuwe betaaldatum afspreken"


def nl_date(day: date) -> str:
    """Dutch short date without leading zeros, as in letters: 2-3-2026."""
    return f"{day.day}-{day.month}-{day.year}"


def days_text(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"
