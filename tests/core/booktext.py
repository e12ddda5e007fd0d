"""Books written in the domain's own notation: pipe tables under [sheet] headings.

Headers are the workbook's Dutch headers (or the short aliases below); dates are ISO,
amounts use a dot. A test reads like the workbook it describes::

    [klanten]
    | klant | naam      | soort    | segment |
    | K1    | Jansen BV | Zakelijk | C       |

    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2026-10-01   | 2026-10-31  | 1210.00 |
"""

from __future__ import annotations

import enum
import re
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

from addin import schema
from addin.core import model as m

ALIASES = {
    "klant": "klantnummer",
    "factuur": "factuurnummer",
    "facturen": "facturen",
}
SECTIONS = {
    "klanten": (schema.KLANTEN, m.Customer),
    "contactpersonen": (schema.CONTACTPERSONEN, m.ContactPerson),
    "facturen": (schema.FACTUREN, m.Invoice),
    "afspraken": (schema.AFSPRAKEN, m.Agreement),
    "contacten": (schema.CONTACTEN, m.Contact),
    "betalingen": (schema.BETALINGEN, m.Payment),
    "stappen": (schema.STAPPEN, m.Step),
}
ENUMS = {
    (m.Customer, "kind"): m.CustomerKind,
    (m.Customer, "segment"): m.Segment,
    (m.Customer, "special"): m.Special,
    (m.ContactPerson, "role"): m.Role,
    (m.Agreement, "kind"): m.AgreementKind,
    (m.Agreement, "interval"): m.Interval,
    (m.Contact, "channel"): m.Channel,
    (m.Contact, "outcome"): m.Outcome,
    (m.Payment, "status"): m.PaymentStatus,
    (m.Step, "basis"): m.Basis,
    (m.Step, "action"): m.Action,
    (m.Step, "channel"): m.Channel,
    (m.Step, "audience"): m.Audience,
    (m.Step, "segment"): m.Segment,
}
DATES = {
    "invoice_date",
    "due_date",
    "own_action_date",
    "agreed_on",
    "first_date",
    "confirmation_sent",
    "date",
    "follow_up",
}
AMOUNTS = {"amount", "paid", "instalment_amount"}
INTS = {"term_days", "instalments", "days"}
BOOLS = {"automatic", "signed_returned"}
TUPLES = {"invoices", "ibans"}


def _value(cls, field: str, text: str):
    if text == "":
        return None
    if (cls, field) in ENUMS:
        enum_cls: type[enum.Enum] = ENUMS[(cls, field)]
        if text == "Alle" and enum_cls is m.Segment:
            return None
        return enum_cls(text)
    if field in DATES:
        return date.fromisoformat(text)
    if field in AMOUNTS:
        return Decimal(text)
    if field in INTS:
        return int(text)
    if field in BOOLS:
        return text.lower() in ("ja", "j", "true", "1")
    if field in TUPLES:
        return tuple(p.strip() for p in text.split(",") if p.strip())
    return text


def _table(lines: list[str]) -> list[dict[str, str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    header = [schema.normalise_header(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def parse_tables(text: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        head = re.fullmatch(r"\[(\w+)\]", line)
        if head:
            current = head.group(1).lower()
            out[current] = []
        elif line.startswith("|"):
            out.setdefault(current or "verwacht", []).append(line)
    return {k: _table(v) for k, v in out.items() if v}


def _records(spec: schema.TableSpec, cls, rows: list[dict[str, str]]):
    by_header = {schema.normalise_header(c.header): c.field for c in spec.columns}
    names = {f.name for f in fields(cls)}
    out = []
    for i, row in enumerate(rows, start=2):
        kwargs = {"row": i}
        for header, text in row.items():
            field = by_header.get(header) or by_header.get(ALIASES.get(header, ""))
            if field is None or field not in names:
                raise KeyError(f"unknown header {header!r} for {spec.sheet}")
            value = _value(cls, field, text)
            if value is not None:
                kwargs[field] = value
        if cls is m.Agreement:
            kwargs.setdefault("id", f"A{i - 1}")
        out.append(cls(**kwargs))
    return tuple(out)


def book(text: str, **settings) -> m.Book:
    """A Book from pipe tables; keyword arguments override Settings fields."""
    tables = parse_tables(text)
    parts = {}
    attr = {
        "klanten": "customers",
        "contactpersonen": "contact_persons",
        "facturen": "invoices",
        "afspraken": "agreements",
        "contacten": "contacts",
        "betalingen": "payments",
        "stappen": "steps",
    }
    for name, rows in tables.items():
        if name in SECTIONS:
            spec, cls = SECTIONS[name]
            parts[attr[name]] = _records(spec, cls, rows)
    return m.Book(settings=replace(m.Settings(), **settings), **parts)


def expected(text: str) -> list[dict[str, str]]:
    """The expected-actions table: | factuur | actie | datum | reden | (reden: a fragment)."""
    return _table([line for line in text.splitlines() if line.strip().startswith("|")])


def assert_plan(plan: m.Plan, table: str) -> None:
    """Compare the plan's actions with an expected table; show all differences as rows."""
    got = {a.invoice: a for a in plan.actions}
    diffs = []
    for row in expected(table):
        a = got.get(row["factuur"])
        if a is None:
            diffs.append(f"{row['factuur']}: not in plan")
            continue
        have = {
            "actie": a.action.value,
            "datum": a.date.isoformat() if a.date else "",
            "status": a.status.value,
            "kanaal": a.channel.value if a.channel else "",
            "contact": a.contact,
            "stap": a.step,
            "open": str(a.open_amount),
        }
        for key, want in row.items():
            if key == "factuur":
                continue
            if key == "reden":
                if want.casefold() not in a.reason.casefold():
                    diffs.append(f"{a.invoice}: reden {a.reason!r} lacks {want!r}")
            elif have[key] != want:
                diffs.append(f"{a.invoice}: {key} exp {want!r} got {have[key]!r} ({a.reason})")
    assert not diffs, "\n".join(diffs)
