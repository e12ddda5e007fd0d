"""Bank statement lines as the core sees them, whatever file they came from.

Parsers (adapters/bankfiles) turn CAMT.053, MT940 and bank CSV exports into `BankLine`s;
matching (core/matching.py) turns them into Betalingen rows. One line is one transaction:
for a CAMT batch entry, one per TxDtls.

Example::

    BankLine(booked=date(2026, 11, 23), amount=Decimal("1210.00"),
             counter_iban="NL91ABNA0417164300", counter_name="JANSEN BV",
             description="Factuur 2026-0017", key="camt:NL44RABO0123456789:20261123-1",
             source="nov.xml")

A line of a statement whose balances do not add up carries them (notes/BANK.md R0: such a
line never pays an invoice automatically)::

    BankLine(..., unbalanced=BalanceMismatch(statement="STMT-1 tot 2026-11-23",
             opening=Decimal("1000.00"), entries=Decimal("2460.00"),
             closing=Decimal("3459.99")))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    """A statement whose opening balance plus its booked entries is not its closing balance:
    an entry may be missing, doubled or altered, so none of its lines is trusted as proof
    of payment.

    Attributes:
      statement: how the file names the statement, for the user ("STMT-1 tot 2026-11-23",
        MT940 "00000 van 23-11-2026").
      opening: the opening booked balance (CAMT OPBD or PRCD, MT940 :60F:).
      entries: the sum of the statement's booked entries (money out negative).
      closing: the closing booked balance (CAMT CLBD, MT940 :62F:); not opening + entries.
    """

    statement: str
    opening: Decimal
    entries: Decimal
    closing: Decimal


@dataclass(frozen=True, slots=True)
class BankLine:
    """One bank transaction.

    Attributes:
      amount: positive for money in (credit), negative for money out (debit).
      counter_iban: the other party's account, normalised (no spaces, upper case); may be "".
      description: the unstructured remittance text (Ustrd, :86: /REMI/, CSV Omschrijving).
      reference: a structured creditor reference (RF... or a Dutch betalingskenmerk) if any.
      end_to_end: the end-to-end id, if any ("NOTPROVIDED" becomes ""); R2 compares it whole
        with the invoices' Betalingskenmerk and numbers.
      reversal: a reversal or return (RvslInd, RtrInf, a return bank transaction code such
        as PMNT/IDDT/UPDD or RRTN, MT940 RC/RD or NRTI): never matched as a payment; money
        out re-opens the invoice the original line paid (matching R0).
      key: a stable dedupe key for this line, the same on every re-import of the same file.
      own_iban: the account the statement is for.
      source: the file name it came from.
      currency: the ISO currency of the amount; only EUR lines can pay an invoice.
      unbalanced: set when the line's statement does not add up (see `BalanceMismatch`);
        matching then never links it (R0 saldo klopt niet). Not part of the key: the same
        line from a corrected file is still the same line.
    """

    booked: date
    amount: Decimal
    counter_iban: str = ""
    counter_name: str = ""
    description: str = ""
    reference: str = ""
    end_to_end: str = ""
    reversal: bool = False
    key: str = ""
    own_iban: str = ""
    source: str = ""
    currency: str = "EUR"
    unbalanced: BalanceMismatch | None = None
