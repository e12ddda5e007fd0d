"""The sender's details every letter and hand-over needs, checked before anything is made.

A letter without the company's name, address, e-mail or IBAN is no use to the customer (no
sender, "Ten name van" empty, no QR code) and an e-mail draft without From is no draft. So
when at least one letter is due, or a hand-over file is asked for, these settings must be
filled and the IBAN's check digits right (ISO 13616, core.references); otherwise the run is
refused and nothing is written. Each problem names Instellingen, the row and the column.

Example::

    >>> from addin.core.model import Settings
    >>> for p in sender_problems(Settings(company_name="Bakkerij", iban="NL00 ABNA 0417 1643 00",
    ...                                   rows=(("address", 3),))):
    ...     print(p.source.row, p.message)
    3 Instelling 'Adres' is leeg: vul bij Adres de Waarde in (nodig voor elke brief)
    None Instelling 'Postcode' ontbreekt: voeg de regel Postcode toe aan Instellingen
    None Instelling 'Plaats' ontbreekt: voeg de regel Plaats toe aan Instellingen
    None Instelling 'E-mail' ontbreekt: voeg de regel E-mail toe aan Instellingen
    None IBAN 'NL00 ABNA 0417 1643 00' is geen geldig IBAN (de controlecijfers kloppen niet)
"""

from __future__ import annotations

from collections.abc import Iterator

from addin import schema
from addin.core.model import CellRef, Problem, Settings
from addin.core.references import iban_is_valid

# The Instellingen a letter cannot do without: the sender block, the reply address, and the
# account the customer pays to (also in the payment QR code).
REQUIRED_FOR_LETTERS: tuple[str, ...] = (
    "company_name",
    "address",
    "postcode",
    "city",
    "email",
    "iban",
)
_DUTCH = dict(schema.SETTINGS)
_VALUE_COLUMN = schema.INSTELLINGEN.column("value").header
_NAME_COLUMN = schema.INSTELLINGEN.column("name").header


def _gaps(settings: Settings) -> Iterator[tuple[str, str]]:
    """(field, value) of each required setting that is empty or missing, and of an IBAN
    with wrong check digits: the one rule of `sender_problems` and `sender_gaps`."""
    for field in REQUIRED_FOR_LETTERS:
        value = str(getattr(settings, field)).strip()
        if not value or (field == "iban" and not iban_is_valid(value)):
            yield field, value


def sender_problems(settings: Settings) -> tuple[Problem, ...]:
    """Each required setting that is empty or missing, and an IBAN with wrong check digits."""
    rows = dict(settings.rows)
    out = []
    for field, value in _gaps(settings):
        dutch = _DUTCH[field]
        row = rows.get(field)
        if value:  # only an IBAN is a gap with a value: its check digits are wrong
            out.append(
                Problem(
                    CellRef(schema.INSTELLINGEN.sheet, row, _VALUE_COLUMN),
                    f"IBAN '{value}' is geen geldig IBAN (de controlecijfers kloppen niet)",
                )
            )
        elif row is None:
            where = CellRef(schema.INSTELLINGEN.sheet, None, _NAME_COLUMN)
            message = f"Instelling '{dutch}' ontbreekt: voeg de regel {dutch} toe aan Instellingen"
            out.append(Problem(where, message))
        else:
            where = CellRef(schema.INSTELLINGEN.sheet, row, _VALUE_COLUMN)
            message = (
                f"Instelling '{dutch}' is leeg: vul bij {dutch} de Waarde in "
                "(nodig voor elke brief)"
            )
            out.append(Problem(where, message))
    return tuple(out)


def sender_gaps(settings: Settings) -> tuple[str, ...]:
    """The Dutch names of what `sender_problems` reports, for a one-line warning."""
    return tuple(_DUTCH[field] for field, _ in _gaps(settings))


def letter_problems(settings: Settings, letters_due: int) -> tuple[Problem, ...]:
    """`sender_problems` when at least one letter is due, else none (a workbook without
    overdue invoices may leave Instellingen empty)."""
    return sender_problems(settings) if letters_due else ()


def where(p: Problem) -> str:
    """'Instellingen, rij 3, kolom Waarde' (as much as is known)."""
    parts = [p.source.sheet]
    if p.source.row is not None:
        parts.append(f"rij {p.source.row}")
    if p.source.column:
        parts.append(f"kolom {p.source.column}")
    return ", ".join(parts)


def refusal(problems: tuple[Problem, ...], what: str, workbook: str) -> str:
    """The message of a refused run: what was not made and in which workbook (`workbook`,
    as the user gave it, as the other refusals name it), each problem with its place, and
    that nothing was written."""
    lines = [
        f"{what} niet gemaakt: de gegevens van de afzender op het blad Instellingen van de "
        f"werkmap '{workbook}' zijn onvolledig."
    ]
    lines += [f"  {where(p)}: {p.message}" for p in problems]
    lines.append("Vul ze aan op het blad Instellingen en probeer het opnieuw.")
    lines.append("Er is niets geschreven.")
    return "\n".join(lines)
