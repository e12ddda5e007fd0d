"""The plan as cell values: the rows of the Plan sheet, and the texts of =DUESTATUS and
=NEXTACTION for one invoice.

The Plan sheet is what Excel shows of the engine (schema.PLAN_HEADER): one row per invoice,
in the order of the Facturen table. =NEXTACTION's text starts with the action code, so a
filter on "bellen*" finds every call, and then says when, how, with whom and why, in the
same words `debiteuren werklijst --json` gives in `actie`, `datum`, `kanaal`, `contact` and
`reden`.

Example::

    >>> from decimal import Decimal
    >>> from datetime import date
    >>> from addin.core.model import Action, Channel, NextAction, Status
    >>> a = NextAction("2026-017", "K001", Status.OVERDUE, Decimal("1210.00"),
    ...                Action.CALL, "2 dagen over de vervaldatum", date(2026, 11, 24),
    ...                Channel.PHONE, "Jan de Vries", "010-1234567")
    >>> next_action_text(a)
    'bellen 24-11-2026 (Telefoon, Jan de Vries): 2 dagen over de vervaldatum'
    >>> due_status_text(a)
    'vervallen'
"""

from __future__ import annotations

from addin.core.model import Action, NextAction, Plan
from addin.core.texts import nl_date


def due_status_text(a: NextAction) -> str:
    """=DUESTATUS: the invoice's status word (open, vervallen, betaald, creditnota)."""
    return a.status.value


def next_action_text(a: NextAction) -> str:
    """=NEXTACTION: 'code date (channel, contact): reason'; parts that do not apply are left
    out, and `geen` is just the code and the reason."""
    head = a.action.value
    if a.date is not None and a.action is not Action.NONE:
        head += f" {nl_date(a.date)}"
    how = ", ".join(x for x in (a.channel.value if a.channel else "", a.contact) if x)
    if how:
        head += f" ({how})"
    return f"{head}: {a.reason}" if a.reason else head


def plan_rows(plan: Plan) -> tuple[tuple[object, ...], ...]:
    """The Plan sheet: schema.PLAN_HEADER's columns, one row per invoice in table order."""
    return tuple(
        (
            a.invoice,
            due_status_text(a),
            next_action_text(a),
            a.action.value,
            a.date,
            a.channel.value if a.channel else "",
            a.contact,
            a.phone,
            a.reason,
        )
        for a in plan.actions
    )
