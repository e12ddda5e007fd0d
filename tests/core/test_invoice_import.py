"""The pure decisions of the invoice import: terms in days, the seller check, customer
matching and numbering, the header synonyms and "mogelijk betaald"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from addin.core.invoice_import import (
    OPEN_ITEMS_SYNONYMS,
    Buyer,
    CustomerIndex,
    IncomingInvoice,
    check_list,
    due_date,
    match_columns,
    next_customer_number,
    seller_is_user,
    term_days,
)
from addin.core.model import Customer

# Payment-terms notes from the samples (tests/fixtures/ubl) and typed by hand.
TERMS = [
    ("30 dagen", 30),
    ("30dagen", 30),
    ("binnen 14 dagen", 14),
    ("Betaling\xa0binnen\xa014\xa0dagen op bankrekening 123", 14),
    ("30 days net. Penalty rate 12 %", 30),
    ("Net 60 days", 60),
    ("Credit note", None),
    ("Penalty percentage 10% from due date", None),
    ("14 Tage 2% Skonto, 30 Tage rein netto", None),  # German, two terms
    ("betalen binnen 8 dagen, na 30 dagen rente", None),  # two different numbers
    ("0 dagen", None),
    ("", None),
]


@pytest.mark.parametrize(("note", "exp"), TERMS, ids=[t[0][:30] or "leeg" for t in TERMS])
def test_term_days(note: str, exp: int | None) -> None:
    got = term_days(note)
    assert got == exp


def test_due_date_own_date_first_then_terms_then_none() -> None:
    base = IncomingInvoice("F1", date(2026, 1, 31), Decimal("1.00"), terms="30 dagen")
    assert due_date(base) == date(2026, 3, 2)
    own = IncomingInvoice(
        "F1", date(2026, 1, 31), Decimal("1"), due_date=date(2026, 2, 5), terms="30 dagen"
    )
    assert due_date(own) == date(2026, 2, 5)
    assert due_date(IncomingInvoice("F1", date(2026, 1, 31), Decimal("1"))) is None


@pytest.mark.parametrize(
    ("kvks", "vats", "own_kvk", "own_vat", "exp"),
    [
        (("32141305",), (), "3214 1305", "", True),
        ((), ("NL8200.98.395.B.01",), "", "nl 820098395b01", True),
        (("99999999",), ("NL1",), "32141305", "NL2", False),
        (("32141305",), (), "", "", False),
    ],
)
def test_seller_is_user(
    kvks: tuple[str, ...], vats: tuple[str, ...], own_kvk: str, own_vat: str, exp: bool
) -> None:
    assert seller_is_user(kvks, vats, own_kvk, own_vat) is exp


@pytest.mark.parametrize(
    ("existing", "exp"),
    [
        ((), "K001"),
        (("K001", "K002", "K017"), "K018"),
        (("10001", "10002", "K9"), "10003"),
        (("D-0099", "D-0007"), "D-0100"),
        (("Jansen", "Pietersen"), "K001"),
    ],
)
def test_next_customer_number(existing: tuple[str, ...], exp: str) -> None:
    assert next_customer_number(existing) == exp


def test_matching_kvk_then_vat_then_name_and_postcode_never_name_alone() -> None:
    index = CustomerIndex(
        (
            Customer("K1", "Jansen BV", notes="KvK 12345678"),
            Customer("K2", "Pieters BV", notes="BTW-nummer: NL0012.34.567.B01; klant sinds 2020"),
            Customer("K3", "Groot & Zn.", postcode="1234 ab"),
        )
    )
    assert index.match(Buyer("Anders", kvk="12345678")).number == "K1"  # type: ignore[union-attr]
    assert index.match(Buyer("Anders", vat="NL001234567B01")).number == "K2"  # type: ignore[union-attr]
    assert index.match(Buyer("groot & zn", postcode="1234AB")).number == "K3"  # type: ignore[union-attr]
    assert index.match(Buyer("Groot & Zn.", postcode="9999 ZZ")) is None
    assert index.match(Buyer("Jansen BV", postcode="1234 AB")) is None  # K1 has no postcode


@pytest.mark.parametrize(
    ("buyer", "exp"),
    [
        (Buyer("X", kvk="12345678"), "K1"),  # the column, not K3's note
        (Buyer("X", vat="nl004495445b01"), "K2"),  # the column, not K4's note
        (Buyer("X", kvk="87654321", vat="NL004495445B01"), "K2"),  # a VAT column before a note
        (Buyer("X", kvk="87654321"), "K4"),  # only a note has it: still found
        (Buyer("X", vat="NL820197348B01"), "K3"),
        (Buyer("X", kvk="11112222"), None),
    ],
    ids=["kvk-column", "vat-column", "vat-column-before-kvk-note", "kvk-note", "vat-note",
         "unknown"],
)  # fmt: skip
def test_klanten_columns_are_matched_before_notities(buyer: Buyer, exp: str | None) -> None:
    index = CustomerIndex(
        (
            Customer("K1", "Jansen BV", kvk="1234 5678"),
            Customer("K2", "Pieters BV", vat_number="NL0044.95.445.B01"),
            Customer("K3", "Moeder BV", notes="KvK 12345678; BTW NL820197348B01"),
            Customer("K4", "Oud BV", notes="KvK 87654321; BTW NL004495445B01; uit e-factuur"),
        )
    )
    got = index.match(buyer)
    assert (got.number if got else None) == exp


# A buyer without postcode (and without KvK or VAT number) against customers named alike:
# the name alone decides only when exactly one customer has it.
NAMESAKES = (
    Customer("K1", "Bakkerij Jansen", postcode="1234 AB"),
    Customer("K2", "Groot & Zn."),
    Customer("K3", "Groot & Zn.", postcode="9999 ZZ"),
    Customer("K4", "Visser"),
    Customer("K5", "Visser"),
)


@pytest.mark.parametrize(
    ("buyer", "exp", "ambiguous"),
    [
        (Buyer("Bakkerij Jansen"), "K1", ()),  # the only one of that name, postcode or not
        (Buyer("bakkerij jansen", postcode="1234AB"), "K1", ()),
        (Buyer("Bakkerij Jansen", postcode="5555 XX"), None, ()),  # another address
        (Buyer("Groot & Zn"), None, ("K2", "K3")),  # two of that name: no guess
        (Buyer("Visser"), None, ("K4", "K5")),  # two empty postcodes prove nothing
        (Buyer("Groot & Zn.", postcode="9999 zz"), "K3", ()),
        (Buyer("Nieuw"), None, ()),
    ],
    ids=["one-namesake", "postcode", "other-postcode", "two-namesakes", "both-empty", "exact",
         "unknown"],
)  # fmt: skip
def test_a_buyer_without_postcode_matches_an_only_namesake(
    buyer: Buyer, exp: str | None, ambiguous: tuple[str, ...]
) -> None:
    index = CustomerIndex(NAMESAKES)
    got = index.match(buyer)
    assert (got.number if got else None) == exp
    assert tuple(c.number for c in index.ambiguous(buyer)) == ambiguous


def test_the_customer_added_for_an_ambiguous_buyer_takes_its_next_invoices() -> None:
    index = CustomerIndex(NAMESAKES)
    assert index.match(Buyer("Visser")) is None
    index.add(Customer("K6", "Visser"), new=True)
    assert index.match(Buyer("Visser")).number == "K6"  # type: ignore[union-attr]
    assert index.ambiguous(Buyer("Visser")) == ()


DIALECT_HEADERS = [
    ("Factuurnummer", "Klantnummer", "Factuurdatum", "Vervaldatum", "Bedrag"),
    ("Factuur", "Relatie", "Datum", "Openstaand"),
    ("Invoice No.", "Customer", "Invoice Date", "Due Date", "Amount"),
    ("Nummer", "Debiteur", "Boekdatum", "Vervaldag", "Totaal", "Saldo"),
    ("Documentnummer", "Klantcode", "Documentdatum", "Due", "Total"),
]


@pytest.mark.parametrize("headers", DIALECT_HEADERS, ids=lambda h: h[0])
def test_match_columns_dialects(headers: tuple[str, ...]) -> None:
    got = match_columns(headers)
    assert got.missing == ()
    assert (got.columns["number"], got.columns["customer"], got.columns["invoice_date"]) == (
        0,
        1,
        2,
    )


# Which column is Bedrag (and Openstaand) when no header is exactly a synonym: the amount
# the customer owes, incl. btw, never the amount excl. btw nor the btw itself. The first
# header starting with "bedrag"/"totaal" was taken: 'Bedrag excl. btw' (1.000 for an
# invoice of 1.210).
@pytest.mark.parametrize(
    ("headers", "exp_amount", "exp_open"),
    [
        (("Bedrag excl. btw", "Bedrag btw", "Bedrag incl. btw"), "Bedrag incl. btw", None),
        (
            ("Totaal excl. BTW", "Totaal incl. BTW", "Openstaand incl. BTW"),
            "Totaal incl. BTW",
            "Openstaand incl. BTW",
        ),
        (("Amount excl. VAT", "Amount VAT", "Amount incl. VAT"), "Amount incl. VAT", None),
        (("Bedrag (EUR)", "Openstaand (EUR)"), "Bedrag (EUR)", "Openstaand (EUR)"),
        (("Bedrag exclusief btw", "Saldo"), None, "Saldo"),
        (("Totaal netto", "Totaal bruto"), "Totaal bruto", None),
    ],
    ids=["bedrag", "totaal-openstaand", "english", "currency-suffix", "only-excl", "netto"],
)
def test_amount_columns_are_incl_btw(
    headers: tuple[str, ...], exp_amount: str | None, exp_open: str | None
) -> None:
    all_headers = ("Factuurnummer", "Klant", "Factuurdatum", *headers)
    got = match_columns(all_headers)
    named = {what: all_headers[i] for what, i in got.columns.items()}
    assert (named.get("amount"), named.get("open_amount")) == (exp_amount, exp_open)


@pytest.mark.parametrize("name", ["Klantnaam", "Debiteurnaam", "Naam", "Customer name"])
def test_a_list_with_only_a_name_column_takes_it_as_the_customer(name: str) -> None:
    # The customer column may hold a number or a name; a list whose only customer column is
    # its name was refused ("geen kolom voor klant").
    got = match_columns(("Factuur", name, "Datum", "Bedrag"))
    assert got.missing == ()
    assert got.columns["customer"] == 1 and "customer_name" not in got.columns


@pytest.mark.parametrize(
    ("headers", "exp_customer", "exp_name"),
    [
        (("Factuur", "Relatiecode", "Relatie", "Datum", "Bedrag"), "Relatiecode", "Relatie"),
        (("Factuur", "Relatie", "Relatienummer", "Datum", "Bedrag"), "Relatienummer", "Relatie"),
        (("Factuur", "Debiteur", "Naam", "Datum", "Bedrag"), "Debiteur", "Naam"),
        (("Factuur", "Relatie", "Datum", "Bedrag"), "Relatie", None),
        (("Factuur", "Contact", "Datum", "Bedrag"), "Contact", None),  # by name
        (("Factuur", "Klantnummer", "Contactpersoon", "Datum", "Bedrag"), "Klantnummer", None),
        (("Factuur", "Klantnummer", "Klanttype", "Datum", "Bedrag"), "Klantnummer", None),
    ],
)
def test_a_generic_customer_header_beside_a_code_header_is_the_name(
    headers: tuple[str, ...], exp_customer: str, exp_name: str | None
) -> None:
    got = match_columns(headers)
    named = {what: headers[i] for what, i in got.columns.items()}
    assert (named["customer"], named.get("customer_name")) == (exp_customer, exp_name)
    assert got.missing == ()


def test_every_synonym_is_written_as_normalised() -> None:
    from addin.core.invoice_import import normalise

    for synonyms in OPEN_ITEMS_SYNONYMS.values():
        for synonym in synonyms:
            assert normalise(synonym) == synonym


# The previous list of a kind held A-F; Facturen holds A-E (F was never imported):
# A, B of K1; C of K2; D of K3; E of K4.
CUSTOMER_OF = {"A": "K1", "B": "K1", "C": "K2", "D": "K3", "E": "K4"}


@pytest.mark.parametrize(
    ("current", "listed", "exp_paid", "exp_left", "exp_remember"),
    [
        # complete: every customer but K4 still listed; B, D, E gone (F is not in Facturen)
        (("A", "C"), {"K1", "K2", "K3"}, ("B", "D", "E"), (), ("A", "C")),
        # complete: half the customers is still complete (K3 and K4 paid everything)
        (("A", "C"), {"K1", "K2"}, ("B", "D", "E"), (), ("A", "C")),
        # partial: one customer's list; only its own gone invoice is reported
        (("A",), {"K1"}, ("B",), ("C", "D", "E"), ("A", "C", "D", "E")),
        # nothing gone
        (("A", "B", "C", "D", "E"), {"K1", "K2", "K3", "K4"}, (), (), ("A", "B", "C", "D", "E")),
    ],
    ids=["complete", "half", "partial", "same"],
)
def test_check_list_reports_gone_invoices_and_not_those_a_partial_list_leaves_out(
    current: tuple[str, ...],
    listed: set[str],
    exp_paid: tuple[str, ...],
    exp_left: tuple[str, ...],
    exp_remember: tuple[str, ...],
) -> None:
    got = check_list(("A", "B", "C", "D", "E", "F"), current, CUSTOMER_OF, listed)
    assert (got.possibly_paid, got.not_checked, got.remember) == (exp_paid, exp_left, exp_remember)
    assert got.partial == bool(exp_left)
