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

A statement of another account than the company's own (Instellingen IBAN) is read too, but
none of its lines pays an invoice by itself (matching R0 andere rekening)::

    other_account("NL91 ABNA 0417 1643 00", "NL44RABO0123456789")  -> True
    other_account("NL91ABNA0417164300", "417164300")  -> False (its old account number)
    other_account("", "NL44RABO0123456789")  -> False (no own IBAN set: nothing to compare)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core.model import Warning_


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


def _account(text: str) -> str:
    return "".join(text.split()).upper()


def other_account(own_iban: str, account: str) -> bool:
    """True when a statement of `account` is clearly not of the company's own account
    `own_iban` (Instellingen IBAN, as the user typed it). False when either is unknown
    (""): without an own IBAN there is nothing to compare, and some exports name no
    account. A bare old account number (MT940 "TRIODOSBANK/0390123456", old Rabobank
    "1291.99.348EUR", read as digits) is the own one when the IBAN ends in it, leading
    zeros aside: a Dutch IBAN is the bank code and the zero-padded account number."""
    own, account = _account(own_iban), _account(account)
    if not own or not account or own == account:
        return False
    if account.isdigit():
        return not own[8:].lstrip("0").endswith(account.lstrip("0") or "0")
    return True


def other_account_warning(file: str, account: str, own_iban: str) -> Warning_:
    """The warning for a statement file of another account than the own (kind
    "andere-rekening"), naming the file and both accounts; its lines go to Controleren."""
    return Warning_(
        "andere-rekening",
        f"Bankbestand {file} is van rekening {account}, niet van uw rekening "
        f"{_account(own_iban)} uit Instellingen. De regels zijn wel ingelezen, maar geen "
        "ervan wordt automatisch gekoppeld: ontvangsten erin staan in Betalingen op Status "
        "Controleren. Horen ze niet bij uw bedrijf (een privérekening), zet ze daar dan "
        "op Genegeerd; is het toch uw rekening, vul die dan in bij IBAN in Instellingen.",
    )
