"""Bank matching: every rule of notes/BANK.md 6, the cases that must go to Controleren,
reversals, idempotent re-import, learned IBANs, and a property on the allocations.

Plan date is Tuesday 24-11-2026; bank lines are booked on Monday 23-11-2026.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.core.bank import BalanceMismatch, BankLine
from addin.core.matching import (
    PREFIXES,
    RULES,
    Matcher,
    invoice_numbers,
    line_key,
    match_bank_lines,
)
from addin.core.matching import Context as MatchContext
from addin.core.model import (
    Agreement,
    AgreementKind,
    AgreementState,
    Book,
    Invoice,
    PaymentStatus,
    Status,
)
from addin.core.plan import plan_book
from addin.core.references import (
    betalingskenmerk_is_valid,
    betalingskenmerk_make,
    find_rf,
    is_structured,
    rf_is_valid,
    rf_make,
)
from tests.core.booktext import book

TUESDAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)
IBAN_K1 = "NL91ABNA0417164300"
IBAN_K2 = "NL44RABO0123456789"
IBAN_NEW = "NL20INGB0001234567"
KENMERK = betalingskenmerk_make("000000000012345")  # 7000000000012345
RF = rf_make("2026017")

BOOK = f"""
[klanten]
| klant | naam      | soort    | iban     |
| K1    | Jansen BV | Zakelijk | {IBAN_K1} |
| K2    | Groot BV  | Zakelijk | {IBAN_K2} |
| K3    | Klein VOF | Zakelijk |          |

[facturen]
| factuur  | klant | factuurdatum | vervaldatum | bedrag  | betalingskenmerk |
| 2026-017 | K1    | 2026-09-01   | 2026-10-01  | 1210.00 | {RF}             |
| 2026-018 | K1    | 2026-09-02   | 2026-10-02  | 500.00  | {KENMERK}        |
| 2026-019 | K1    | 2026-09-03   | 2026-10-03  | 250.00  |                  |
| 2026-020 | K2    | 2026-09-04   | 2026-10-04  | 250.00  |                  |
| 2026-021 | K2    | 2026-09-05   | 2026-10-05  | 250.00  |                  |
| 2026-022 | K3    | 2026-09-06   | 2026-10-06  | 99.95   |                  |
| 2026-023 | K3    | 2026-09-07   | 2026-10-07  | -50.00  |                  |
"""


def line(amount: str, description: str = "", iban: str = "", **kw) -> BankLine:
    kw.setdefault("key", f"k-{amount}-{description}-{iban}-{kw.get('reference', '')}")
    return BankLine(
        booked=kw.pop("booked", MONDAY),
        amount=Decimal(amount),
        counter_iban=iban,
        counter_name="Betaler",
        description=description,
        source="nov.xml",
        **kw,
    )


def run(*lines: BankLine, extra: str = ""):
    return match_bank_lines(book(BOOK + extra), lines, TUESDAY)


def rows(result):
    return [
        (p.invoice, str(p.amount), p.status.value, p.rule.split()[0], p.customer)
        for p in result.payments
    ]


# --- references.py: check digits, table driven ---------------------------------------------


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ("RF18539007547034", True),  # the ISO 11649 example
        ("RF18 5390 0754 7034", True),
        ("rf18539007547034", True),
        ("RF19539007547034", False),  # wrong check digits
        ("RF18539007547035", False),  # body changed
        ("RF00", False),  # no body
        ("RF25A", True),  # A,R,F,0,0 -> 10271500; mod 97 = 73; 98 - 73 = 25
        ("RF7", False),
        ("NL18539007547034", False),
        ("RF18" + "1" * 22, False),  # body longer than 21
    ],
)
def test_rf_check_digits(reference, valid):
    assert rf_is_valid(reference) is valid


@pytest.mark.parametrize(
    ("body", "reference"),
    [("539007547034", "RF18539007547034"), ("A", "RF25A"), ("2026017", RF)],
)
def test_rf_make_round_trips(body, reference):
    assert rf_make(body) == reference
    assert rf_is_valid(reference)


@pytest.mark.parametrize(
    ("number", "kenmerk"),
    [
        # 5*2 + 4*4 + 3*8 + 2*5 + 1*10 = 70; 70 mod 11 = 4; 11 - 4 = 7
        ("000000000012345", "7000000000012345"),
        # 1*2 = 2; 11 - 2 = 9
        ("1", "9000000000000001"),
        # 5*2 = 10; 11 - 10 = 1
        ("5", "1000000000000005"),
        # 1*2 + 1*4 + 1*8 + 1*5 + 1*10 + 1*9 + 1*7 + 1*3 + 1*6 + 1*1 = 55; 55 mod 11 = 0 -> 0
        ("1111111111", "0000001111111111"),
    ],
)
def test_betalingskenmerk_check_digit(number, kenmerk):
    assert betalingskenmerk_make(number) == kenmerk
    assert betalingskenmerk_is_valid(kenmerk)
    wrong = str((int(kenmerk[0]) + 1) % 10) + kenmerk[1:]
    assert not betalingskenmerk_is_valid(wrong)


@pytest.mark.parametrize(
    "text", ["12345", "70000000000123456", "7000 0000 0001 234X", "", "7000-0000-0001-2346"]
)
def test_betalingskenmerk_rejects(text):
    assert not betalingskenmerk_is_valid(text)


def test_betalingskenmerk_with_separators_and_structured():
    assert betalingskenmerk_is_valid("7000 0000 0001 2345")
    assert is_structured("7000.0000.0001.2345") and is_structured("RF18 5390 0754 7034")
    # Seven digits are a valid kenmerk without a check digit; eight never are.
    assert is_structured("2026-017") and not is_structured("2026-0017")
    with pytest.raises(ValueError):
        betalingskenmerk_make("1234567890123456")


def test_find_rf_in_free_text_stops_at_the_reference():
    assert find_rf("betaling RF18 5390 0754 7034 bedankt") == ("RF18539007547034",)
    # "DANKU" happens to keep the check digits right: both readings, longest first
    assert find_rf("RF18 5390 0754 7034 DANK U") == ("RF18539007547034DANKU", "RF18539007547034")
    assert find_rf("RF19 5390 0754 7034") == ()


# --- finding invoice numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Factuur 2026-017", ("2026-017",)),
        ("fact.nr 2026.017", ("2026-017",)),
        ("factuur2026017", ("2026-017",)),
        ("2026 017 en 2026-018", ("2026-017", "2026-018")),
        ("betaling 12026-017", ()),  # inside a longer number
        ("2026-0170", ()),
        ("2026-017/2026-019", ("2026-017", "2026-019")),
        ("rekening 2026, 017 euro", ()),  # a comma is no separator inside a number
        ("", ()),
    ],
)
def test_invoice_numbers_in_text(text, found):
    ctx = MatchContext(book(BOOK), TUESDAY, ())
    assert invoice_numbers(text, ctx) == found


def test_short_numbers_need_a_prefix_word():
    b = book("""
    [klanten]
    | klant | naam |
    | K1    | A    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | 17      | K1    | 2026-09-01   | 2026-10-01  | 17.00  |
    """)
    ctx = MatchContext(b, TUESDAY, ())
    assert invoice_numbers("bedrag 17 euro", ctx) == ()
    assert invoice_numbers("factuur 17", ctx) == ("17",)
    assert invoice_numbers("nr. 17", ctx) == ("17",)
    assert invoice_numbers("nr17", ctx) == ("17",)


def test_numbers_that_compact_alike_and_unusable_rows_prove_nothing():
    b = book("""
    [klanten]
    | klant | naam |
    | K1    | A    |
    [facturen]
    | factuur  | klant | factuurdatum | vervaldatum | bedrag |
    | 2026-017 | K1    | 2026-09-01   | 2026-10-01  | 17.00  |
    | 2026.017 | K1    | 2026-09-01   | 2026-10-01  | 17.00  |
    | 2026-030 | K1    | 2026-09-01   | 2026-10-01  | 30.00  |
    | 2026-030 | K1    | 2026-09-01   | 2026-10-01  | 31.00  |
    | 2026-040 | K9    | 2026-09-01   | 2026-10-01  | 40.00  |
    """)
    ctx = MatchContext(b, TUESDAY, ())
    assert invoice_numbers("2026-017 2026-030 2026-040", ctx) == ("2026-030",)
    assert ctx.open == {"2026-017": Decimal("17.00"), "2026.017": Decimal("17.00"),
                        "2026-030": Decimal("30.00")}  # fmt: skip


# --- R0 -----------------------------------------------------------------------------------


def test_r0_debit_is_ignored():
    result = run(line("-45.00", "Huur november", IBAN_K1))
    assert rows(result) == [("", "-45.00", "Genegeerd", "R0", "")]
    assert "geen ontvangst" in result.matches[0].evidence


PAID_F17 = f"""
[betalingen]
| datum      | bedrag  | factuur  | klant | tegenrekening | kenmerk   | status    | sleutel |
| 2026-11-02 | 1210.00 | 2026-017 | K1    | {IBAN_K1}     | E2E-77    | Gekoppeld | orig-1  |
"""


def test_r0_reversal_reopens_the_invoice_and_the_plan_sees_it_overdue_again():
    b = book(BOOK + PAID_F17)
    assert _status(b, "2026-017") is Status.PAID
    reversal = line("-1210.00", "Terugboeking", IBAN_K1, end_to_end="E2E-77", reversal=True)
    result = match_bank_lines(b, [reversal], TUESDAY)
    assert rows(result) == [("2026-017", "-1210.00", "Gekoppeld", "R0", "K1")]
    assert "terugboeking" in result.matches[0].evidence
    after = replace(b, payments=b.payments + result.payments)
    assert _status(after, "2026-017") is Status.OVERDUE


def test_r0_reversal_found_by_amount_and_account_of_a_multi_invoice_payment():
    extra = f"""
    [betalingen]
    | datum      | bedrag | factuur  | klant | tegenrekening | status    | sleutel |
    | 2026-11-02 | 250.00 | 2026-020 | K2    | {IBAN_K2}     | Gekoppeld | orig-2  |
    | 2026-11-02 | 250.00 | 2026-021 | K2    | {IBAN_K2}     | Gekoppeld | orig-2  |
    """
    result = run(line("-500.00", "Storno", IBAN_K2, reversal=True), extra=extra)
    assert rows(result) == [
        ("2026-020", "-250.00", "Gekoppeld", "R0", "K2"),
        ("2026-021", "-250.00", "Gekoppeld", "R0", "K2"),
    ]


def test_r0_reversal_without_original_or_twice_goes_to_review():
    result = run(line("-75.00", "Storno", IBAN_K1, reversal=True))
    assert rows(result) == [("", "-75.00", "Controleren", "R0", "K1")]
    first = line("-1210.00", "Storno", IBAN_K1, end_to_end="E2E-77", reversal=True, key="r1")
    second = replace(first, key="r2")
    result = run(first, second, extra=PAID_F17)
    assert [r[2] for r in rows(result)] == ["Gekoppeld", "Controleren"]


def test_r0_reversal_of_an_original_reversed_in_an_earlier_run_goes_to_review():
    extra = (
        PAID_F17
        + f"""
    | 2026-11-10 | -1210.00 | 2026-017 | K1    | {IBAN_K1}     | E2E-77 | Gekoppeld | rev-1 |
    """
    )
    result = run(line("-1210.00", "Storno", IBAN_K1, end_to_end="E2E-77", reversal=True),
                 extra=extra)  # fmt: skip
    assert rows(result)[0][2:4] == ("Controleren", "R0")


def _status(b: Book, number: str) -> Status:
    return next(a.status for a in plan_book(b, TUESDAY).actions if a.invoice == number)


# --- R1 -----------------------------------------------------------------------------------


def test_r1_structured_reference_exact_amount_is_linked():
    result = run(
        line("1210.00", "betaling", IBAN_NEW, reference=RF),
        line("500.00", "", IBAN_K1, reference=KENMERK[:4] + " " + KENMERK[4:]),
        line("1210.00", f"ref {RF[:4]} {RF[4:]}", IBAN_NEW, key="rf-in-text"),
    )
    assert rows(result) == [
        ("2026-017", "1210.00", "Gekoppeld", "R1", "K1"),
        ("2026-018", "500.00", "Gekoppeld", "R1", "K1"),
        ("2026-017", "1210.00", "Controleren", "R1", "K1"),  # second payment: duplicate
    ]
    assert "al betaald" in result.matches[2].evidence


def test_r1_partial_or_over_goes_to_review_with_the_invoice_proposed():
    result = run(line("400.00", "", IBAN_K1, reference=KENMERK),
                 line("600.00", "", IBAN_K1, reference=KENMERK))  # fmt: skip
    assert rows(result) == [
        ("2026-018", "400.00", "Controleren", "R1", "K1"),
        ("2026-018", "600.00", "Controleren", "R1", "K1"),
    ]
    assert "deelbetaling" in result.matches[0].evidence
    assert "meer dan open" in result.matches[1].evidence


def test_r1_invalid_check_digit_is_not_trusted():
    wrong = "8" + KENMERK[1:]
    result = run(line("500.00", "", "", reference=wrong))
    assert rows(result)[0][2:4] == ("Controleren", "R6")


# A betalingskenmerk typed in the description instead of the kenmerk field: it went to
# Controleren as R4 (amount and payer: a proposal) or R6.
SPACED = " ".join(KENMERK[i : i + 4] for i in range(0, 16, 4))  # "7000 0000 0001 2345"


@pytest.mark.parametrize(
    ("description", "iban", "exp"),
    [
        (f"kenmerk {SPACED}", IBAN_K1, ("2026-018", "500.00", "Gekoppeld", "R1", "K1")),
        (f"betaling {KENMERK}", "", ("2026-018", "500.00", "Gekoppeld", "R1", "K1")),
        (f"Factuur 2026 0018 {SPACED}", IBAN_NEW, ("2026-018", "500.00", "Gekoppeld", "R1", "K1")),
        (f"kenmerk {KENMERK.replace('7', '7.', 1)}", "", ("2026-018", "500.00", "Gekoppeld", "R1", "K1")),
        # K2's account paying K1's kenmerk: free text, so the payer must fit (as for R3).
        (f"kenmerk {SPACED}", IBAN_K2, ("2026-018", "500.00", "Controleren", "R1", "K2")),
        # One digit off: no kenmerk of the book (and its check digit fails).
        (f"kenmerk {KENMERK[:-1]}6", "", ("", "500.00", "Controleren", "R6", "")),
        # Part of a longer number is no kenmerk: whole digit groups only.
        (f"order 9{KENMERK}", "", ("", "500.00", "Controleren", "R6", "")),
    ],
    ids=["spaced", "plain", "beside-a-number", "with-a-dot", "other-payer", "one-off", "inside"],
)  # fmt: skip
def test_r1_a_kenmerk_typed_in_the_description(description, iban, exp):
    result = run(line("500.00", description, iban))
    assert rows(result) == [exp], result.matches[0].evidence
    if exp[2] == "Gekoppeld":
        assert "in de omschrijving" in result.matches[0].evidence


def test_r1_a_seven_digit_kenmerk_is_not_looked_for_in_the_description():
    # Seven digits have no check digit: in free text they could be anything.
    extra = """
[facturen]
| factuur  | klant | factuurdatum | vervaldatum | bedrag | betalingskenmerk |
| 2026-030 | K3    | 2026-09-08   | 2026-10-08  | 75.00  | 1234567          |
"""
    assert rows(run(line("75.00", "kenmerk 1234567", ""), extra=extra))[0][2:4] == (
        "Controleren",
        "R6",
    )
    assert rows(run(line("75.00", "", "", reference="1234567"), extra=extra))[0][2:4] == (
        "Gekoppeld",
        "R1",
    )


ARRANGEMENT = """
[afspraken]
| afspraak | klant | facturen | soort   | datum afspraak | bedrag  | betaaldatum | aantal termijnen |
| A1       | K1    | 2026-017 | Regeling | 2026-11-01     | 1210.00 | 2026-11-20  | 2                |
"""


def test_r5_instalment_identified_by_r1_or_r3_is_linked():
    result = run(line("605.00", "", IBAN_K1, reference=RF), extra=ARRANGEMENT)
    assert rows(result) == [("2026-017", "605.00", "Gekoppeld", "R5", "K1")]
    assert result.matches[0].evidence == (
        f"kenmerk {RF} van factuur 2026-017, bedrag gelijk aan termijn 1 van afspraak A1 (€ 605,00)"
    )
    result = run(line("605.00", "termijn 1 factuur 2026-017", IBAN_K1), extra=ARRANGEMENT)
    assert rows(result) == [("2026-017", "605.00", "Gekoppeld", "R5", "K1")]


# --- R3 -----------------------------------------------------------------------------------


def test_r3_one_number_exact_amount_known_payer_is_linked():
    result = run(line("1210.00", "Factuur 2026-017", IBAN_K1))
    assert rows(result) == [("2026-017", "1210.00", "Gekoppeld", "R3", "K1")]
    assert result.matches[0].evidence == (
        "factuur 2026-017 in de omschrijving, bedrag gelijk aan open € 1.210,00"
    )
    p = result.payments[0]
    assert (p.key, p.source, p.counter_account, p.description, p.date) == (
        "k-1210.00-Factuur 2026-017-NL91ABNA0417164300-", "nov.xml", IBAN_K1,
        "Factuur 2026-017", MONDAY,
    )  # fmt: skip


def test_r3_customer_without_ibans_may_pay_from_any_account():
    result = run(line("99.95", "fact 2026-022", IBAN_NEW))
    assert rows(result) == [("2026-022", "99.95", "Gekoppeld", "R3", "K3")]


def test_r3_several_numbers_summing_to_the_amount_share_one_key():
    result = run(line("750.00", "facturen 2026-018 en 2026-019", IBAN_K1))
    assert rows(result) == [
        ("2026-018", "500.00", "Gekoppeld", "R3", "K1"),
        ("2026-019", "250.00", "Gekoppeld", "R3", "K1"),
    ]
    assert len({p.key for p in result.payments}) == 1


@pytest.mark.parametrize(
    ("amount", "text", "iban", "proposal", "customer", "evidence"),
    [
        ("1000.00", "factuur 2026-017", IBAN_K1, "2026-017", "K1", "deelbetaling"),
        ("1300.00", "factuur 2026-017", IBAN_K1, "2026-017", "K1", "meer dan open"),
        ("250.00", "factuur 2026-020", IBAN_K1, "2026-020", "K1", "is van klant K2"),
        ("1210.00", "factuur 2026-017", IBAN_NEW, "2026-017", "K1", "rekening is onbekend"),
        ("700.00", "2026-018 2026-019", IBAN_K1, "2026-018", "K1", "past niet"),
        ("500.00", "2026-019 2026-020", IBAN_K1, "", "K1", "verschillende klanten"),
        ("49.95", "2026-022 min 2026-023", IBAN_NEW, "", "", "creditnota"),
    ],
)
def test_r3_ambiguous_cases_go_to_review(amount, text, iban, proposal, customer, evidence):
    result = run(line(amount, text, iban))
    assert rows(result) == [(proposal, amount, "Controleren", "R3", customer)]
    assert evidence in result.matches[0].evidence


def test_r3_duplicate_payment_in_one_batch_and_of_a_paid_invoice_goes_to_review():
    first = line("1210.00", "Factuur 2026-017", IBAN_K1, key="a")
    second = line("1210.00", "Factuur 2026-017", IBAN_K1, key="b")
    assert [r[2] for r in rows(run(first, second))] == ["Gekoppeld", "Controleren"]
    result = run(second, extra=PAID_F17)
    assert rows(result) == [("2026-017", "1210.00", "Controleren", "R3", "K1")]
    assert "dubbele betaling" in result.matches[0].evidence


# --- R4 and R6 ------------------------------------------------------------------------------


def test_r4_amount_and_known_payer_is_only_a_proposal():
    result = run(line("500.00", "november", IBAN_K1))
    assert rows(result) == [("2026-018", "500.00", "Controleren", "R4", "K1")]
    assert "voorstel" in result.matches[0].evidence


def test_r4_two_invoices_with_the_same_amount_fall_through_to_r6():
    result = run(line("250.00", "betaling", IBAN_K2))
    assert rows(result) == [("", "250.00", "Controleren", "R6", "K2")]


def test_r6_unknown_payer_and_no_reference():
    result = run(line("12.34", "donatie", IBAN_NEW))
    assert rows(result) == [("", "12.34", "Controleren", "R6", "")]
    assert result.matches[0].evidence == "geen factuur of klant herkend"


def test_rules_are_an_ordered_tuple_ending_in_the_catch_all():
    assert isinstance(RULES, tuple) and RULES[-1].__name__ == "rule_review"


# --- idempotence and learning ----------------------------------------------------------------


def test_explained_rows_carry_rule_and_evidence_every_other_field_kept():
    # The bank import writes "rule: evidence" in Regel; Matcher.match(explained=True) makes
    # each row so, with every other field as the plain match has it.
    lines = [line("1210.00", "Factuur 2026-017", IBAN_K1), line("12.34", "x", IBAN_NEW),
             line("-5.00", "kosten", ""), line("-6.00", "kosten", "")]  # fmt: skip
    b = book(BOOK)
    plain = Matcher(b, TUESDAY).match(lines)
    got = Matcher(b, TUESDAY).match(lines, explained=True)
    exp = [
        replace(m.payment, rule=f"{m.payment.rule}: {m.evidence}") if m.evidence else m.payment
        for m in plain.matches
    ]
    assert list(got.payments) == exp
    assert [m.evidence for m in got.matches] == [m.evidence for m in plain.matches]
    assert got.learned_ibans == plain.learned_ibans
    # two rows with the same rule and evidence share one text
    assert got.payments[2].rule == exp[2].rule and got.payments[2].rule is got.payments[3].rule


def test_reimport_of_the_same_lines_adds_nothing():
    lines = [line("1210.00", "Factuur 2026-017", IBAN_K1), line("12.34", "x", IBAN_NEW),
             line("-5.00", "kosten", "")]  # fmt: skip
    b = book(BOOK)
    first = match_bank_lines(b, lines, TUESDAY)
    assert len(first.payments) == 3
    after = replace(b, payments=b.payments + first.payments)
    assert match_bank_lines(after, lines, TUESDAY).payments == ()
    assert match_bank_lines(b, lines + lines, TUESDAY).payments == first.payments


def test_lines_without_a_key_get_a_stable_content_key():
    a = line("10.00", "x", IBAN_K1, key="")
    assert line_key(a) == line_key(replace(a)) and line_key(a).startswith("inhoud:")
    assert line_key(a) != line_key(replace(a, amount=Decimal("10.01")))


def test_learned_ibans_from_confirmed_rows_and_used_on_the_next_run():
    extra = f"""
    [betalingen]
    | datum      | bedrag | factuur  | klant | tegenrekening | status      | sleutel |
    | 2026-11-02 | 100.00 |          | K3    | {IBAN_NEW}    | Gekoppeld   | s1      |
    | 2026-11-02 | 10.00  |          | K3    | {IBAN_NEW}    | Gekoppeld   | s2      |
    | 2026-11-02 | 10.00  |          | K2    | {IBAN_K2}     | Gekoppeld   | s3      |
    | 2026-11-02 | 10.00  |          | K1    | {IBAN_K2}     | Controleren | s4      |
    | 2026-11-02 | 10.00  |          |       | {IBAN_K2}     | Gekoppeld   | s5      |
    """
    result = run(line("99.95", "betaling", IBAN_NEW), extra=extra)
    assert result.learned_ibans == (("K3", IBAN_NEW),)
    assert rows(result) == [("2026-022", "99.95", "Controleren", "R4", "K3")]


# --- property: never allocate more than the line or the invoice has ----------------------------

AMOUNTS = st.sampled_from(
    ["10.00", "25.50", "50.00", "75.50", "100.00", "-10.00", "0.01", "33.33", "37.75", "20.00"]
)
INVOICE_AMOUNTS = st.sampled_from(["10.00", "25.50", "50.00", "75.50", "100.00"])


@st.composite
def books_and_lines(draw):
    n = draw(st.integers(1, 6))
    invoices = tuple(
        Invoice(
            number=f"2026-{k:03d}",
            customer=draw(st.sampled_from(["K1", "K2", "K3"])),
            invoice_date=date(2026, 9, 1),
            due_date=date(2026, 10, 1),
            amount=Decimal(draw(INVOICE_AMOUNTS)),
            paid=Decimal(draw(st.sampled_from(["0", "0", "5.00"]))),
            payment_reference=draw(st.sampled_from(["", RF, KENMERK])),
        )
        for k in range(1, n + 1)
    )
    # Arrangements and promises over some of the invoices (R5), named or customer-wide.
    agreements = tuple(
        Agreement(
            id=f"A{k}",
            customer=draw(st.sampled_from(["K1", "K2", "K3"])),
            kind=draw(st.sampled_from([AgreementKind.ARRANGEMENT, AgreementKind.PROMISE])),
            first_date=draw(st.sampled_from([date(2026, 11, 1), date(2026, 12, 1)])),
            agreed_on=date(2026, 10, 15),
            invoices=tuple(
                draw(
                    st.lists(st.sampled_from([i.number for i in invoices]), max_size=2, unique=True)
                )
            ),
            instalments=draw(st.integers(1, 4)),
        )
        for k in range(draw(st.integers(0, 2)))
    )
    b = replace(book(BOOK.split("[facturen]")[0]), invoices=invoices, agreements=agreements)
    # Amounts that fit: an invoice's open amount, or a half, third or quarter of it.
    fitting = sorted(
        {((i.amount - i.paid) / parts).quantize(Decimal("0.01")) for i in invoices
         for parts in (1, 2, 3, 4)}
    )  # fmt: skip
    lines = []
    for i in range(draw(st.integers(1, 8))):
        numbers = draw(st.lists(st.sampled_from([inv.number for inv in invoices]), max_size=3))
        lines.append(
            BankLine(
                booked=MONDAY,
                amount=draw(st.one_of(AMOUNTS.map(Decimal), st.sampled_from(fitting))),
                counter_iban=draw(st.sampled_from(["", IBAN_K1, IBAN_K2, IBAN_NEW])),
                description="factuur " + " ".join(numbers),
                reference=draw(st.sampled_from(["", RF, KENMERK])),
                end_to_end=draw(st.sampled_from(["", KENMERK, *(i.number for i in invoices)])),
                reversal=draw(st.sampled_from([False, False, False, True])),
                key=f"p{i}",
                unbalanced=draw(st.sampled_from([None, None, None, OFF_BY_A_CENT])),
            )
        )
    return b, lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books_and_lines())
def test_allocations_never_exceed_the_line_or_the_open_amount(case):
    b, lines = case
    result = match_bank_lines(b, lines, TUESDAY)
    by_line: dict[str, Decimal] = defaultdict(Decimal)
    by_invoice: dict[str, Decimal] = defaultdict(Decimal)
    unbalanced = {ln.key for ln in lines if ln.unbalanced is not None}
    for p in result.payments:
        assert p.status is not PaymentStatus.LINKED or p.key not in unbalanced
        if p.status is PaymentStatus.LINKED:
            by_line[p.key] += p.amount
            by_invoice[p.invoice] += p.amount
    amounts = {ln.key: ln.amount for ln in lines}
    for key, total in by_line.items():
        line_amount = amounts[key]
        assert abs(total) <= abs(line_amount) and (total > 0) == (line_amount > 0)
    for inv in b.invoices:
        assert by_invoice[inv.number] <= inv.amount - inv.paid
    assert len({p.key for p in result.payments}) == len({ln.key for ln in lines})


# notes/LEGAL.md 6.2 and vector K1 (Betaalvereniging specification): 5000056789012345 is
# valid (A = 215, C = 5), 5000056789012346 is not; lengths 7, 9-14 and 16 only.
KENMERKEN = [
    ("5000056789012345", True, "K1"),
    ("5000056789012346", False, "K1 with a wrong last digit"),
    ("1234567", True, "7 digits: no check"),
    ("12345678", False, "8 digits do not exist"),
    ("123456789012345", False, "15 digits do not exist"),
    (None, True, "9-14 digits: C + L + N, built from the rule"),
]


@pytest.mark.parametrize(("kenmerk", "exp", "why"), KENMERKEN, ids=[k[2] for k in KENMERKEN])
def test_betalingskenmerk_lengths(kenmerk, exp, why):
    from addin.core.references import _kenmerk_check

    if kenmerk is not None:
        assert betalingskenmerk_is_valid(kenmerk) is exp, why
        return
    for length in range(9, 15):
        body = str((length - 2) % 10) + "7" * (length - 2)
        good = f"{_kenmerk_check(body)}{body}"
        assert betalingskenmerk_is_valid(good), good
        wrong_length_digit = f"{good[0]}{(int(good[1]) + 1) % 10}{good[2:]}"
        assert not betalingskenmerk_is_valid(wrong_length_digit), wrong_length_digit


def test_r0_another_currency_goes_to_review_even_with_a_valid_reference():
    result = run(line("1210.00", "betaling", IBAN_K1, reference=RF, currency="USD"))
    assert rows(result) == [("", "1210.00", "Controleren", "R0", "K1")]
    assert "USD" in result.matches[0].evidence


# --- R5: instalments of an arrangement or a promise -------------------------------------------

# 1210.00 in three instalments: 403.33 on 20-11 (missed on the 24th), 403.33, 403.34.
THREE = """
[afspraken]
| afspraak | klant | facturen | soort    | datum afspraak | bedrag  | betaaldatum | aantal termijnen |
| A1       | K1    | 2026-017 | Regeling | 2026-11-01     | 1210.00 | 2026-11-20  | 3                |
"""


def test_r5_instalments_in_one_file_count_from_each_other():
    lines = [line(a, "factuur 2026-017", IBAN_K1, key=f"t{i}")
             for i, a in enumerate(("403.33", "403.33", "403.34"))]  # fmt: skip
    result = run(*lines, extra=THREE)
    assert rows(result) == [
        ("2026-017", "403.33", "Gekoppeld", "R5", "K1"),
        ("2026-017", "403.33", "Gekoppeld", "R5", "K1"),
        ("2026-017", "403.34", "Gekoppeld", "R3", "K1"),  # the rest is the open amount
    ]
    assert [m.evidence.split(", bedrag gelijk aan ")[1] for m in result.matches] == [
        "termijn 1 van afspraak A1 (€ 403,33)",
        "termijn 2 van afspraak A1 (€ 403,33)",
        "open € 403,34",
    ]


def test_r5_missed_and_current_instalment_together():
    result = run(line("806.66", "factuur 2026-017", IBAN_K1), extra=THREE)
    assert rows(result) == [("2026-017", "806.66", "Gekoppeld", "R5", "K1")]
    assert "termijn 1 t/m 2 van afspraak A1" in result.matches[0].evidence


def test_r5_the_rest_of_a_partly_paid_instalment():
    paid = f"""
    [betalingen]
    | datum      | bedrag | factuur  | klant | tegenrekening | status    | sleutel |
    | 2026-11-05 | 300.00 | 2026-017 | K1    | {IBAN_K1}     | Gekoppeld | part-1  |
    """
    result = run(line("305.00", "factuur 2026-017", IBAN_K1), extra=ARRANGEMENT + paid)
    assert rows(result) == [("2026-017", "305.00", "Gekoppeld", "R5", "K1")]
    assert "het restant van termijn 1 van afspraak A1" in result.matches[0].evidence


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("300.00", "part of an instalment: a dispute, a deduction?"),
        ("700.00", "more than an instalment, less than two"),
        ("1300.00", "more than the arrangement still asks"),
    ],
)
def test_r5_amounts_off_the_schedule_go_to_review(amount, why):
    result = run(line(amount, "factuur 2026-017", IBAN_K1), extra=ARRANGEMENT)
    assert rows(result) == [("2026-017", amount, "Controleren", "R5", "K1")], why
    assert result.matches[0].evidence == (
        "factuur 2026-017 in de omschrijving, bedrag past niet bij afspraak A1: open termijn "
        "€ 605,00, nog te betalen € 1.210,00"
    )


def test_r5_promise_over_two_invoices_is_allocated_to_both():
    promise = """
    [afspraken]
    | afspraak | klant | facturen          | soort      | datum afspraak | betaaldatum |
    | T1       | K2    | 2026-020, 2026-021 | Toezegging | 2026-11-10     | 2026-11-30  |
    """
    result = run(line("500.00", "factuur 2026-021", IBAN_K2), extra=promise)
    assert rows(result) == [
        ("2026-021", "250.00", "Gekoppeld", "R5", "K2"),  # the named invoice first
        ("2026-020", "250.00", "Gekoppeld", "R5", "K2"),
    ]
    assert len({p.key for p in result.payments}) == 1
    assert "termijn 1 van afspraak T1 (€ 500,00)" in result.matches[0].evidence


def test_r5_the_plan_sees_the_instalment_paid():
    b = book(BOOK + ARRANGEMENT)
    assert dict(plan_book(b, TUESDAY).agreement_states)["A1"] is AgreementState.MISSED
    result = match_bank_lines(b, [line("605.00", "factuur 2026-017", IBAN_K1)], TUESDAY)
    after = replace(b, payments=b.payments + result.payments)
    assert dict(plan_book(after, TUESDAY).agreement_states)["A1"] is AgreementState.RUNNING


def test_r4_known_payer_and_an_instalment_is_a_proposal_only():
    result = run(line("605.00", "betaling", IBAN_K1), extra=ARRANGEMENT)
    assert rows(result) == [("2026-017", "605.00", "Controleren", "R5", "K1")]
    assert result.matches[0].evidence == (
        "rekening bekend bij klant K1, bedrag gelijk aan termijn 1 van afspraak A1: voorstel"
    )


def test_r4_two_agreements_that_fit_fall_through_to_r6():
    two = """
    [afspraken]
    | afspraak | klant | facturen          | soort    | datum afspraak | bedrag  | betaaldatum | aantal termijnen | termijnbedrag |
    | A1       | K1    | 2026-017          | Regeling | 2026-11-01     | 1210.00 | 2026-11-20  | 2                |               |
    | A2       | K1    | 2026-018, 2026-019 | Regeling | 2026-11-01     | 750.00  | 2026-11-20  | 2                | 605.00        |
    """
    result = run(line("605.00", "betaling", IBAN_K1), extra=two)
    assert rows(result) == [("", "605.00", "Controleren", "R6", "K1")]


# --- R2: end-to-end id ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e2e", "amount", "iban", "exp", "evidence"),
    [
        (
            KENMERK,
            "500.00",
            IBAN_NEW,
            ("2026-018", "Gekoppeld", "K1"),
            f"end-to-end-id {KENMERK} is het betalingskenmerk van factuur 2026-018, bedrag gelijk "
            "aan open € 500,00",
        ),
        (
            "2026-019",
            "250.00",
            IBAN_K1,
            ("2026-019", "Gekoppeld", "K1"),
            "end-to-end-id 2026-019 is het nummer van factuur 2026-019, bedrag gelijk aan open "
            "€ 250,00",
        ),
        ("2026 019", "250.00", "", ("2026-019", "Gekoppeld", "K1"), "is het nummer"),
        ("2026-019", "200.00", IBAN_K1, ("2026-019", "Controleren", "K1"), "deelbetaling"),
        (
            "2026-020",
            "250.00",
            IBAN_K1,
            ("2026-020", "Controleren", "K1"),
            "end-to-end-id 2026-020 is factuur 2026-020 van klant K2, de rekening van K1",
        ),
    ],
    ids=["kenmerk", "number", "number-with-space", "partial", "other-customer"],
)
def test_r2_end_to_end_id(e2e, amount, iban, exp, evidence):
    result = run(line(amount, "betaling", iban, end_to_end=e2e))
    ((invoice, got_amount, status, rule, customer),) = rows(result)
    assert (invoice, status, customer, rule, got_amount) == (*exp, "R2", amount)
    assert evidence in result.matches[0].evidence


@pytest.mark.parametrize(
    "e2e",
    ["PAY-2026-019", "E2E-77", "2026-023", "NOTPROVIDED-2026-019"],
    ids=["number-inside", "unknown", "credit-note", "filler-and-number"],
)
def test_r2_only_a_whole_field_naming_an_open_invoice_counts(e2e):
    result = run(line("250.00", "betaling", IBAN_NEW, end_to_end=e2e))
    assert rows(result)[0][3] != "R2"


def test_r2_short_number_needs_more_than_an_end_to_end_id():
    b = book("""
    [klanten]
    | klant | naam |
    | K1    | A    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | 17      | K1    | 2026-09-01   | 2026-10-01  | 17.00  |
    """)
    result = match_bank_lines(b, [line("17.00", "x", "", end_to_end="17")], TUESDAY)
    assert rows(result) == [("", "17.00", "Controleren", "R6", "")]


# --- returns never pay an invoice -------------------------------------------------------------


def test_a_returned_transfer_naming_an_invoice_is_never_linked():
    # Money in that is a return (RRTN, NRTI, RtrInf): the text names an open invoice of the
    # exact amount, and the payer fits; still Controleren.
    result = run(line("250.00", "Factuur 2026-019 retour", IBAN_K1, reversal=True))
    assert rows(result) == [("", "250.00", "Controleren", "R0", "")]


# --- R0 saldo klopt niet: a statement whose balances do not add up -----------------------------

# As the reader sets it: opening + entries = 3460.00, the file says 3459.99.
OFF_BY_A_CENT = BalanceMismatch(
    "STMT-1 tot 2026-11-23", Decimal("1000.00"), Decimal("2460.00"), Decimal("3459.99")
)
CENT_FIGURES = (
    "afschrift STMT-1 tot 2026-11-23: beginsaldo € 1.000,00 + boekingen € 2.460,00 = "
    "€ 3.460,00, eindsaldo € 3.459,99; bij een kloppend saldo: "
)


@pytest.mark.parametrize(
    ("bank_line", "exp", "then"),
    [
        (
            line("1210.00", "betaling", IBAN_NEW, reference=RF),
            ("2026-017", "1210.00", "Controleren", "R0 saldo klopt niet", "K1"),
            f"R1 betalingskenmerk: kenmerk {RF} van factuur 2026-017, bedrag gelijk aan open "
            "€ 1.210,00",
        ),
        (
            line("500.00", "Factuur 2026-019 en 2026-021", IBAN_K2),
            ("", "500.00", "Controleren", "R0 saldo klopt niet", "K2"),
            "R3 factuurnummer: facturen 2026-019, 2026-021 horen bij verschillende klanten",
        ),
        (
            line("500.00", "betaling", IBAN_K1),
            ("2026-018", "500.00", "Controleren", "R0 saldo klopt niet", "K1"),
            "R4 bedrag en rekening: rekening bekend bij klant K1, één open factuur van € 500,00: "
            "voorstel",
        ),
        (
            line("12.34", "donatie", IBAN_NEW),
            ("", "12.34", "Controleren", "R0 saldo klopt niet", ""),
            "R6 controleren: geen factuur of klant herkend",
        ),
        (
            line("-45.00", "Huur november", IBAN_K1),
            ("", "-45.00", "Genegeerd", "R0 afschrijving", ""),
            None,  # a debit is no receipt either way
        ),
    ],
    ids=["R1 would link", "R3 would ask", "R4 proposal", "nothing found", "debit"],
)
def test_r0_a_line_of_an_unbalanced_statement_is_never_linked(bank_line, exp, then):
    result = run(replace(bank_line, unbalanced=OFF_BY_A_CENT))
    (p,) = result.payments
    assert (p.invoice, str(p.amount), p.status.value, p.rule, p.customer) == exp
    if then is not None:
        assert result.matches[0].evidence == CENT_FIGURES + then
    assert result.learned_ibans == ()  # nothing confirmed, nothing learnt


def test_r0_an_unbalanced_storno_does_not_reopen_by_itself():
    storno = line("-1210.00", "Storno", IBAN_K1, end_to_end="E2E-77", reversal=True)
    result = run(replace(storno, unbalanced=OFF_BY_A_CENT), extra=PAID_F17)
    assert rows(result) == [("2026-017", "-1210.00", "Controleren", "R0", "K1")]
    assert result.matches[0].evidence.endswith(
        "bij een kloppend saldo: R0 terugboeking: terugboeking van de betaling van 2-11-2026 "
        "op 2026-017"
    )


def test_r0_an_unbalanced_line_pays_nothing_so_a_later_line_still_can():
    doubtful = replace(line("1210.00", "Factuur 2026-017", IBAN_K1, key="a"),
                       unbalanced=OFF_BY_A_CENT)  # fmt: skip
    sound = line("1210.00", "Factuur 2026-017", IBAN_K1, key="b")
    assert rows(run(doubtful, sound)) == [
        ("2026-017", "1210.00", "Controleren", "R0", "K1"),
        ("2026-017", "1210.00", "Gekoppeld", "R3", "K1"),
    ]


def test_r0_the_balance_rule_comes_before_every_rule_that_links():
    names = [rule.__name__ for rule in RULES]
    assert names.index("rule_unbalanced_statement") < min(
        names.index(n) for n in ("rule_debit_or_reversal", "rule_reference", "rule_end_to_end",
                                 "rule_invoice_numbers", "rule_amount_and_payer")
    )  # fmt: skip


# --- the speed work keeps the behaviour --------------------------------------------------------


def reference_invoice_numbers(text: str, ctx) -> tuple[str, ...]:
    """The first implementation of the number finder, kept as the specification: one part
    at a time, every candidate looked up (invoice_numbers must give the same)."""
    import re

    prefixed_re = re.compile("^(?:" + "|".join(PREFIXES) + ")(?=.)")
    keys: dict[str, str] = {}
    for key, inv in ctx.by_number_key.items():
        keys[key] = inv.number if inv is not None else ""
    starts = {k[0] for k in keys if k}
    longest = max(map(len, keys), default=0)
    tokens = re.split(r"([^0-9A-Z]+)", text.upper())
    parts, gaps = tokens[0::2], tokens[1::2]
    found: list[str] = []
    i, n, after_prefix = 0, len(parts), False
    while i < n:
        part = parts[i]
        hit = None
        candidates = [(part, after_prefix)] if part[:1] in starts else []
        if part.startswith(PREFIXES):
            glued = prefixed_re.sub("", part)
            if glued != part:
                candidates.append((glued, True))
        for key, prefixed in candidates:
            for j in range(i, min(n, i + 4)):
                if j > i:
                    gap = gaps[j - 1]
                    if len(gap) > 2 or gap.strip(" .-/") or not parts[j]:
                        break
                    key += parts[j]
                    if len(key) > longest:
                        break
                number = keys.get(key)
                if number and (prefixed or len(key) >= 4):
                    hit = (number, j)
            if hit:
                break
        if hit:
            found.append(hit[0])
            i = hit[1] + 1
            after_prefix = False
        else:
            after_prefix = part in PREFIXES
            i += 1
    return tuple(dict.fromkeys(found))


NUMBERS = ["2026-017", "2026.017", "17", "2026-0170", "A1", "NR5", "UUR9", "FACT1", "1", "12",
           "2026017", "2026", "017", "X-1/2", "99 99", "INV", "ÄB1", "r-12", "F1"]  # fmt: skip
WORDS = ["2026", "017", "17", "0170", "1", "12", "FACT", "FACTUUR", "factuur", "nr", "Nr.",
         "INV", "inv", "UUR", "uur9", "A", "X", "ß", "é", "fact.nr", "factuurnummer", "F1",
         "ﬀ", "Rf"]  # fmt: skip
GAPS = [" ", "-", ".", "/", "  ", " - ", "--", ", ", ":", "", "\n", "..", "/ ", "é"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=8, unique=True),
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), max_size=9),
)
def test_invoice_numbers_equal_the_reference_implementation(numbers, words):
    invoices = "\n".join(f"| {n} | K1 | 2026-09-01 | 2026-10-01 | 10.00 |" for n in numbers)
    b = book(f"""
    [klanten]
    | klant | naam |
    | K1    | A    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    {invoices}
    """)
    ctx = MatchContext(b, TUESDAY, ())
    text = "".join(w + g for w, g in words)
    assert invoice_numbers(text, ctx) == reference_invoice_numbers(text, ctx), text


def test_written_rows_carry_every_field_of_the_line():
    bank_line = BankLine(
        booked=MONDAY, amount=Decimal("1210.00"), counter_iban=IBAN_K1, counter_name="JANSEN",
        description="Factuur 2026-017", reference="", end_to_end="E2E-1", key="k-1",
        own_iban=IBAN_K2, source="nov.xml",
    )  # fmt: skip
    (p,) = match_bank_lines(book(BOOK), [bank_line], TUESDAY).payments
    assert (p.date, p.amount, p.status, p.invoice, p.customer, p.counter_account, p.name,
            p.description, p.reference, p.rule, p.source, p.key, p.row) == (
        MONDAY, Decimal("1210.00"), PaymentStatus.LINKED, "2026-017", "K1", IBAN_K1, "JANSEN",
        "Factuur 2026-017", "E2E-1", "R3 factuurnummer", "nov.xml", "k-1", 0,
    )  # fmt: skip


# --- the agreements' states: matching's own index against the Ledger's ---------------------


def _varied(seed: int) -> Book:
    """A generated book whose agreements are varied: some without Facturen (every invoice of
    the customer), without agreement date or amount; some Betaald 0.000; one invoice number
    twice, and an invoice of an unknown customer (the Ledger leaves both out)."""
    import random

    from benchmarks.generate import generate_book

    rng = random.Random(seed)
    b = generate_book(invoices=3000, customers=300, agreements=300, contacts=10, seed=seed)
    agreements = []
    for a in b.agreements:
        roll = rng.random()
        if roll < 0.3:
            a = replace(a, invoices=(), amount=None if rng.random() < 0.5 else a.amount)
        elif roll < 0.4:
            a = replace(a, agreed_on=None)
        elif roll < 0.5:
            a = replace(a, amount=None, invoices=(*a.invoices, "2026-GEEN"))
        agreements.append(a)
    # Betaald 0.000: zero, but with its own exponent (the Ledger then takes Bedrag as it is).
    invoices = [replace(i, paid=Decimal("0.000")) if rng.random() < 0.2 else i for i in b.invoices]
    invoices += [b.invoices[5], replace(b.invoices[7], number="X-1", customer="K?")]
    return replace(b, agreements=tuple(agreements), invoices=tuple(invoices))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agreement_states_are_the_ledgers(seed: int) -> None:
    from addin.core.ledger import Ledger
    from addin.core.matching import AgreementStates

    b = _varied(seed)
    for as_of in (date(2026, 10, 1), TUESDAY, date(2027, 3, 1)):
        exp = Ledger.build(b, as_of)
        got = AgreementStates(b, MatchContext(b, as_of, ()).invoices, as_of)
        assert exp.governing, "the book should have governed invoices"
        # repr: the amounts to the exponent (they give the amounts written for a termijn).
        assert repr(got.agreement_statuses) == repr(exp.agreement_statuses)
        assert repr(got.governing) == repr(exp.governing)


@pytest.mark.parametrize(
    ("text", "exp"),
    [
        ("kenmerk 7000 0000 0001 2345", ["700000000001", "7000000000012345", "000000012345"]),
        ("12345678", []),  # eight digits: no kenmerk
        ("2026-0017 5000.0567", ["202600175000", "2026001750000567", "001750000567"]),
        ("tel 06 12345678 en 0612345678", ["0612345678", "0612345678"]),
        ("geen cijfers", []),
    ],
    ids=["groups", "short", "dash-and-dot", "phone", "none"],
)
def test_digit_windows_are_whole_groups_of_9_to_16_digits(text, exp):
    from addin.core.references import digit_windows

    assert sorted(digit_windows(text)) == sorted(exp)
