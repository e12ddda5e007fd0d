"""Bank lines to Betalingen rows: an ordered list of small matching rules (notes/BANK.md 6).

Each rule is a pure function ``(line, context) -> Decision | None``; the first rule that
returns a Decision wins. Only a unique, exact match is Gekoppeld (counts as paid); anything
with more than one candidate, an amount that does not fit, or a payer that does not fit the
invoice goes to Controleren with the best proposal filled in, for the user to confirm by
editing the row ("the next run applies the edits").

Rules, in order:

- R0 eigen rekening: a line whose counter account is one of the company's own (Instellingen
  IBAN or Eigen rekeningen; `core.bank.OwnAccounts`) is a transfer between its own accounts,
  never a customer's payment: Genegeerd, as a debit is, so it pays no invoice, teaches no
  payer account and holds no customer back (a Controleren row of exactly an invoice's open
  amount would hold that invoice's reminders); the row stays in Betalingen with its Regel.
- R0 valuta: an amount in another currency than the euro goes to Controleren.
- R0 andere rekening: a line of a statement of another account than the company's own
  (Instellingen IBAN and Eigen rekeningen; `core.bank.other_account`) is never Gekoppeld:
  the user may have picked a private account's export. As for R0 saldo klopt niet below,
  the later rules' finding is the proposal and a debit stays Genegeerd. Without an own
  account, no check.
- R0 saldo klopt niet: a line of a statement whose opening balance plus its entries is not
  its closing balance (`BankLine.unbalanced`, set by the reader) is never Gekoppeld: an
  entry may be missing, doubled or altered. The rules below still run for it, and what they
  find becomes the proposal (invoice and Klantnummer) and part of the evidence; a debit
  stays Genegeerd. It comes before the reversal rule because a storno's re-opening row is
  Gekoppeld too.
- R0 terugboeking / afschrijving: debits are Genegeerd (no receipt); a reversal or return
  (RvslInd, RtrInf, a return bank transaction code, MT940 RC/RD or NRTI) never pays an
  invoice: money out is a negative Gekoppeld row on the invoice the original line paid,
  which re-opens it; money in goes to Controleren.
- R1 betalingskenmerk: a valid RF reference or betalingskenmerk equal to one open invoice's
  Betalingskenmerk; also one typed in the description (9 to 16 digits with valid check
  digits, whole digit groups), where the payer must fit as for R3.
- R2 end-to-end-id: the end-to-end id is exactly an invoice's Betalingskenmerk or invoice
  number (as a payment link or a direct debit carries it): structured evidence like R1, but
  a payer account known for another customer sends it to Controleren.
- R3 factuurnummer: the book's own invoice numbers in the text; the payer must fit; one
  payment for several invoices is Gekoppeld only when it is exactly their open sum.
- R1-R3 then settle the amount the same way: Gekoppeld when it is the invoice's open amount;
  otherwise, for an invoice under a payment arrangement or promise (Afspraken), **R5
  termijn**: Gekoppeld when the amount is exactly a point of the schedule counted from the
  oldest open instalment (that instalment, what is left of it, or it and the next ones
  together; instalments paid earlier in the same run count), allocated to the identified
  invoice first and the agreement's other open invoices after it, oldest first. Any other
  partial amount, or an overpayment, goes to Controleren with the invoice proposed (as R5
  when an agreement governs the invoice, else under the rule that found it).
- R4 bedrag en rekening: a known payer account and exactly one open invoice of that amount
  (or, R5, exactly one of its agreements whose schedule fits the amount): a proposal
  (Controleren), never automatic.
- R6 controleren: everything else, with the Klantnummer when the payer account is known.

Example::

    result = match_bank_lines(book, [BankLine(booked=date(2026, 11, 23),
        amount=Decimal("1210.00"), counter_iban="NL91ABNA0417164300",
        description="Factuur 2026-017", key="camt:1")], date(2026, 11, 24))
    [(p.invoice, p.amount, p.status.value, p.rule) for p in result.payments]
    # [('2026-017', Decimal('1210.00'), 'Gekoppeld', 'R3 factuurnummer')]
    result.matches[0].evidence
    # 'factuur 2026-017 in de omschrijving, bedrag gelijk aan open € 1.210,00'

An arrangement of 2 x € 605,00 for that invoice, and a line of € 605,00 with "2026-017":
``('2026-017', Decimal('605.00'), 'Gekoppeld', 'R5 termijn')``, evidence "factuur 2026-017
in de omschrijving, bedrag gelijk aan termijn 1 van afspraak A1 (€ 605,00)".

Re-importing the same file changes nothing: lines whose Sleutel is already in Betalingen
are skipped. Within one run the open amounts are kept up to date, so a second line paying
the same invoice goes to Controleren.

Speed (benchmarks/bench_matching.py, 50,000 lines against 100,000 open invoices, about
0.8 s on the project's 2-core machine): the indexes are built column by column (C-level
map/zip/join passes, one Python step per invoice only to group them per customer); the
number finder skips texts and parts that cannot start a number, and looks up only pieces
of a length some number has; Decision and Match are NamedTuples (one of each per line).
The property test against the first, plain implementation of the number finder
(tests/core/test_matching.py) keeps the shortcuts honest.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import compress
from operator import attrgetter, itemgetter, sub
from typing import NamedTuple

from addin.core.agreements import AgreementStatus, instalments
from addin.core.bank import BankLine, OwnAccounts, other_account, own_accounts
from addin.core.ledger import agreement_invoices, customer_index, govern
from addin.core.model import Agreement, Book, CustomerId, Invoice, InvoiceNo, Payment, PaymentStatus
from addin.core.money import ZERO, format_eur
from addin.core.references import (
    FREE_TEXT_KENMERK_LENGTHS,
    betalingskenmerk_is_valid,
    compact,
    digit_windows,
    find_rf,
    is_structured,
)
from addin.core.texts import nl_date

LINKED, REVIEW, IGNORED = PaymentStatus.LINKED, PaymentStatus.REVIEW, PaymentStatus.IGNORED

R0 = "R0 terugboeking"
R0_DEBIT = "R0 afschrijving"
R0_CURRENCY = "R0 valuta"
R0_BALANCE = "R0 saldo klopt niet"
R0_ACCOUNT = "R0 andere rekening"
R0_OWN = "R0 eigen rekening"
R1 = "R1 betalingskenmerk"
R2 = "R2 end-to-end-id"
R3 = "R3 factuurnummer"
R4 = "R4 bedrag en rekening"
R5 = "R5 termijn"
R6 = "R6 controleren"

# Words people put before an invoice number ("factuur 2026-017", "fact.nr 17", "nr. 17").
PREFIXES: tuple[str, ...] = ("FACTUURNUMMER", "FACTUURNR", "FACTUUR", "FACTNR", "FACT", "NR", "INV")
# Without a prefix word, a short number ("17") is too likely an amount, a date or a house
# number to be read as an invoice number; the same holds for an end-to-end id (R2).
MIN_BARE_LENGTH = 4
# How many separated parts may form one number ("2026 . 017" is three parts at most).
MAX_PARTS = 4


class Decision(NamedTuple):
    """What a rule decided for one line (a NamedTuple: one is made per line).

    Attributes:
      allocations: (invoice, amount) for Gekoppeld; for Controleren at most one proposal,
        whose amount is the line's amount (the user decides what it pays).
      customer: the payer, when known or proposed.
      undoes: R0: the Sleutel of the line this reversal undoes.
    """

    status: PaymentStatus
    rule: str
    evidence: str
    allocations: tuple[tuple[InvoiceNo, Decimal], ...] = ()
    customer: CustomerId = ""
    undoes: str = ""


class Match(NamedTuple):
    """One new Betalingen row and why (a short Dutch text for the review screen)."""

    payment: Payment
    evidence: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The new Betalingen rows, and the payer accounts the user confirmed.

    Attributes:
      learned_ibans: (Klantnummer, IBAN) from Gekoppeld rows whose Tegenrekening is not yet
        in that customer's IBAN list and is none of the company's own accounts: to be added
        to Klanten.IBAN.
    """

    matches: tuple[Match, ...]
    learned_ibans: tuple[tuple[CustomerId, str], ...]

    @property
    def payments(self) -> tuple[Payment, ...]:
        return tuple(m.payment for m in self.matches)


class Schedule(NamedTuple):
    """Where an agreement stands for R5: its open instalments after what is paid so far.

    Attributes:
      covered: the agreement's invoices (those it governs), oldest first.
      due: (instalment number, amount still to pay, full instalment amount) from the oldest
        open instalment on; the first may be partly paid.
    """

    agreement: Agreement
    covered: tuple[InvoiceNo, ...]
    due: tuple[tuple[int, Decimal, Decimal], ...]


class Context:
    """The indexes the rules look things up in, built once per run.

    `open` and `run_paid` are the only state: the driver lowers `open` after every Gekoppeld
    line (and raises it after a reversal), so later lines of the same batch see what earlier
    ones paid; `run_paid` holds what this run linked per invoice under an agreement, so a
    second instalment in one file is counted from the first. Rules only read them. Open
    amounts are Bedrag - Betaald - Gekoppeld rows, as in the Ledger; the agreements' states
    (`AgreementStates`, the Ledger's, without the rest of a Ledger) are worked out only when
    an instalment is asked about.
    """

    __slots__ = (
        "_agreement_states",
        "_covered",
        "_linked_rows",
        "agreement_customers",
        "as_of",
        "bare_prefixes",
        "book",
        "by_customer",
        "by_number_key",
        "by_reference",
        "credit_notes",
        "first_letters",
        "invoices",
        "kenmerk_lengths",
        "key_length",
        "key_lengths",
        "number_start",
        "open",
        "other_accounts",
        "own",
        "owns",
        "part_heads",
        "payers",
        "run_paid",
        "under_agreement",
        "with_ibans",
    )

    def __init__(self, book: Book, as_of: date, learned: Sequence[tuple[CustomerId, str]]):
        self.book, self.as_of = book, as_of
        # Instellingen IBAN and Eigen rekeningen: as a list for a statement's account, as
        # sets for a line's counter account (R0 eigen rekening, a look-up per line).
        self.owns = own_accounts(book.settings)
        self.own = OwnAccounts.of(book.settings)
        # Statement account -> whether it is another than the own ones, per account seen
        # (one dict look-up per line; core.bank.other_account once per account).
        self.other_accounts: dict[str, bool] = {}
        self._agreement_states: AgreementStates | None = None
        self._covered: dict[int, tuple[InvoiceNo, ...]] | None = None
        self.run_paid: dict[InvoiceNo, Decimal] = defaultdict(Decimal)
        known = customer_index(book)
        linked: dict[InvoiceNo, Decimal] = defaultdict(Decimal)
        self._linked_rows: dict[str, list[Payment]] | None = None
        for p in book.payments:
            if p.status is LINKED and p.invoice:
                linked[p.invoice] += p.amount
        # Column by column (as Ledger._index_amounts): map() over an attrgetter and one
        # C-level pass per column are several times faster than a Python step per invoice,
        # which matters for 100,000 rows (benchmarks/bench_matching.py).
        invs: Sequence[Invoice] = book.invoices
        numbers = list(map(_NUMBER, invs))
        customers = list(map(_CUSTOMER, invs))
        self.invoices: dict[InvoiceNo, Invoice] = dict(zip(numbers, invs, strict=True))
        self.by_customer = _group(customers, numbers)
        if len(self.invoices) != len(numbers) or not known.keys() >= self.by_customer.keys():
            # As the Ledger: the first row of a number, with a known customer.
            usable: dict[InvoiceNo, Invoice] = {}
            for inv in invs:
                if inv.customer in known and inv.number not in usable:
                    usable[inv.number] = inv
            invs = list(usable.values())
            numbers = list(map(_NUMBER, invs))
            customers = list(map(_CUSTOMER, invs))
            self.invoices = dict(zip(numbers, invs, strict=True))
            self.by_customer = _group(customers, numbers)
        amounts = list(map(_AMOUNT, invs))
        keys = _squeeze(numbers, _NUMBER_SEPARATORS)
        # Compacted number -> the invoice (saving R3 a look-up), or None when two numbers
        # compact alike ("2026-017" and "2026.017"): such a key proves nothing.
        self.by_number_key: dict[str, Invoice | None] = dict(zip(keys, invs, strict=True))
        if len(self.by_number_key) != len(keys):
            counts = Counter(keys)
            for key in (k for k, c in counts.items() if c > 1):
                self.by_number_key[key] = None
        has_credit = bool(amounts) and min(amounts) < ZERO  # one C-level pass; usually none
        credit = (
            [n for n, a in zip(numbers, amounts, strict=True) if a < ZERO] if has_credit else []
        )
        self.credit_notes: set[InvoiceNo] = set(credit)
        # Bedrag - Betaald - Gekoppeld as the Ledger has it: (a - p) - ZERO, computed as
        # a - (p - ZERO), which gives the same value, exponent and sign of zero (the exponent
        # shows in the amounts written for a multi-invoice payment); Betaald is nearly always
        # the ZERO object itself, so one subtraction per invoice is left.
        paids = [ZERO if p is ZERO else p - ZERO for p in map(_PAID, invs)]
        opens = dict(zip(numbers, map(sub, amounts, paids), strict=True))
        for number in credit:  # credit notes are never paid by a bank line
            opens.pop(number, None)
        for number, total in linked.items():
            if number in opens:
                row = self.invoices[number]
                opens[number] = row.amount - row.paid - total
        self.open: dict[InvoiceNo, Decimal] = opens
        for number in credit:  # R4 proposes open invoices only
            self.by_customer[self.invoices[number].customer].remove(number)
        self.by_reference: dict[str, list[InvoiceNo]] = defaultdict(list)
        refs = list(map(_REFERENCE, invs))
        ref_numbers = list(compress(numbers, refs))  # the invoices with a Betalingskenmerk
        compacted = _squeeze(list(filter(None, refs)), _REFERENCE_SEPARATORS)
        for ref, number in zip(compacted, ref_numbers, strict=True):
            if number not in self.credit_notes:
                self.by_reference[ref].append(number)
        # The lengths of the book's kenmerken a description may hold (digits, 9 to 16): none,
        # and R1 does not look in descriptions at all.
        self.kenmerk_lengths = frozenset(
            len(ref)
            for ref in self.by_reference
            if ref.isdigit() and len(ref) in FREE_TEXT_KENMERK_LENGTHS
        )
        by_key = self.by_number_key
        # The lengths of the keys: a piece of text of another length needs no look-up.
        self.key_lengths = frozenset(map(len, by_key))
        self.key_length = max(self.key_lengths, default=0)
        self.first_letters = frozenset(map(itemgetter(0), filter(None, by_key)))
        # The first letters of a part that may start a number or hold a prefix word.
        self.part_heads = self.first_letters | {word[0] for word in _PREFIX_HEADS}
        # Prefix words that, standing alone, cannot start a number of this book either.
        self.bare_prefixes = frozenset(
            word for word, glued in _PREFIX_WORDS.items()
            if word[:1] not in self.first_letters and glued[:1] not in self.first_letters
        )  # fmt: skip
        # Where a part (after a non-letter/digit or at the start) may begin a number or a
        # prefix word; letters that no part can hold (keys are compared part by part) drop out.
        heads = "".join(sorted(c for c in self.first_letters if c in _PART_CHARS))
        self.number_start = re.compile(
            "(?<![0-9A-Z])(?:" + "|".join(([f"[{re.escape(heads)}]"] if heads else [])
                                          + list(_PREFIX_HEADS)) + ")"
        )  # fmt: skip
        self.payers: dict[str, set[CustomerId]] = defaultdict(set)
        accounts = [(iban, c.number) for c in known.values() for iban in c.ibans]
        ibans = _squeeze([iban for iban, _ in accounts], _REFERENCE_SEPARATORS)  # as compact
        for iban, (_, number) in zip(ibans, accounts, strict=True):
            self.payers[iban].add(number)
        for customer, iban in learned:
            self.payers[iban].add(customer)
        self.with_ibans = {c for ids in self.payers.values() for c in ids}
        # Invoices an agreement may cover: named ones, or every invoice of the customer.
        # Customer -> the indexes of their agreements in Afspraken, in sheet order.
        by_customer: dict[CustomerId, list[int]] = defaultdict(list)
        for index, a in enumerate(book.agreements):
            by_customer[a.customer].append(index)
        self.agreement_customers = dict(by_customer)
        self.under_agreement: set[str] = {n for a in book.agreements for n in a.invoices} | {
            a.customer for a in book.agreements if not a.invoices
        }

    @property
    def linked_rows(self) -> dict[str, list[Payment]]:
        """Gekoppeld rows per Sleutel: what a reversal can undo. Made when first asked for:
        only a run with a reversal in it needs them (77,671 rows of the benchmark book)."""
        rows = self._linked_rows
        if rows is None:
            rows = self._linked_rows = defaultdict(list)
            for p in self.book.payments:
                if p.status is LINKED and p.invoice:
                    rows[p.key].append(p)
        return rows

    def payer_customers(self, line: BankLine) -> set[CustomerId]:
        # BankLine.counter_iban is normalised by the parsers (no spaces, upper case).
        return self.payers.get(line.counter_iban, _NOBODY)

    def agreement_states(self) -> AgreementStates:
        if self._agreement_states is None:
            self._agreement_states = AgreementStates(self.book, self.invoices, self.as_of)
        return self._agreement_states

    def may_be_covered(self, number: InvoiceNo) -> bool:
        """Whether an agreement can govern the invoice (cheap: no Ledger needed)."""
        under = self.under_agreement
        return bool(under) and (number in under or self.invoices[number].customer in under)

    def schedule(self, number: InvoiceNo) -> Schedule | None:
        """The open instalments of the agreement governing the invoice, or None (no agreement,
        or everything paid). What this run linked to its invoices counts as paid."""
        if not self.may_be_covered(number):
            return None
        gov = self.agreement_states().governing.get(number)
        if gov is None:
            return None
        return self._schedule(gov.agreement, gov.status)

    def customer_schedules(self, customer: CustomerId) -> list[Schedule]:
        """The open schedules of the customer's agreements, in Afspraken order."""
        indexes = self.agreement_customers.get(customer)
        if not indexes:
            return []
        statuses = self.agreement_states().agreement_statuses
        agreements = self.book.agreements
        out = []
        for index in indexes:  # the customer's own agreements, not all of Afspraken
            status = statuses.get(index)
            if status is not None:
                found = self._schedule(agreements[index], status)
                if found is not None:
                    out.append(found)
        return out

    def _schedule(self, agreement: Agreement, status: AgreementStatus) -> Schedule | None:
        covered = self._covered_by().get(id(agreement), ())
        paid = status.paid + sum((self.run_paid.get(n, ZERO) for n in covered), ZERO)
        total = status.total
        if not covered or paid >= total:
            return None
        due, so_far = [], ZERO
        for inst in instalments(agreement, total):
            so_far += inst.amount
            if so_far > paid:
                due.append((inst.number, min(so_far - paid, inst.amount), inst.amount))
        return Schedule(agreement, covered, tuple(due)) if due else None

    def _covered_by(self) -> dict[int, tuple[InvoiceNo, ...]]:
        """Agreement (by identity) -> the invoices it governs, oldest invoice date first."""
        if self._covered is None:
            grouped: dict[int, list[Invoice]] = defaultdict(list)
            for number, gov in self.agreement_states().governing.items():
                inv = self.invoices.get(number)
                if inv is not None:
                    grouped[id(gov.agreement)].append(inv)
            self._covered = {
                key: tuple(i.number for i in sorted(invs, key=_INVOICE_DATE))
                for key, invs in grouped.items()
            }
        return self._covered


class AgreementStates:
    """Which agreement governs each invoice, and every agreement's state on `as_of`: the
    Ledger's `governing` and `agreement_statuses`, by the same rule (ledger.govern) but
    from the few invoices and payments agreements concern, without the rest of a Ledger
    (0.5 s for 100,000 invoices); its open amounts keep the Ledger's exponent, since they
    give the amounts written for an instalment. tests/core/test_matching.py compares the
    two on generated books.

    `invoices`: the usable invoices by number, in workbook order (Context.invoices: as the
    Ledger, the first row of a number, with a known customer).
    """

    __slots__ = ("agreement_statuses", "as_of", "governing", "linked")

    def __init__(self, book: Book, invoices: dict[InvoiceNo, Invoice], as_of: date) -> None:
        self.as_of = as_of
        agreements = book.agreements
        by_customer = agreement_invoices(agreements, invoices.values())
        wanted = {n for a in agreements for n in a.invoices}
        wanted.update(inv.number for found in by_customer.values() for inv in found)
        # Invoice -> its Gekoppeld rows, in workbook order (the Ledger's `linked` rows).
        linked: dict[InvoiceNo, list[Payment]] = {}
        for p in book.payments:
            if p.status is LINKED and p.invoice and p.invoice in wanted:
                rows = linked.get(p.invoice)
                if rows is None:
                    linked[p.invoice] = [p]
                else:
                    rows.append(p)
        self.linked = linked
        self.governing, self.agreement_statuses = govern(
            agreements, by_customer, invoices.get, self._open, self._paid_since, as_of
        )

    def _open(self, inv: Invoice) -> Decimal:
        """Bedrag - Betaald - Gekoppeld, computed as the Ledger does (its exponent too)."""
        a, p = inv.amount, inv.paid
        value = a - p if p else a
        rows = self.linked.get(inv.number)
        if rows is None:
            return value
        total = rows[0].amount
        for row in rows[1:]:
            total += row.amount
        return value - total

    def _paid_since(self, number: InvoiceNo, agr: Agreement) -> Decimal:
        since = agr.agreed_on
        total = ZERO
        for p in self.linked.get(number, ()):
            if since is None or p.date >= since:
                total += p.amount
        return total


_NOBODY: set[CustomerId] = set()
_NUMBER_SEPARATORS = " .-/"  # not part of an invoice number as compared
_REFERENCE_SEPARATORS = " .-"  # as references.compact
_NUMBER, _CUSTOMER = attrgetter("number"), attrgetter("customer")
_AMOUNT, _PAID, _REFERENCE = (
    attrgetter("amount"),
    attrgetter("paid"),
    attrgetter("payment_reference"),
)
_INVOICE_DATE = attrgetter("invoice_date")
_NUMBER_TABLE = str.maketrans("", "", _NUMBER_SEPARATORS)


def _group(
    customers: Sequence[CustomerId], numbers: Sequence[InvoiceNo]
) -> dict[CustomerId, list[InvoiceNo]]:
    """Customer -> their invoice numbers, in book order."""
    out: dict[CustomerId, list[InvoiceNo]] = defaultdict(list)
    for customer, number in zip(customers, numbers, strict=True):
        out[customer].append(number)
    return out


def _squeeze(texts: Sequence[str], separators: str) -> list[str]:
    """Each text without the separator characters, in upper case, as `compact` makes it;
    one C-level pass over all texts joined instead of one call per text."""
    joined = "\x1f".join(texts)
    for char in separators:
        joined = joined.replace(char, "")
    out = joined.upper().split("\x1f")
    if len(out) != len(texts):  # no texts, or a text holding the joiner itself
        table = str.maketrans("", "", separators)
        return [t.translate(table).upper() for t in texts]
    return out


# -- finding invoice numbers in text -------------------------------------------------------

# Cuts upper-cased text into letter/digit parts and the gaps between them.
_SPLIT = re.compile(r"([^0-9A-Z]+)")
_PART_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_JOINERS = " .-/"  # separators allowed inside one number: "2026 017", "2026.017"
# The gaps allowed inside one number: one or two joiners.
_JOIN_GAPS = frozenset(a + b for a in _JOINERS for b in ("", *_JOINERS))
# Every prefix word starts with one of these (startswith(PREFIXES) implies startswith these).
_PREFIX_HEADS = ("FACT", "NR", "INV")


def _unprefixed(part: str) -> str:
    """The part after the first prefix word it starts with and is longer than ("NR17" ->
    "17", "FACTUUR" -> "UUR" after "FACT"); "" when there is none."""
    for prefix in PREFIXES:
        if len(part) > len(prefix) and part.startswith(prefix):
            return part[len(prefix) :]
    return ""


# The prefix words themselves, as they mostly stand alone: what _unprefixed makes of them.
_PREFIX_WORDS = {word: _unprefixed(word) for word in PREFIXES}


def invoice_numbers(text: str, ctx: Context) -> tuple[InvoiceNo, ...]:
    """The book's invoice numbers written in `text`, in order of appearance (see
    `invoices_in`)."""
    return tuple(i.number for i in invoices_in(text, ctx))


def invoices_in(text: str, ctx: Context) -> tuple[Invoice, ...]:
    """The book's invoices whose numbers are written in `text`, in order of appearance.

    The text is cut into letter/digit parts; a number is one part, or up to MAX_PARTS parts
    joined by one or two of space, dot, dash or slash, compared compacted. Whole parts
    only, so "2026-0170" never yields "2026-017". A prefix word glued to a part
    ("factuur2026017", "nr17") is dropped; a short number only counts after such a word.
    """
    upper = text.upper()
    # Most texts hold no part that can start a number or a prefix word: one regex search
    # settles them (this function runs for nearly every bank line).
    if ctx.number_start.search(upper) is None:
        return ()
    tokens = _SPLIT.split(upper)
    # tokens alternate part, gap, part, ...; the first or last part may be "".
    parts, gaps = tokens[0::2], tokens[1::2]
    by_key, longest, starts = ctx.by_number_key, ctx.key_length, ctx.first_letters
    lengths = ctx.key_lengths
    n = len(parts)
    found: list[Invoice] = []
    free = 0  # parts before this one belong to a number already found
    # Only a part that starts like a number, or a prefix word with a number glued to it, can
    # start a number; a bare prefix word ("FACTUUR") only matters to the part after it.
    bare, heads = ctx.bare_prefixes, ctx.part_heads
    for i in [i for i, p in enumerate(parts) if p[:1] in heads]:
        if i < free:
            continue
        part = parts[i]
        if part[:1] not in starts and (part in bare or not part.startswith(_PREFIX_HEADS)):
            continue
        # After a prefix word that started no number ("factuur 17") a short number counts.
        candidates = [(part, i > free and parts[i - 1] in PREFIXES)] if part[:1] in starts else []
        if part.startswith(_PREFIX_HEADS):
            glued = _PREFIX_WORDS.get(part)
            if glued is None:
                glued = _unprefixed(part)
            if glued[:1] in starts:  # a key whose first letter no number has cannot be found
                candidates.append((glued, True))
        hit = None
        for key, prefixed in candidates:
            last = min(n, i + MAX_PARTS)
            j = i
            while True:
                size = len(key)
                if size in lengths:
                    invoice = by_key.get(key)
                    if invoice and (prefixed or size >= MIN_BARE_LENGTH):
                        hit = (invoice, j)  # keep going: the longest match wins
                j += 1
                if j >= last or gaps[j - 1] not in _JOIN_GAPS or not parts[j]:
                    break
                key += parts[j]
                if len(key) > longest:
                    break
            if hit:
                break
        if hit:
            found.append(hit[0])
            free = hit[1] + 1
    if len(found) < 2:
        return tuple(found)
    return tuple({i.number: i for i in found}.values())  # each number once, first place


# -- the rules ------------------------------------------------------------------------------


def _review(
    rule: str, evidence: str, invoice: InvoiceNo = "", customer: CustomerId = ""
) -> Decision:
    return Decision(REVIEW, rule, evidence, ((invoice, ZERO),) if invoice else (), customer)


def _single_payer(line: BankLine, ctx: Context) -> CustomerId:
    payers = ctx.payers.get(line.counter_iban, _NOBODY)
    return next(iter(payers)) if len(payers) == 1 else ""


def _pay_one(
    line: BankLine, ctx: Context, number: InvoiceNo, rule: str, why: str, customer: CustomerId = ""
) -> Decision:
    """Gekoppeld when the amount is the open amount or fits the invoice's agreement (R5),
    else a proposal. `customer` is the invoice's, when the caller has it at hand."""
    customer = customer or ctx.invoices[number].customer
    open_now = ctx.open[number]
    amount = line.amount
    if open_now <= ZERO:
        return _review(rule, f"{why}, maar die is al betaald (dubbele betaling?)", number,
                       customer)  # fmt: skip
    if amount == open_now:
        evidence = f"{why}, bedrag gelijk aan open {format_eur(open_now)}"
        return Decision(LINKED, rule, evidence, ((number, amount),), customer)
    schedule = ctx.schedule(number) if ctx.under_agreement else None
    if schedule is not None:
        return _pay_instalments(line, ctx, number, schedule, why)
    kind = "deelbetaling" if amount < open_now else "meer dan open"
    return _review(rule, f"{why}, {kind}: open {format_eur(open_now)}", number, customer)


def _fits_schedule(amount: Decimal, schedule: Schedule) -> str:
    """How `amount` fits the schedule from its oldest open instalment on, in words ("termijn
    2", "het restant van termijn 1", "termijn 1 t/m 3"), or "" when it does not fit."""
    due = schedule.due
    if amount > sum((left for _, left, _ in due), ZERO):
        return ""  # more than the agreement still asks
    first, rest, full = due[0]
    if amount == full:
        return f"termijn {first}"  # a whole instalment, also when part of it was paid before
    if amount == rest:
        return f"het restant van termijn {first}"
    total = rest
    for number, left, _ in due[1:]:
        total += left
        if amount == total:
            return f"termijn {first} t/m {number}"
        if total > amount:
            break
    return ""


def _pay_instalments(
    line: BankLine, ctx: Context, number: InvoiceNo, schedule: Schedule, why: str
) -> Decision:
    """R5: a payment on an invoice under an agreement. Gekoppeld only when the amount is
    exactly a point of the schedule counted from the oldest open instalment, allocated to
    the identified invoice first and then to the agreement's other open invoices (oldest
    first); any other amount is a proposal (a dispute, a deduction or a typo: the user
    decides, notes/BANK.md R5)."""
    customer = ctx.invoices[number].customer
    agreement = schedule.agreement.id or "zonder nummer"
    fit = _fits_schedule(line.amount, schedule)
    if not fit:
        _, rest, _ = schedule.due[0]
        left = sum((left for _, left, _ in schedule.due), ZERO)
        return _review(R5, f"{why}, bedrag past niet bij afspraak {agreement}: open termijn "
                       f"{format_eur(rest)}, nog te betalen {format_eur(left)}", number,
                       customer)  # fmt: skip
    left = line.amount
    allocations = []
    for n in (number, *(n for n in schedule.covered if n != number)):
        open_now = ctx.open.get(n, ZERO)
        if open_now > ZERO and left > ZERO:
            part = min(open_now, left)
            allocations.append((n, part))
            left -= part
    # Defensive: the Ledger counts what an agreement asks beyond its invoices as paid, so
    # the open invoices always hold what the schedule still asks.
    if left > ZERO:
        return _review(R5, f"{why}, bedrag gelijk aan {fit} van afspraak {agreement}, maar "
                       "meer dan er op de facturen van de afspraak openstaat", number,
                       customer)  # fmt: skip
    evidence = (
        f"{why}, bedrag gelijk aan {fit} van afspraak {agreement} ({format_eur(line.amount)})"
    )
    return Decision(LINKED, R5, evidence, tuple(allocations), customer)


def rule_own_transfer(line: BankLine, ctx: Context) -> Decision | None:
    """R0: money from or to one of the company's own accounts (Instellingen IBAN or Eigen
    rekeningen) is a transfer between its own accounts, never a customer's payment: it
    pays no invoice and teaches no payer account, whatever its text says. Genegeerd, as a
    debit is (see the module docstring for why not Controleren)."""
    own = ctx.own
    if not own.ibans or not own.holds(line.counter_iban):
        return None
    way = "van" if line.amount > ZERO else "naar"
    return Decision(
        IGNORED,
        R0_OWN,
        f"overboeking {way} uw eigen rekening {line.counter_iban} "
        "(IBAN of Eigen rekeningen in Instellingen), geen betaling van een klant",
    )


def rule_foreign_currency(line: BankLine, ctx: Context) -> Decision | None:
    """R0: an amount in another currency than the euro cannot settle a euro invoice as it
    is; the user decides (the exchange is the bank's business, not a rule's)."""
    if line.currency == "EUR" or line.amount <= ZERO or line.currency.upper() in ("", "EUR"):
        return None
    return _review(
        R0_CURRENCY, f"bedrag in {line.currency}, niet in euro", customer=_single_payer(line, ctx)
    )


def rule_other_account(line: BankLine, ctx: Context) -> Decision | None:
    """R0: a line of another account's statement than the company's own never pays or
    re-opens an invoice by itself: the user may have picked a private account's export.
    The later rules' finding is the proposal, as for rule_unbalanced_statement; a debit
    they ignore stays Genegeerd."""
    account = line.own_iban
    other = ctx.other_accounts.get(account)
    if other is None:
        other = ctx.other_accounts[account] = other_account(ctx.owns, account)
    if not other:
        return None
    found = _decide(line, ctx, _AFTER_ACCOUNT_CHECK)
    if found.status is IGNORED:
        return found
    ours = "de IBAN of Eigen rekeningen" if ctx.book.settings.own_accounts else "de IBAN"
    evidence = (
        f"afschrift van rekening {account}, niet van {ours} in Instellingen; bij de eigen "
        f"rekening: {found.rule}: {found.evidence}"
    )
    invoice = found.allocations[0][0] if found.allocations else ""
    return _review(R0_ACCOUNT, evidence, invoice, found.customer)


def rule_unbalanced_statement(line: BankLine, ctx: Context) -> Decision | None:
    """R0: a line of a statement whose balances do not add up never pays or re-opens an
    invoice by itself (notes/BANK.md R0). What the later rules would decide is kept as the
    proposal: its first invoice and its customer, and its rule and evidence after the
    statement's figures. A debit they ignore stays Genegeerd."""
    mismatch = line.unbalanced
    if mismatch is None:
        return None
    found = _decide(line, ctx, _AFTER_BALANCE_CHECK)
    if found.status is IGNORED:
        return found
    opening, entries = mismatch.opening, mismatch.entries
    evidence = (
        f"afschrift {mismatch.statement}: beginsaldo {format_eur(opening)} + boekingen "
        f"{format_eur(entries)} = {format_eur(opening + entries)}, eindsaldo "
        f"{format_eur(mismatch.closing)}; bij een kloppend saldo: {found.rule}: {found.evidence}"
    )
    invoice = found.allocations[0][0] if found.allocations else ""
    return _review(R0_BALANCE, evidence, invoice, found.customer)


def rule_debit_or_reversal(line: BankLine, ctx: Context) -> Decision | None:
    """R0: money out is no receipt; a reversal or return undoes the line it reverses, or
    goes to Controleren; it never pays an invoice."""
    if not line.reversal:
        amount = line.amount
        if amount > ZERO:
            return None
        if amount < ZERO:
            return Decision(IGNORED, R0_DEBIT, "geen ontvangst (afschrijving)")
        return Decision(IGNORED, R0_DEBIT, "geen ontvangst (nulbedrag)")
    if line.amount >= ZERO:
        return _review(R0, "terugboeking van een afschrijving: zelf beoordelen")
    back = -line.amount
    refs = {r for r in (line.end_to_end, line.reference) if r}
    by_ref, by_amount = [], []
    for key, rows in ctx.linked_rows.items():
        total = sum((p.amount for p in rows), ZERO)
        if total != back:
            continue  # only a whole original line is reversed automatically
        if refs and rows[0].reference in refs:
            by_ref.append(key)
        elif line.counter_iban and compact(rows[0].counter_account) == compact(line.counter_iban):
            by_amount.append(key)
    keys = by_ref or by_amount
    if len(keys) != 1:
        why = "geen" if not keys else f"{len(keys)} mogelijke"
        return _review(R0, f"terugboeking: {why} oorspronkelijke betaling gevonden",
                       customer=_single_payer(line, ctx))  # fmt: skip
    rows = ctx.linked_rows[keys[0]]
    for p in rows:
        inv = ctx.invoices.get(p.invoice)
        # Never re-open more than was paid: an original already reversed (in an earlier
        # run) would push the open amount above Bedrag - Betaald.
        if inv is None or ctx.open.get(p.invoice, ZERO) + p.amount > inv.amount - inv.paid:
            return _review(R0, f"terugboeking op factuur {p.invoice}: die is niet (meer) "
                           "betaald", p.invoice, p.customer)  # fmt: skip
    allocations = tuple((p.invoice, -p.amount) for p in rows)
    numbers = ", ".join(p.invoice for p in rows)
    evidence = f"terugboeking van de betaling van {nl_date(rows[0].date)} op {numbers}"
    return Decision(LINKED, R0, evidence, allocations, rows[0].customer, undoes=keys[0])


def rule_reference(line: BankLine, ctx: Context) -> Decision | None:
    """R1: a valid structured reference that is one open invoice's Betalingskenmerk."""
    by_reference = ctx.by_reference
    refs = []
    if line.reference:
        ref = compact(line.reference)
        # Only a known reference can decide; its check digits are tested only then.
        if ref in by_reference and is_structured(line.reference):
            refs.append(ref)
    if "RF" in line.description.upper():
        refs += [r for r in find_rf(line.description) if r not in refs]
    for ref in refs:
        numbers = by_reference.get(ref)
        if not numbers:
            continue
        open_numbers = [n for n in numbers if ctx.open[n] > ZERO]
        if len(open_numbers) > 1:
            return _review(R1, f"kenmerk {ref} staat op {len(open_numbers)} open facturen",
                           customer=_single_payer(line, ctx))  # fmt: skip
        number = (open_numbers or numbers)[0]
        return _pay_one(line, ctx, number, R1, f"kenmerk {ref} van factuur {number}")
    return _kenmerk_in_description(line, ctx) if ctx.kenmerk_lengths else None


def _kenmerk_in_description(line: BankLine, ctx: Context) -> Decision | None:
    """R1 for a betalingskenmerk the payer typed in the description instead of the kenmerk
    field (a common slip): one of the book's kenmerken with valid check digits, of 9 to 16
    digits (7 have none). Free text, so the payer must fit, as for invoice numbers (R3): a
    payer account known for another customer sends it to Controleren."""
    lengths, by_reference = ctx.kenmerk_lengths, ctx.by_reference
    found = next(
        (
            w
            for w in digit_windows(line.description)
            if len(w) in lengths and w in by_reference and betalingskenmerk_is_valid(w)
        ),
        None,
    )
    if found is None:
        return None
    numbers = by_reference[found]
    open_numbers = [n for n in numbers if ctx.open[n] > ZERO]
    if len(open_numbers) > 1:
        return _review(R1, f"kenmerk {found} in de omschrijving staat op {len(open_numbers)} "
                       "open facturen", customer=_single_payer(line, ctx))  # fmt: skip
    number = (open_numbers or numbers)[0]
    owner = ctx.invoices[number].customer
    payers = ctx.payer_customers(line)
    if payers and owner not in payers:
        who = ", ".join(sorted(payers))
        return _review(R1, f"kenmerk {found} in de omschrijving is van factuur {number} van "
                       f"klant {owner}, de rekening van {who}", number,
                       _single_payer(line, ctx))  # fmt: skip
    return _pay_one(line, ctx, number, R1, f"kenmerk {found} van factuur {number} in de "
                    "omschrijving", owner)  # fmt: skip


def rule_end_to_end(line: BankLine, ctx: Context) -> Decision | None:
    """R2: an end-to-end id that is exactly an invoice's Betalingskenmerk or number.

    A payment link or a direct debit we issue carries our own reference as end-to-end id,
    and some accounting packages put the invoice number there: the whole field names one
    invoice, which is as strong as R1. It is compared whole (compacted), never searched
    in; a number shorter than MIN_BARE_LENGTH proves nothing; a payer account known for
    another customer than the invoice's sends the line to Controleren.
    """
    e2e = line.end_to_end
    if not e2e:
        return None
    ref = compact(e2e)
    numbers = ctx.by_reference.get(ref)
    what = "het betalingskenmerk"
    if not numbers:
        key = e2e.translate(_NUMBER_TABLE).upper()
        invoice = ctx.by_number_key.get(key) if len(key) >= MIN_BARE_LENGTH else None
        if invoice is None or invoice.number in ctx.credit_notes:
            return None
        numbers, what = [invoice.number], "het nummer"
    open_numbers = [n for n in numbers if ctx.open[n] > ZERO]
    if len(open_numbers) > 1:
        return _review(R2, f"end-to-end-id {e2e} is het kenmerk van {len(open_numbers)} open "
                       "facturen", customer=_single_payer(line, ctx))  # fmt: skip
    number = (open_numbers or numbers)[0]
    owner = ctx.invoices[number].customer
    payers = ctx.payer_customers(line)
    if payers and owner not in payers:
        who = ", ".join(sorted(payers))
        return _review(R2, f"end-to-end-id {e2e} is factuur {number} van klant {owner}, de "
                       f"rekening van {who}", number, _single_payer(line, ctx))  # fmt: skip
    return _pay_one(line, ctx, number, R2, f"end-to-end-id {e2e} is {what} van factuur {number}")


def rule_invoice_numbers(line: BankLine, ctx: Context) -> Decision | None:
    """R3: the book's own invoice numbers in the description or the reference."""
    found = invoices_in(f"{line.description} {line.reference}", ctx)
    if not found:
        return None
    payers = ctx.payers.get(line.counter_iban, _NOBODY)
    payer = next(iter(payers)) if len(payers) == 1 else ""
    numbers = [i.number for i in found] if len(found) > 1 else [found[0].number]
    credit_notes = ctx.credit_notes
    if credit_notes and not credit_notes.isdisjoint(numbers):
        credit = [n for n in numbers if n in credit_notes]
        return _review(R3, f"creditnota {', '.join(credit)} verrekend: zelf beoordelen",
                       customer=payer)  # fmt: skip
    first = numbers[0]
    owner = found[0].customer
    if len(found) > 1 and any(i.customer != owner for i in found):
        listed = ", ".join(numbers)
        return _review(R3, f"facturen {listed} horen bij verschillende klanten", customer=payer)
    if payers and owner not in payers:
        who = ", ".join(sorted(payers))
        return _review(R3, f"factuur {first} is van klant {owner}, de rekening van {who}",
                       first, payer)  # fmt: skip
    if not payers and owner in ctx.with_ibans:
        return _review(R3, f"factuur {first} gevonden, maar de rekening is onbekend "
                       f"voor klant {owner}", first, owner)  # fmt: skip
    where = "in de omschrijving"
    if len(numbers) == 1:
        return _pay_one(line, ctx, first, R3, f"factuur {first} {where}", owner)
    listed = ", ".join(numbers)
    opens = [ctx.open[n] for n in numbers]
    if all(o > ZERO for o in opens) and sum(opens, ZERO) == line.amount:
        evidence = f"facturen {listed} {where}, bedrag gelijk aan de som van de open bedragen"
        return Decision(LINKED, R3, evidence, tuple(zip(numbers, opens, strict=True)), owner)
    proposal = next((n for n, o in zip(numbers, opens, strict=True) if o > ZERO), first)
    return _review(R3, f"facturen {listed} {where}, bedrag past niet bij de open bedragen",
                   proposal, owner)  # fmt: skip


def rule_amount_and_payer(line: BankLine, ctx: Context) -> Decision | None:
    """R4: a known payer and exactly one open invoice of exactly this amount, or else
    exactly one of the payer's agreements whose schedule fits the amount (R5): a proposal."""
    payer = _single_payer(line, ctx)
    if not payer:
        return None
    amount, opens = line.amount, ctx.open
    fits = [n for n in ctx.by_customer.get(payer, ()) if opens[n] == amount]
    if len(fits) == 1:
        return _review(R4, f"rekening bekend bij klant {payer}, één open factuur van "
                       f"{format_eur(amount)}: voorstel", fits[0], payer)  # fmt: skip
    if fits or payer not in ctx.agreement_customers:
        return None
    schedules = [(s, _fits_schedule(amount, s)) for s in ctx.customer_schedules(payer)]
    schedules = [(s, fit) for s, fit in schedules if fit]
    if len(schedules) != 1:
        return None
    schedule, fit = schedules[0]
    proposal = next((n for n in schedule.covered if opens.get(n, ZERO) > ZERO), "")
    return _review(R5, f"rekening bekend bij klant {payer}, bedrag gelijk aan {fit} van "
                   f"afspraak {schedule.agreement.id or 'zonder nummer'}: voorstel", proposal,
                   payer)  # fmt: skip


def rule_review(line: BankLine, ctx: Context) -> Decision:
    """R6: nothing decisive: the user looks at it."""
    payer = _single_payer(line, ctx)
    why = f"rekening bekend bij klant {payer}" if payer else "geen factuur of klant herkend"
    return _review(R6, why, customer=payer)


Rule = Callable[[BankLine, Context], "Decision | None"]

RULES: tuple[Rule, ...] = (
    rule_own_transfer,
    rule_foreign_currency,
    rule_other_account,
    rule_unbalanced_statement,
    rule_debit_or_reversal,
    rule_reference,
    rule_end_to_end,
    rule_invoice_numbers,
    rule_amount_and_payer,
    rule_review,
)
# What rule_other_account asks for its proposal: every rule after it.
_AFTER_ACCOUNT_CHECK = RULES[RULES.index(rule_other_account) + 1 :]
# What rule_unbalanced_statement asks for its proposal: every rule after it.
_AFTER_BALANCE_CHECK = RULES[RULES.index(rule_unbalanced_statement) + 1 :]


# -- the driver -----------------------------------------------------------------------------


def line_key(line: BankLine) -> str:
    """The line's Sleutel; a content hash when the parser gave none, so re-imports match."""
    if line.key:
        return line.key
    text = "|".join(
        (line.booked.isoformat(), str(line.amount), line.counter_iban, line.description,
         line.reference, line.end_to_end, line.own_iban)
    )  # fmt: skip
    return "inhoud:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def learned_ibans(book: Book, new: Sequence[Payment] = ()) -> tuple[tuple[CustomerId, str], ...]:
    """Payer accounts confirmed by a match: Gekoppeld rows with a Klantnummer and a
    Tegenrekening not yet in that customer's IBAN list (first occurrence order), from the
    book (the user's confirmations and earlier imports) and from this run's `new` incoming
    Gekoppeld rows, so that importing the same file again learns nothing more. BANK.md: each
    confirmed match teaches the account; R4 only proposes, so it never teaches by itself."""
    return _Learning(book).learn(book.payments).learn(p for p in new if p.amount > 0).found()


class _Learning:
    """learned_ibans step by step: the book's rows once, then each batch of new rows (a
    bank run asks before matching and again after, without reading the book twice)."""

    __slots__ = ("known", "out", "own")

    def __init__(self, book: Book) -> None:
        self.known = {c.number: {compact(i) for i in c.ibans} for c in book.customers}
        self.out: dict[tuple[CustomerId, str], None] = {}
        # The company's own accounts are no customer's, even on a row the user set to
        # Gekoppeld: a transfer between them must never become a payer account.
        self.own = OwnAccounts.of(book.settings)

    def learn(self, payments: Iterable[Payment]) -> _Learning:
        known, out, own = self.known, self.out, self.own
        # A payer pays many invoices from one account: each account compacted once.
        compacted: dict[str, str] = {}
        for p in payments:
            if p.status is LINKED and p.customer in known and p.counter_account:
                account = p.counter_account
                iban = compacted.get(account)
                if iban is None:
                    iban = compacted[account] = compact(account)
                if iban not in known[p.customer] and not own.holds(iban):
                    out[(p.customer, iban)] = None
        return self

    def found(self) -> tuple[tuple[CustomerId, str], ...]:
        return tuple(self.out)


def match_bank_lines(book: Book, lines: Sequence[BankLine], as_of: date) -> MatchResult:
    """New Betalingen rows for the lines not yet in the book, and the learned payer IBANs."""
    with _no_cycle_collection():  # one stretch: no pass between the two steps either
        return Matcher(book, as_of).match(lines)


class Matcher:
    """match_bank_lines in two steps: the book's indexes when it is made, the lines when
    they come (`match`, once), so that a caller can index the book while its bank files
    are still being read (adapters/bank/job.import_bank: 0.4 s for the 100k book).
    """

    __slots__ = ("ctx", "learning", "seen")

    def __init__(self, book: Book, as_of: date) -> None:
        with _no_cycle_collection():
            self.learning = _Learning(book).learn(book.payments)
            self.seen = {p.key for p in book.payments if p.key}
            self.ctx = Context(book, as_of, self.learning.found())

    def match(
        self, lines: Sequence[BankLine], explained: bool = False, first_row: int = 0
    ) -> MatchResult:
        """The new Betalingen rows for `lines` and the learned payer IBANs. `explained`:
        each row's rule is "rule: evidence" as Betalingen's Regel shows it (each distinct
        text held once), made with the row rather than by rebuilding it afterwards.
        `first_row`: the sheet row the first new row will be written to; the rows are
        numbered from it in order (so a plan made before the write names the right rows),
        else their row stays 0."""
        with _no_cycle_collection():
            return _match(self, lines, explained, first_row)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # Like plan_book: many small records and no reference cycles, so the cycle collector
    # only re-scans the Book (measured: 1.6 s against 1.2 s for 50,000 lines).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decide(line: BankLine, ctx: Context, rules: Sequence[Rule] = RULES) -> Decision:
    for rule in rules:
        decision = rule(line, ctx)
        if decision is not None:
            return decision
    raise AssertionError("rule_review always decides")  # pragma: no cover


def _match(
    matcher: Matcher, lines: Sequence[BankLine], explained: bool = False, first_row: int = 0
) -> MatchResult:
    learning, seen, ctx = matcher.learning, matcher.seen, matcher.ctx
    opens, run_paid = ctx.open, ctx.run_paid
    track = bool(ctx.under_agreement)  # R5 counts what this run paid under an agreement
    # What a reversal can undo matters only when a reversal is still to come.
    reversals = sum(1 for line in lines if line.reversal)
    matches: list[Match] = []
    add = matches.append
    # Many rows have the same Regel text (655,000 MT940 lines: 139,445 different, "R6
    # controleren: geen factuur of klant herkend" 98,304 times): each is held once.
    texts: dict[str, str] = {}
    for line in lines:
        key = line.key or line_key(line)
        if key in seen:
            continue  # in Betalingen already, or earlier in this run
        seen.add(key)
        if line.former_key and line.former_key in seen:
            # Imported before under the key an earlier version gave it (BankLine.former_key);
            # its key is counted as seen all the same, so that the same line from another
            # file of this run (ING's export in the other language: another former key) is
            # not imported either.
            continue
        if line.reversal:
            reversals -= 1
        d = _decide(line, ctx)
        status, customer, rule, evidence = d.status, d.customer, d.rule, d.evidence
        if explained and evidence:
            text = f"{rule}: {evidence}"
            rule = texts.setdefault(text, text)
        if status is not LINKED:
            # Unmatched or proposed: one row with the line's amount (the contract's Bedrag).
            proposal = d.allocations[0][0] if d.allocations else ""
            row = first_row + len(matches) if first_row else 0
            add(Match(_payment(line, key, line.amount, proposal, status, customer, rule, row),
                      evidence))  # fmt: skip
            continue
        row = first_row + len(matches) if first_row else 0
        new = [
            _payment(line, key, amount, invoice, status, customer, rule, row + k if row else 0)
            for k, (invoice, amount) in enumerate(d.allocations)
        ]
        matches.extend(Match(p, evidence) for p in new)
        # Later lines of this batch see what this one paid (or re-opened).
        for invoice, amount in d.allocations:
            if invoice in opens:
                opens[invoice] -= amount
                if track:
                    run_paid[invoice] += amount
        if d.undoes:
            ctx.linked_rows.pop(d.undoes, None)  # a line is reversed only once
        elif reversals:
            ctx.linked_rows[key].extend(new)
    # learned_ibans(book, new): the book's rows are in `learning` already.
    learning.learn(m.payment for m in matches if m.payment.amount > 0)
    return MatchResult(tuple(matches), learning.found())


def _payment(
    line: BankLine,
    key: str,
    amount: Decimal,
    invoice: InvoiceNo,
    status: PaymentStatus,
    customer: CustomerId,
    rule: str,
    row: int = 0,
) -> Payment:
    # Positional, in model.Payment's field order (date, amount, status, invoice, customer,
    # counter_account, name, description, reference, rule, source, key, row): a fifth faster
    # than keywords for 50,000 rows; test_matching checks every field of a written row.
    return Payment(
        line.booked, amount, status, invoice, customer, line.counter_iban, line.counter_name,
        line.description, line.reference or line.end_to_end, rule, line.source, key, row,
    )  # fmt: skip
