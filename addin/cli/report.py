"""The plan as the user reads it: JSON for programs, a Dutch day's work for people.

JSON follows DESIGN.md's command line contract: dates `YYYY-MM-DD`, amounts as strings with
a dot and two decimals, absent values `null`, Dutch lower-case keys.

Example::

    {"datum": "2026-11-24", "acties": [{"factuur": "2026-017", "actie": "herinnering", ...}],
     "problemen": [{"blad": "Facturen", "rij": 14, "kolom": "Vervaldatum", "melding": "..."}],
     "waarschuwingen": [{"soort": "bank-verouderd", "melding": "..."}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from addin.core.ledger import customer_index
from addin.core.letter_log import DUE_GROUPS, LETTERS_GROUP, WAITING_GROUP
from addin.core.model import (
    Action,
    Book,
    Channel,
    Customer,
    CustomerScore,
    LetterTask,
    NextAction,
    Plan,
    Problem,
    Segment,
    Status,
    Warning_,
)
from addin.core.money import format_amount, json_amount
from addin.core.texts import count_text, nl_date


def _d(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _s(text: str) -> str | None:
    return text or None


def _n(value: Decimal | None) -> str | None:
    return json_amount(value) if value is not None else None


def action_json(a: NextAction, customers: dict[str, Customer]) -> dict[str, Any]:
    return next(actions_json((a,), customers))


def actions_json(
    actions: Iterable[NextAction], customers: dict[str, Customer]
) -> Iterator[dict[str, Any]]:
    """Each action as its JSON object, made one at a time (100,000 of them are written as
    they come, never all held). A NextAction is a tuple, so it is unpacked whole rather
    than read field by field. The look-ups are cached: a book has few distinct dates and
    enum values, and Enum.value is a slow property."""
    texts: dict[Status | Action | Channel | None, str | None] = {None: None}
    for member in (*Status, *Action, *Channel):
        texts[member] = member.value
    days: dict[date | None, str | None] = {None: None}
    names: dict[str, str | None] = {}
    # Open amounts repeat (0.00 for every paid invoice): each formatted once. -0.00 equals
    # 0.00 as a key but prints differently, so it is never looked up.
    amounts: dict[Decimal, str] = {}
    for (
        invoice,
        who,
        status,
        amount,
        code,
        reason,
        day,
        channel,
        contact,
        phone,
        email,
        owner,
        goal,
        step,
        agreement,
        due,
    ) in actions:
        text = amounts.get(amount) if amount or not amount.is_signed() else None
        if text is None:
            text = json_amount(amount)
            if amount or not amount.is_signed():
                amounts[amount] = text
        if due not in days:
            days[due] = _d(due)
        if day not in days:
            days[day] = _d(day)
        if who not in names:
            customer = customers.get(who)
            names[who] = customer.name if customer else None
        yield {
            "factuur": invoice,
            "klant": who,
            "naam": names[who],
            "status": texts[status],
            "open": text,
            "vervaldatum": days[due],
            "actie": texts[code],
            "datum": days[day],
            "kanaal": texts[channel],
            "contact": contact or None,
            "telefoon": phone or None,
            "email": email or None,
            "eigenaar": owner or None,
            "doel": goal or None,
            "reden": reason,
            "stap": step or None,
            "afspraak": agreement or None,
        }


def problem_json(p: Problem) -> dict[str, Any]:
    return {
        "blad": p.source.sheet,
        "rij": p.source.row,
        "kolom": p.source.column,
        "melding": p.message,
    }


def warning_json(w: Warning_) -> dict[str, Any]:
    return {"soort": w.kind, "melding": w.message}


def letter_json(t: LetterTask, customers: dict[str, Customer]) -> dict[str, Any]:
    customer = customers.get(t.customer)
    return {
        "klant": t.customer,
        "naam": customer.name if customer else None,
        "actie": t.action.value,
        "stap": _s(t.step),
        "datum": _d(t.date),
        "facturen": list(t.invoices),
        "creditnotas": list(t.credit_notes),
        "totaal": json_amount(t.total),
        "afspraak": _s(t.agreement),
    }


def score_json(s: CustomerScore, customers: dict[str, Customer]) -> dict[str, Any]:
    return next(scores_json((s,), customers))


def scores_json(
    scores: Iterable[CustomerScore], customers: dict[str, Customer]
) -> Iterator[dict[str, Any]]:
    """Each customer's score as its JSON object, one at a time. The two computed figures
    are made once per distinct pair of counts (they repeat: most customers have a few
    paid invoices), the segment's text once per segment."""
    segments = {segment: segment.value for segment in Segment}
    averages: dict[tuple[int, int], str] = {}
    shares: dict[tuple[int, int], str] = {}
    for s in scores:
        who, revenue, segment, open_amount, paid, days_late, paid_late, good, risky = s
        late: str | None = None
        share: str | None = None
        if paid:  # else both figures are None
            late = averages.get((days_late, paid))
            if late is None:
                late = averages[days_late, paid] = str(s.average_days_late)
            share = shares.get((paid_late, paid))
            if share is None:
                share = shares[paid_late, paid] = str(s.share_late)
        yield {
            "klant": who,
            "naam": customers[who].name,
            "segment": segments[segment],
            "omzet_12_maanden": json_amount(revenue),
            "open": json_amount(open_amount),
            "betaalde_facturen": paid,
            "gemiddeld_dagen_te_laat": late,
            "aandeel_te_laat": share,
            "goede_betaler": good,
            "risico": risky,
        }


def plan_json(plan: Plan, book: Book, problems: Iterable[Problem]) -> dict[str, Any]:
    """The werklijst --json object; its long lists are iterators (common.print_json writes
    them piece by piece; `json_lists` makes them lists)."""
    customers = customer_index(book)
    return {
        "datum": plan.as_of.isoformat(),
        "acties": actions_json(plan.actions, customers),
        "brieven": (letter_json(t, customers) for t in plan.letters),
        "afspraken": [{"afspraak": k, "status": v.value} for k, v in plan.agreement_states],
        "klanten": scores_json(plan.scores, customers),
        "problemen": [problem_json(p) for p in problems],
        "waarschuwingen": [warning_json(w) for w in plan.warnings],
    }


def problem_line(path: str, p: Problem) -> str:
    """`file:sheet:row: message`, the form editors and people both read."""
    where = ":".join(str(x) for x in (path, p.source.sheet, p.source.row) if x is not None)
    column = f" [{p.source.column}]" if p.source.column else ""
    return f"{where}:{column} {p.message}"


# --- the day's work as text -------------------------------------------------------------------

# The same groups and words as the Werklijst sheet (core/letter_log.py).
GROUPS = DUE_GROUPS


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            c.ljust(w) if i < len(r) - 1 else c
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def _when(day: date | None, as_of: date) -> str:
    if day is None:
        return ""
    return "vandaag" if day == as_of else nl_date(day)


def plan_text(plan: Plan, book: Book, problems: list[Problem], path: str) -> str:
    customers = customer_index(book)
    as_of = plan.as_of
    name = book.settings.company_name
    lines = [f"Werklijst {nl_date(as_of)}" + (f" - {name}" if name else ""), ""]
    due = [a for a in plan.actions if a.date is not None and a.date <= as_of]

    def name_of(number: str) -> str:
        c = customers.get(number)
        return f"{c.name} ({number})" if c else number

    for title, codes in GROUPS:
        rows = [a for a in due if a.action in codes]
        if not rows:
            continue
        lines.append(f"{title} ({len(rows)})")
        body = [
            ["datum", "klant", "factuur", "open", "contact", "telefoon", "eigenaar", "doel / reden"]
        ]
        for a in sorted(rows, key=lambda a: (a.date or as_of, a.customer, a.invoice)):
            body.append(
                [
                    _when(a.date, as_of),
                    name_of(a.customer),
                    a.invoice,
                    format_amount(a.open_amount),
                    a.contact,
                    a.phone,
                    a.owner,
                    "; ".join(x for x in (a.goal, a.reason) if x),
                ]
            )
        lines += [*_table(body), ""]

    if plan.letters:
        lines.append(f"{LETTERS_GROUP} ({len(plan.letters)})")
        body = [["sinds", "klant", "stap", "facturen", "totaal"]]
        for t in plan.letters:
            body.append(
                [
                    _when(t.date, as_of),
                    name_of(t.customer),
                    t.step or t.action.value,
                    ", ".join(t.invoices)
                    + (f" (min creditnota {', '.join(t.credit_notes)})" if t.credit_notes else ""),
                    format_amount(t.total),
                ]
            )
        lines += [*_table(body), ""]

    waiting = [a for a in plan.actions if a.action is Action.WAIT]
    if waiting:
        lines.append(f"{WAITING_GROUP} ({len(waiting)})")
        body = [["tot", "klant", "factuur", "open", "afspraak"]]
        for a in sorted(waiting, key=lambda a: (a.date or as_of, a.customer, a.invoice)):
            body.append(
                [
                    _when(a.date, as_of),
                    name_of(a.customer),
                    a.invoice,
                    format_amount(a.open_amount),
                    a.reason,
                ]
            )
        lines += [*_table(body), ""]

    later = sum(
        1
        for a in plan.actions
        if a.date is not None and a.date > as_of and a.action is not Action.WAIT
    )
    nothing = sum(1 for a in plan.actions if a.action is Action.NONE)
    if plan.actions:
        lines.append(
            f"Later gepland: {count_text(later, 'actie', 'acties')}. Niets te doen: "
            f"{count_text(nothing, 'factuur', 'facturen')} "
            "(betaald, creditnota, overgedragen of onder het minimum)."
        )
    else:  # a new workbook: say what comes first, not "Niets te doen: 0 facturen"
        lines.append(
            "Er staan nog geen facturen in de werkmap: lees ze in met 'debiteuren importeer' "
            "of vul het blad Facturen."
        )
    if plan.warnings:
        lines += ["", f"Waarschuwingen ({len(plan.warnings)})"]
        lines += [f"  - {w.message}" for w in plan.warnings]
    if problems:
        lines += ["", f"Problemen in de gegevens ({len(problems)})"]
        lines += [f"  {problem_line(path, p)}" for p in problems]
    return "\n".join(lines) + "\n"
