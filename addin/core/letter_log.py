"""What a letter run writes back into the workbook, as values: the contact-log rows for the
letters made, the Afspraken updates and the Werklijst rows (X1: every letter is logged, so
the next run the same day makes nothing twice).

Example::

    a herinnering to K007 for 2026-0212, made on 24-11-2026 as uitvoer/2026-11-24/...pdf
    -> Contact(date=24-11-2026, customer="K007", channel=Brief en e-mail,
               invoices=("2026-0212",), step="Herinnering", document="uitvoer/...pdf")
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin import schema
from addin.core.ledger import customer_index
from addin.core.model import (
    Action,
    Agreement,
    AgreementState,
    Book,
    Channel,
    Contact,
    LetterTask,
    NextAction,
    Plan,
    Warning_,
)
from addin.core.sheet_layout import (
    Area,
    Link,
    SheetLayout,
    Style,
    fit_heights,
    fit_widths,
    value_style,
)
from addin.core.texts import CONFIRMATION_STEP as CONFIRMATION_STEP  # re-exported
from addin.core.texts import GOALS, dutch_count, nl_date

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


# The groups of the day's work, in order, with the words of `debiteuren werklijst`'s text:
# first what is due on or before the plan date, by kind of work; then what waits on a
# promise; then the actions of the next days (Instellingen "Werklijst dagen vooruit").
DUE_GROUPS: tuple[tuple[str, frozenset[Action]], ...] = (
    ("Bellen", frozenset({Action.CALL, Action.ASK_PROOF})),
    ("Bank controleren", frozenset({Action.CHECK_BANK})),
    ("Intern oplossen en eigen acties", frozenset({Action.RESOLVE, Action.OWN})),
    ("Overdragen aan incassobureau", frozenset({Action.COLLECTION})),
)
LETTERS_GROUP = "Brieven klaar om te maken"
WAITING_GROUP = "Wachten op toezegging of regeling"
COMING_GROUP = "Komende dagen"
GROUP_ORDER: tuple[str, ...] = (
    *(title for title, _ in DUE_GROUPS),
    LETTERS_GROUP,
    WAITING_GROUP,
    COMING_GROUP,
)
_DUE_GROUP = {action: title for title, actions in DUE_GROUPS for action in actions}

# Werklijst columns (0-based) and their widest width in characters; wider text wraps.
_FACTUUR_COLUMN = schema.WERKLIJST_HEADER.index("Factuur")
_WRAPPED = frozenset(
    schema.WERKLIJST_HEADER.index(h) for h in ("Groep", "Naam", "Contact", "Doel", "Reden")
)
# Text that is often digits only (Exact Online's invoice numbers, customer numbers, phone
# numbers): SheetLayout.text_columns, 1-based.
_DIGIT_TEXT_COLUMNS = tuple(
    schema.WERKLIJST_HEADER.index(h) + 1 for h in ("Factuur", "Klantnummer", "Telefoon")
)
_MAX_WIDTHS = tuple(
    {"Groep": 33.0, "Naam": 45.0, "Contact": 20.0, "Doel": 28.0, "Reden": 60.0}.get(h, 30.0)
    for h in schema.WERKLIJST_HEADER
)


def worklist_group(action: NextAction, as_of: date, days_ahead: int) -> str | None:
    """The Werklijst group of an invoice's next action; None when it is not on the list
    (nothing to do, or later than the days ahead)."""
    if action.action is Action.NONE:
        return None
    if action.action is Action.WAIT:
        return WAITING_GROUP
    day = action.date or as_of
    if day <= as_of:
        return _DUE_GROUP.get(action.action, LETTERS_GROUP)
    if (day - as_of).days <= days_ahead:
        return COMING_GROUP
    return None


# At most this many warnings are listed above the Werklijst's table. The rows above it stay
# frozen in view, and a big book has thousands of warnings (11,066 risky or top customers in
# the 100,000-invoice benchmark): listed there in full they froze more rows than any screen
# shows, with the work out of reach. Beyond this, the top shows the first of each kind with
# how many more there are, and every warning follows below the table.
WARNINGS_ON_TOP = 10


def _warnings_on_top(warnings: Sequence[Warning_]) -> list[str]:
    """What the Werklijst lists above its table: every warning when there are at most
    WARNINGS_ON_TOP, else the first of each kind, saying how many more of it follow."""
    if len(warnings) <= WARNINGS_ON_TOP:
        return [w.message for w in warnings]
    first: dict[str, str] = {}
    count: dict[str, int] = {}
    for w in warnings:
        first.setdefault(w.kind, w.message)
        count[w.kind] = count.get(w.kind, 0) + 1
    return [
        message
        if count[kind] == 1
        else f"{message} En nog {dutch_count(count[kind] - 1)} van deze soort."
        for kind, message in first.items()
    ]


NO_LETTERS = "Geen brieven te maken vandaag: ze zijn al gemaakt of er is niets vervallen."


def no_letters_text(plan: Plan) -> str:
    """What a letter run that made no letter says: that there were none to make, and, when
    the Werklijst has other work for today (calls, bank lines, internal work, hand-overs),
    which, so that a book whose overdue invoices wait for a call does not read "niets
    vervallen"."""
    due = Counter(
        _DUE_GROUP[a.action]
        for a in plan.actions
        if a.action in _DUE_GROUP and (a.date or plan.as_of) <= plan.as_of
    )
    if not due:
        return NO_LETTERS
    work = ", ".join(f"{title} ({due[title]})" for title, _ in DUE_GROUPS if due[title])
    return f"Geen brieven te maken vandaag. Wel ander werk op de Werklijst: {work}."


def werklijst_rows(plan: Plan, book: Book) -> SheetLayout:
    """The Werklijst sheet: a title with the date, the warnings, then one row per invoice
    with something to do, by group (DUE_GROUPS, letters, waiting, the coming days), then
    date, customer and invoice."""
    as_of = plan.as_of
    names = {number: c.name for number, c in customer_index(book).items()}
    invoice_rows = {i.number: i.row for i in book.invoices if i.row}
    company = book.settings.company_name
    title = f"Werklijst {nl_date(as_of)}" + (f" - {company}" if company else "")
    rows: list[tuple[object, ...]] = [(title,)]
    styles: list[tuple[Style | None, ...]] = [(Style.TITLE,)]
    # The plan's warnings, the bank lines still to review among them (plan.review_warnings).
    warnings = [w.message for w in plan.warnings]
    on_top = _warnings_on_top(plan.warnings)
    if warnings:
        heading = f"Waarschuwingen ({dutch_count(len(warnings))})"
        if len(on_top) < len(warnings):
            heading += (
                f": van elke soort de eerste; alle {dutch_count(len(warnings))} staan onder "
                "de werklijst"
            )
        rows.append((heading,))
        styles.append((Style.SECTION,))
        rows += [(text,) for text in on_top]
        styles += [(Style.WARNING,)] * len(on_top)
    else:
        rows.append(("Geen waarschuwingen.",))
        styles.append((Style.TEXT,))
    rows.append(())
    styles.append(())
    header_row = len(rows) + 1
    rows.append(schema.WERKLIJST_HEADER)
    styles.append((Style.HEADER,) * len(schema.WERKLIJST_HEADER))
    order = {title: k for k, title in enumerate(GROUP_ORDER)}
    days_ahead = book.settings.worklist_days_ahead
    listed = [(worklist_group(a, as_of, days_ahead), a) for a in plan.actions]
    todo = sorted(
        ((group, a) for group, a in listed if group is not None),
        key=lambda ga: (order[ga[0]], ga[1].date or as_of, ga[1].customer, ga[1].invoice),
    )
    links = []
    row_styles: dict[tuple[object, ...], tuple[Style | None, ...]] = {}
    for group, a in todo:
        row: tuple[object, ...] = (
            group,
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
        rows.append(row)
        linked = a.invoice in invoice_rows
        # value_style depends on a value's type alone, so a row's styles follow from its
        # types and its link: worked out once per such shape (a handful for 20,000 rows).
        shape = (linked, *map(type, row))
        kinds = row_styles.get(shape)
        if kinds is None:
            kinds = row_styles[shape] = tuple(
                Style.GROUP
                if c == 0
                else Style.LINK
                if c == _FACTUUR_COLUMN and linked
                else value_style(value, Style.WRAP if c in _WRAPPED else Style.TEXT)
                for c, value in enumerate(row)
            )
        styles.append(kinds)
        if linked:
            links.append(
                Link(len(rows), _FACTUUR_COLUMN + 1, schema.FACTUREN.sheet, invoice_rows[a.invoice])
            )
    width = len(schema.WERKLIJST_HEADER)
    last_work_row = len(rows)
    if len(on_top) < len(warnings):
        rows += [(), (f"Alle waarschuwingen ({dutch_count(len(warnings))})",)]
        styles += [(), (Style.SECTION,)]
        rows += [(text,) for text in warnings]
        styles += [(Style.WARNING,)] * len(warnings)
    widths = fit_widths(rows, styles, _MAX_WIDTHS)
    return SheetLayout(
        rows=tuple(rows),
        styles=tuple(styles),
        widths=widths,
        heights=fit_heights(rows, styles, widths),
        freeze_rows=header_row,
        autofilter=Area(header_row, 1, max(last_work_row, header_row + 1), width),
        links=tuple(links),
        text_columns=_DIGIT_TEXT_COLUMNS,
    )
