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

from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from addin.core.model import Action, Settings, Status
from addin.core.money import ZERO, format_eur

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
    Action.THANK: "goede betaler bedanken",
}

# Steps that are no Stappen row: a letter is still named and logged by its step's name.
CONFIRMATION_STEP = "Bevestiging"
THANK_STEP = "Bedankje"

# A letter's file name for an English customer: the name of its attachment is what the
# customer sees, so the shipped step names (DEFAULT_STEPS and the two above) are given in
# English, the words of the English templates' subjects. A user's own step name is the
# user's words and stays as it is.
LETTER_NAMES_EN: dict[Action, str] = {
    Action.REMINDER: "Reminder",
    Action.OFFER_ARRANGEMENT: "Payment proposal",
    Action.FINAL_REMINDER: "Final reminder",
    Action.FOURTEEN_DAY_LETTER: "Payment demand",
    Action.CONFIRM: "Confirmation",
    Action.THANK: "Thank you",
}

GOAL_INSOLVENCY = "vordering indienen bij de curator of bewindvoerder"
GOAL_MISSED = "nieuwe betaaldatum afspreken"


def nl_date(day: date) -> str:
    """Dutch short date without leading zeros, as in letters: 2-3-2026."""
    return f"{day.day}-{day.month}-{day.year}"


def agency_name(setting: str) -> str:
    """The collection agency's name: the first line or comma part of Instellingen.Incassobureau."""
    return setting.replace("\n", ",").split(",")[0].strip()


def invoice_sentence(term_days: int, language: str = "NL") -> str:
    """PLAYBOOK R4 (seed 000 tip 4): a sentence for the user's own invoices that explains
    why the payment term matters, naming the term. Written into Instellingen by `nieuw`;
    the user updates it when the term changes.

    >>> invoice_sentence(30)[:60]
    'Wij bieden u de mogelijkheid om pas na levering te betalen. '
    """
    if language == "EN":
        return (
            "We give you the option of paying after delivery. We can only keep offering this "
            f"service if our invoices are paid within {term_days} days. Thank you for your "
            "cooperation."
        )
    return (
        "Wij bieden u de mogelijkheid om pas na levering te betalen. Deze service kunnen we "
        f"alleen blijven bieden als onze facturen binnen {days_text(term_days)} worden betaald. "
        "Wij rekenen op uw medewerking."
    )


def with_suggestions(settings: Settings) -> Settings:
    """The settings with R4's suggested invoice sentences where they are still empty (for
    `nieuw`, and for `bijwerken` when it adds the rows): they name the term of that moment."""
    return replace(
        settings,
        invoice_sentence=settings.invoice_sentence
        or invoice_sentence(settings.default_term_days, "NL"),
        invoice_sentence_en=settings.invoice_sentence_en
        or invoice_sentence(settings.default_term_days, "EN"),
    )


def dutch_count(n: int) -> str:
    """A count with Dutch thousands: '4.911'."""
    return f"{n:,}".replace(",", ".")


def count_text(n: int, one: str, many: str) -> str:
    """A number with its noun in the right form: '1 probleem', '3 problemen'."""
    return f"{n} {one if n == 1 else many}"


def days_text(n: int) -> str:
    return count_text(n, "dag", "dagen")


def settled_reason(status: Status, open_amount: Decimal, paid_on: date | None) -> str:
    """Why a paid invoice or a credit note needs nothing."""
    if status is Status.CREDIT_NOTE:
        if open_amount < ZERO:
            return f"creditnota, open {format_eur(-open_amount)}: wordt verrekend"
        return "creditnota, verrekend"
    return paid_reason(paid_on)


@lru_cache(maxsize=4096)
def paid_reason(paid_on: date | None) -> str:
    # Tens of thousands of paid invoices share a few hundred payment dates.
    return f"betaald op {nl_date(paid_on)}" if paid_on else "betaald"


# The reason of an invoice handed over to the collection agency; the overview counts those
# by it, so both use this one text.
HANDED_OVER = "overgedragen aan "


def handed_over_reason(agency: str, day: date) -> str:
    """'overgedragen aan Incasso BV op 3-2-2026'."""
    return f"{HANDED_OVER}{agency} op {nl_date(day)}"


def make_table_advice(table: str) -> str:
    """How a user turns a plain range into the Excel table `table` of the contract: the one
    advice of `controleer` and of a writing command that refuses (the write-back can only
    extend a table)."""
    return (
        "Maak er een Excel-tabel van met 'debiteuren bijwerken' (dat doet het voor elk blad "
        f"waar het nodig is), of in Excel: klik in de gegevens, Invoegen > Tabel, en noem de "
        f"tabel '{table}' (Tabelontwerp > Tabelnaam)."
    )


def plain_range_text(sheet: str, table: str) -> str:
    """Why a command cannot write into `table`, whose data are on `sheet` as a plain range,
    and the way out: the command line's refusal and the ribbon's say it alike."""
    return f"De gegevens op blad '{sheet}' zijn een gewoon bereik, geen Excel-tabel. " + (
        make_table_advice(table)
    )
