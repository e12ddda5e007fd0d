"""What a letter run writes back into the workbook, as values: the contact-log rows for the
letters made, the Afspraken updates and the Werklijst rows (X1: every letter is logged, so
the next run the same day makes nothing twice).

Example::

    a herinnering to K007 for 2026-0212, made on 24-11-2026 as uitvoer/2026-11-24/...pdf
    -> Contact(date=24-11-2026, customer="K007", channel=Brief en e-mail,
               invoices=("2026-0212",), step="Herinnering", document="uitvoer/...pdf")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core.ledger import customer_index
from addin.core.model import (
    Action,
    Agreement,
    AgreementState,
    Book,
    Channel,
    Contact,
    LetterTask,
    Plan,
)
from addin.core.texts import CONFIRMATION_STEP as CONFIRMATION_STEP  # re-exported
from addin.core.texts import GOALS

LOGGED_BY = "Debiteuren"


@dataclass(frozen=True, slots=True)
class MadeLetter:
    """A letter that was made: its task and where its documents are.

    Attributes:
      document: the PDF's path as written into Contacten.Document (relative to the
        workbook's folder where possible).
    """

    task: LetterTask
    document: str
    channel: Channel
    person: str = ""


def contact_rows(made: Sequence[MadeLetter], as_of: date) -> tuple[Contact, ...]:
    """One Contacten row per letter, with the step it fulfils."""
    return tuple(
        Contact(
            date=as_of,
            customer=m.task.customer,
            channel=m.channel,
            invoices=m.task.invoices,
            person=m.person,
            goal=GOALS[m.task.action],
            by=LOGGED_BY,
            step=m.task.step or (CONFIRMATION_STEP if m.task.action is Action.CONFIRM else ""),
            document=m.document,
        )
        for m in made
    )


def not_handed_over(book: Book, customer: str, invoices: Sequence[str]) -> tuple[str, ...]:
    """The invoices of a hand-over that no earlier hand-over (Contacten, Kanaal Overdracht)
    of that customer covered: a second `overdracht` logs only these (PLAYBOOK X1). A
    hand-over row with an empty Facturen covered every invoice of the customer."""
    done: set[str] = set()
    for c in book.contacts:
        if c.customer != customer or c.channel is not Channel.HANDOVER:
            continue
        if not c.invoices:
            return ()
        done.update(c.invoices)
    return tuple(number for number in invoices if number not in done)


def confirmed_agreements(made: Sequence[MadeLetter]) -> frozenset[str]:
    """The Afspraken whose confirmation letter was made (Bevestiging verstuurd is set)."""
    return frozenset(
        m.task.agreement for m in made if m.task.action is Action.CONFIRM and m.task.agreement
    )


def agreement_updates(
    agreements: Sequence[Agreement],
    states: Sequence[tuple[str, AgreementState]],
    confirmed: frozenset[str],
    as_of: date,
) -> tuple[tuple[str, dict[str, object]], ...]:
    """Per Afspraak id: its computed Status, and Bevestiging verstuurd where a confirmation
    was made. Rows without an id cannot be found again and are left alone."""
    state = dict(states)
    out = []
    for a in agreements:
        if a.id.startswith("rij ") or a.id not in state:
            continue
        values: dict[str, object] = {"Status": state[a.id].value}
        if a.id in confirmed and a.confirmation_sent is None:
            values["Bevestiging verstuurd"] = as_of
        out.append((a.id, values))
    return tuple(out)


WERKLIJST_HEADER = (
    "Datum", "Actie", "Factuur", "Klantnummer", "Naam", "Status", "Open", "Kanaal", "Contact",
    "Telefoon", "Eigenaar", "Doel", "Reden",
)  # fmt: skip


def werklijst_rows(plan: Plan, book: Book) -> tuple[tuple[object, ...], ...]:
    """The day's plan for the Werklijst sheet: every invoice with something to do, by date."""
    names = {number: c.name for number, c in customer_index(book).items()}
    rows: list[tuple[object, ...]] = [
        (f"Werklijst {plan.as_of.day}-{plan.as_of.month}-{plan.as_of.year}",),
        WERKLIJST_HEADER,
    ]
    todo = [a for a in plan.actions if a.action is not Action.NONE]
    todo.sort(key=lambda a: (a.date or plan.as_of, a.customer, a.invoice))
    for a in todo:
        rows.append(
            (
                a.date,
                a.action.value,
                a.invoice,
                a.customer,
                names.get(a.customer, ""),
                a.status.value,
                Decimal(a.open_amount),
                a.channel.value if a.channel else "",
                a.contact,
                a.phone,
                a.owner,
                a.goal,
                a.reason,
            )
        )
    return tuple(rows)
