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

A statement of another account than the company's own (Instellingen IBAN and Eigen
rekeningen) is read too, but none of its lines pays an invoice by itself (matching R0 andere
rekening)::

    other_account("NL91 ABNA 0417 1643 00", "NL44RABO0123456789")  -> True
    other_account(("NL91ABNA0417164300", "NL44RABO0123456789"), "NL44RABO0123456789")  -> False
    other_account("NL91ABNA0417164300", "417164300")  -> False (its old account number)
    other_account("", "NL44RABO0123456789")  -> False (no own IBAN set: nothing to compare)

A line whose counter account is one of the company's own is a transfer between its own
accounts (to the savings account and back), never a customer's payment (matching R0 eigen
rekening)::

    own = OwnAccounts.of(Settings(iban="NL91 ABNA 0417 1643 00",
                                  own_accounts=("NL44RABO0123456789",)))
    own.holds("NL44RABO0123456789")  -> True
    own.holds("417164300")  -> True (an old export naming the account by its number)
    own.holds("NL20INGB0001234567")  -> False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core.model import Settings, Warning_


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
      former_key: the key an earlier version of the reader gave this line, where the key
        has changed since (ING's CSV: it took in the export's language); a line whose key
        or former key is in Betalingen is there already. "" when the key never changed.
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
    former_key: str = ""


def _account(text: str) -> str:
    return "".join(text.split()).upper()


def own_accounts(settings: Settings) -> tuple[str, ...]:
    """The company's own accounts, compacted: Instellingen IBAN first, then Eigen rekeningen,
    each once; () when neither is filled in."""
    return tuple(
        dict.fromkeys(filter(None, map(_account, (settings.iban, *settings.own_accounts))))
    )


@dataclass(frozen=True, slots=True)
class OwnAccounts:
    """The company's own accounts as matching looks a counter account up in them.

    Attributes:
      ibans: Instellingen IBAN and Eigen rekeningen, compacted.
      numbers: the account numbers inside the Dutch ones, without leading zeros: an old
        MT940 names a counter account by that number alone. Only a whole number counts (not
        a tail, as for a statement's own account): a customer's short number must never be
        taken for ours, or their payment would be put aside as a transfer.
    """

    ibans: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def of(cls, settings: Settings) -> OwnAccounts:
        ibans = own_accounts(settings)
        numbers = {
            iban[8:].lstrip("0") for iban in ibans if iban.startswith("NL") and len(iban) == 18
        }
        return cls(frozenset(ibans), frozenset(numbers - {""}))

    def holds(self, counter: str) -> bool:
        """Whether a counter account (as the parsers give it: compact, upper case) is ours."""
        if counter in self.ibans:
            return True
        return counter.isdigit() and counter.lstrip("0") in self.numbers


def other_account(own: str | Sequence[str], account: str) -> bool:
    """True when a statement of `account` is clearly not of one of the company's own
    accounts `own` (Instellingen IBAN as the user typed it, or `own_accounts`). False when
    either is unknown (""): without an own account there is nothing to compare, and some
    exports name no account. A bare old account number (MT940 "TRIODOSBANK/0390123456", old
    Rabobank "1291.99.348EUR", read as digits) is an own one when its IBAN ends in it,
    leading zeros aside: a Dutch IBAN is the bank code and the zero-padded account number."""
    owns = [_account(o) for o in ((own,) if isinstance(own, str) else own)]
    owns = [o for o in owns if o]
    account = _account(account)
    if not owns or not account or account in owns:
        return False
    if account.isdigit():
        number = account.lstrip("0") or "0"
        return not any(o[8:].lstrip("0").endswith(number) for o in owns)
    return True


def other_account_warning(file: str, account: str, own: Sequence[str]) -> Warning_:
    """The warning for a statement file of another account than the own ones `own`
    (`own_accounts`: the IBAN first; kind "andere-rekening"), naming the file and the
    accounts; its lines go to Controleren."""
    owns = [_account(o) for o in own]
    named = " of ".join(filter(None, (", ".join(owns[:-1]), owns[-1])))
    return Warning_(
        "andere-rekening",
        f"Bankbestand {file} is van rekening {account}, niet van uw rekening {named} uit "
        "Instellingen. De regels zijn wel ingelezen, maar geen ervan wordt automatisch "
        "gekoppeld: ontvangsten erin staan in Betalingen op Status Controleren. Horen ze niet "
        "bij uw bedrijf (een privérekening), zet ze daar dan op Genegeerd; is het een "
        "rekening van uw bedrijf (een tweede bank, een spaarrekening), zet die dan bij Eigen "
        "rekeningen in Instellingen.",
    )
