"""Bank statement lines as the core sees them, whatever file they came from.

Parsers (adapters/bankfiles) turn CAMT.053, MT940 and bank CSV exports into `BankLine`s;
matching (core/matching.py) turns them into Betalingen rows. One line is one transaction:
for a CAMT batch entry, one per TxDtls.

Example::

    BankLine(booked=date(2026, 11, 23), amount=Decimal("1210.00"),
             counter_iban="NL91ABNA0417164300", counter_name="JANSEN BV",
             description="Factuur 2026-0017", key="camt:NL02RABO0123456789:20261123-1",
             source="nov.xml")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


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
