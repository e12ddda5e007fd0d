"""The decisions of the invoice import (issue 15), pure: no files, no clock.

The adapters (adapters/invoices/ubl.py and open_items.py) turn a UBL e-invoice or a line of
an open-items list into an `IncomingInvoice`; this module decides what becomes of it: its
due date (the file's own, else from payment terms that state a number of days), whether the
seller is the user, which customer it belongs to (KvK, then VAT number: Klanten's own KvK
and BTW-nummer columns first, then as Notities records them; then name and postcode), the
Klantnummer of a new customer, whether it is already in Facturen, and which
columns of an open-items list hold what (the header synonyms below are the one place).

Example::

    >>> term_days("Betaling binnen 14 dagen na factuurdatum")
    14
    >>> term_days("14 Tage 2% Skonto, 30 Tage rein netto") is None
    True
    >>> next_customer_number(("K001", "K002", "K017"))
    'K018'
    >>> match_columns(("Factuur", "Relatie", "Datum", "Openstaand")).columns["open_amount"]
    3
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from addin.core.model import Customer
from addin.core.money import format_eur
from addin.core.texts import nl_date

# --- what comes in --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Buyer:
    """The customer as an e-invoice or a list names it.

    Attributes:
      name: registration name, else party name.
      own_id: the buyer's identifier in the file (PartyIdentification), e.g. the seller's own
        customer number "10202"; the Klantnummer of a new customer where it is free.
      kvk: KvK number (schemeID 0106 or legacy NL:KVK), digits only.
      vat: VAT number (PartyTaxScheme CompanyID), upper case without spaces.
      oin: Dutch government OIN (schemeID 0190).
    """

    name: str
    own_id: str = ""
    kvk: str = ""
    vat: str = ""
    oin: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class IncomingInvoice:
    """One invoice or credit note to import.

    Attributes:
      amount: payable incl. VAT; negative for a credit note.
      due_date: the file's own due date (UBL cbc:DueDate, a list's Vervaldatum column).
      terms: payment terms text (UBL PaymentTerms/Note), used when due_date is None.
      credit_note: a UBL CreditNote (or type 381); counted apart in the summary.
      customer_ref: for lists, the text of the customer column (number or name).
      source: file name (and line) for messages.
    """

    number: str
    issue_date: date
    amount: Decimal
    currency: str = "EUR"
    due_date: date | None = None
    terms: str = ""
    credit_note: bool = False
    buyer: Buyer | None = None
    customer_ref: str = ""
    payment_reference: str = ""
    description: str = ""
    source: str = ""


# --- the buyer's country ---------------------------------------------------------------------

# An e-invoice gives the buyer's country as its ISO 3166-1 alpha-2 code (cac:Country/
# cbc:IdentificationCode); Klanten writes it by name ("Nederland", as the example and the
# user do), and a letter abroad prints it in capitals under the address, where a code is no
# address. The Dutch names of the EU and EEA countries and the neighbours a Dutch small
# business invoices most; any other code stays as it is.
COUNTRY_NAMES: dict[str, str] = {
    "AT": "Oostenrijk", "BE": "België", "BG": "Bulgarije", "CH": "Zwitserland",
    "CY": "Cyprus", "CZ": "Tsjechië", "DE": "Duitsland", "DK": "Denemarken",
    "EE": "Estland", "ES": "Spanje", "FI": "Finland", "FR": "Frankrijk",
    "GB": "Verenigd Koninkrijk", "GR": "Griekenland", "HR": "Kroatië", "HU": "Hongarije",
    "IE": "Ierland", "IS": "IJsland", "IT": "Italië", "LI": "Liechtenstein",
    "LT": "Litouwen", "LU": "Luxemburg", "LV": "Letland", "MT": "Malta",
    "NL": "Nederland", "NO": "Noorwegen", "PL": "Polen", "PT": "Portugal",
    "RO": "Roemenië", "SE": "Zweden", "SI": "Slovenië", "SK": "Slowakije",
    "US": "Verenigde Staten",
}  # fmt: skip


def country_name(code: str) -> str:
    """Klanten.Land for an e-invoice's country code: 'BE' -> 'België'; unknown as given."""
    return COUNTRY_NAMES.get(code.strip().upper(), code.strip())


# --- due date from payment terms ------------------------------------------------------------

# "30 dagen", "30dagen", "binnen 14 dagen", "30 days", "net 30 days". Dutch and English only:
# the letters and the law here are Dutch; a German "14 Tage 2% Skonto, 30 Tage netto" states
# a discount term and a net term, which is not one number of days.
_TERM = re.compile(r"(?<![\d,.])(\d{1,3})\s*(?:dagen|dag|days?)\b", re.IGNORECASE)


def term_days(note: str) -> int | None:
    """The number of days a payment-terms note states, or None when it states none or more
    than one different number (the note is then not a plain term)."""
    found = {int(m[1]) for m in _TERM.finditer(note)}
    if len(found) != 1:
        return None
    days = found.pop()
    return days if 0 < days <= 365 else None


def due_date(invoice: IncomingInvoice) -> date | None:
    """The file's own due date, else issue date + the days its terms state, else None (the
    customer's or the default term applies)."""
    if invoice.due_date is not None:
        return invoice.due_date
    days = term_days(invoice.terms) if invoice.terms else None
    return invoice.issue_date + timedelta(days=days) if days is not None else None


# --- identifiers ----------------------------------------------------------------------------


def plain_id(text: str) -> str:
    """An identifier compared without spaces, dots and dashes, upper case: 'nl 8547.12.345
    B01' -> 'NL854712345B01'."""
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def kvk_digits(text: str) -> str:
    """A KvK number as digits only ('KvK 3208 1330' -> '32081330'); '' without digits."""
    return re.sub(r"\D", "", text)


def seller_is_user(
    seller_kvks: Iterable[str], seller_vats: Iterable[str], own_kvk: str, own_vat: str
) -> bool:
    """The supplier's KvK or VAT number equals the user's (Instellingen KvK, BTW-nummer)."""
    kvk, vat = kvk_digits(own_kvk), plain_id(own_vat)
    if kvk and any(kvk_digits(k) == kvk for k in seller_kvks):
        return True
    return bool(vat) and any(plain_id(v) == vat for v in seller_vats)


# --- customers ------------------------------------------------------------------------------

# How the import records in Klanten.Notities the identifiers that have no column of their own
# (the OIN; the KvK and VAT number in a workbook of an earlier version, whose Klanten has no
# KvK and BTW-nummer columns until `bijwerken` adds them), and how it reads them back to match
# the next invoice. A user who types "KvK 12345678" in Notities gets the same matching.
_NOTE_IDS = re.compile(r"\b(KvK|BTW(?:-nummer)?|VAT|OIN)\s*:?\s*([0-9A-Za-z][0-9A-Za-z .-]*)", re.I)


def id_note(buyer: Buyer, *, kvk: bool = True, vat: bool = True) -> str:
    """The Notities text of a new customer: the identifiers that go nowhere else (`kvk`,
    `vat`: the KvK or VAT number too, for a Klanten table without that column), and where
    they came from.

    >>> buyer = Buyer("Jansen BV", kvk="12345678", vat="NL004495445B01", oin="0000000400")
    >>> id_note(buyer)
    'KvK 12345678; BTW NL004495445B01; OIN 0000000400; uit e-factuur'
    >>> id_note(buyer, kvk=False, vat=False)
    'OIN 0000000400; uit e-factuur'
    """
    parts = [
        f"KvK {buyer.kvk}" if buyer.kvk and kvk else "",
        f"BTW {buyer.vat}" if buyer.vat and vat else "",
        f"OIN {buyer.oin}" if buyer.oin else "",
    ]
    ids = "; ".join(p for p in parts if p)
    return f"{ids}; uit e-factuur" if ids else "uit e-factuur"


def _note_ids(notes: str) -> tuple[str, str, str]:
    kvk = vat = oin = ""
    for m in _NOTE_IDS.finditer(notes):
        word, value = m[1].casefold(), m[2].split(";")[0].strip()
        if word == "kvk" and not kvk:
            kvk = kvk_digits(value)
        elif word in ("btw", "btw-nummer", "vat") and not vat:
            vat = plain_id(value.split()[0] if value else "")
        elif word == "oin" and not oin:
            oin = plain_id(value)
    return kvk, vat, oin


def _name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^0-9a-z&]+", " ", folded).split())


def _postcode_key(postcode: str) -> str:
    return plain_id(postcode)


class CustomerIndex:
    """The workbook's customers by KvK, VAT number (their Klanten columns, and as Notities
    records them), name and postcode, number and name: built once per import, so matching
    1,000 invoices against 20,000 customers is dictionary look-ups; customers the import adds
    are added to it (`add`), so a buyer on ten invoices becomes one customer."""

    def __init__(self, customers: Iterable[Customer] = ()) -> None:
        self.by_kvk: dict[str, Customer] = {}  # Klanten.KvK
        self.by_vat: dict[str, Customer] = {}  # Klanten.BTW-nummer
        self.by_note_kvk: dict[str, Customer] = {}  # "KvK ..." in Notities
        self.by_note_vat: dict[str, Customer] = {}
        self.by_oin: dict[str, Customer] = {}
        self.by_name_postcode: dict[tuple[str, str], Customer] = {}
        self.by_number: dict[str, Customer] = {}
        self.by_name: dict[str, Customer] = {}
        self.namesakes: dict[str, list[Customer]] = {}  # name -> every customer of that name
        self.added_without_postcode: dict[str, Customer] = {}  # by this import, by name
        self.added: set[str] = set()  # the numbers of the customers this import adds
        for c in customers:
            self.add(c)

    def add(self, c: Customer, *, new: bool = False) -> None:
        """Index a customer; `new` for one the import adds (see `match`)."""
        if new:
            self.added.add(c.number)
            if not _postcode_key(c.postcode):
                self.added_without_postcode.setdefault(_name_key(c.name), c)
        if c.kvk and (kvk := kvk_digits(c.kvk)):
            self.by_kvk.setdefault(kvk, c)
        if c.vat_number and (vat := plain_id(c.vat_number)):
            self.by_vat.setdefault(vat, c)
        kvk, vat, oin = _note_ids(c.notes) if c.notes else ("", "", "")
        if kvk:
            self.by_note_kvk.setdefault(kvk, c)
        if vat:
            self.by_note_vat.setdefault(vat, c)
        if oin:
            self.by_oin.setdefault(oin, c)
        key = _name_key(c.name)
        self.by_name_postcode.setdefault((key, _postcode_key(c.postcode)), c)
        self.by_name.setdefault(key, c)
        self.namesakes.setdefault(key, []).append(c)
        self.by_number.setdefault(c.number.strip().casefold(), c)

    def match(self, buyer: Buyer) -> Customer | None:
        """KvK, then VAT number, in Klanten's KvK and BTW-nummer columns; then the same as
        Notities records them (customers imported into a workbook of an earlier version, or
        typed there by the user), then a government buyer's OIN; then name and postcode. A
        number in its own column is the user's deliberate record; a note may name another
        company's number, so the columns come first.

        A buyer without a postcode is matched by name only when exactly one customer has
        that name (whatever its postcode: the file just says less); with two or more, which
        one is meant cannot be known, so none is taken (the import adds a new customer and
        says so, see `ambiguous`), and the next invoices of that buyer go to the customer
        it added. Two empty postcodes are no evidence that two customers are the same."""
        kvk = kvk_digits(buyer.kvk) if buyer.kvk else ""
        vat = plain_id(buyer.vat) if buyer.vat else ""
        for ids, key in (
            (self.by_kvk, kvk),
            (self.by_vat, vat),
            (self.by_note_kvk, kvk),
            (self.by_note_vat, vat),
        ):
            if key and (found := ids.get(key)):
                return found
        if buyer.oin and (found := self.by_oin.get(plain_id(buyer.oin))):
            return found
        name, postcode = _name_key(buyer.name), _postcode_key(buyer.postcode)
        if not name:
            return None
        if postcode:
            return self.by_name_postcode.get((name, postcode))
        same = self.namesakes.get(name, ())
        if len(same) == 1:
            return same[0]
        return self.added_without_postcode.get(name)

    def ambiguous(self, buyer: Buyer) -> tuple[Customer, ...]:
        """The customers a buyer without postcode (and no match) could be: two or more of
        the same name; () otherwise."""
        if _postcode_key(buyer.postcode) or self.match(buyer) is not None:
            return ()
        same = self.namesakes.get(_name_key(buyer.name), [])
        return tuple(same) if len(same) > 1 else ()

    def by_reference(self, text: str) -> Customer | None:
        """An open-items list's customer column: a Klantnummer, else an exact name."""
        text = text.strip()
        if not text:
            return None
        return self.by_number.get(text.casefold()) or self.by_name.get(_name_key(text))

    def by_listed_name(self, name: str) -> Customer | None:
        """The customer a list's name column names when its code column is no Klantnummer
        (the accounting package numbers debtors its own way): the one customer of that
        name the workbook already had; None when it had none or several. Customers this
        import added are not taken: two codes of one new name are two debtors there."""
        same = self.namesakes.get(_name_key(name), ()) if name.strip() else ()
        known = [c for c in same if c.number not in self.added]
        return known[0] if len(known) == 1 else None

    def number_taken(self, number: str) -> bool:
        return number.strip().casefold() in self.by_number


# A Klantnummer's pattern: a prefix and a counter of at most 18 digits (a longer run of
# digits is no counter to go on from; `int` would refuse one of over 4,300 digits).
_NUMBERED = re.compile(r"^(.*?)(?<!\d)(\d{1,18})$")


def next_customer_number(existing: Sequence[str]) -> str:
    """The next free number in the workbook's own pattern: the most common prefix with its
    digits (K001, K002 -> K003; 10001 -> 10002; D-0099 -> D-0100); K001 in an empty book."""
    return CustomerNumbers(existing).take(frozenset(n.casefold() for n in existing))


class CustomerNumbers:
    """Hands out Klantnummers in the workbook's own pattern, one after the other."""

    def __init__(self, existing: Iterable[str]) -> None:
        patterns: Counter[str] = Counter()
        highest: dict[str, int] = {}
        width: dict[str, int] = {}
        for number in existing:
            m = _NUMBERED.match(number.strip())
            if not m:
                continue
            prefix = m[1]
            patterns[prefix] += 1
            highest[prefix] = max(highest.get(prefix, 0), int(m[2]))
            width[prefix] = max(width.get(prefix, 0), len(m[2]))
        if patterns:
            self.prefix = patterns.most_common(1)[0][0]
            self.last, self.width = highest[self.prefix], width[self.prefix]
        else:
            self.prefix, self.last, self.width = "K", 0, 3

    def take(self, taken: Container[str]) -> str:
        """The next number after the last one handed out that is not in `taken` (case-folded)."""
        while True:
            self.last += 1
            number = f"{self.prefix}{self.last:0{self.width}d}"
            if number.casefold() not in taken:
                return number


_OWN_ID_OK = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]{0,19}$")


def own_number(own_id: str, index: CustomerIndex) -> str | None:
    """The buyer's own id (or a list's customer code) when it can be a Klantnummer and is
    free, else None (then the caller takes the next number in the workbook's pattern)."""
    own = own_id.strip()
    if own and _OWN_ID_OK.match(own) and not index.number_taken(own):
        return own
    return None


# --- already in Facturen --------------------------------------------------------------------


def differences(
    old_amount: Decimal,
    old_due: date | None,
    amount: Decimal,
    due: date | None,
    places: tuple[str, str] = ("in de werkmap", "in het bestand"),
) -> tuple[str, ...]:
    """What an import would change in an invoice already in Facturen (reported, never
    overwritten): the amount, and the due date when both have one. `places` names where
    the old and the new one are.

    >>> differences(Decimal("100.00"), None, Decimal("121.00"), date(2026, 3, 1))
    ('bedrag € 100,00 in de werkmap, € 121,00 in het bestand',)
    >>> differences(Decimal("5"), None, Decimal("6"), None, ("daar", "hier"))
    ('bedrag € 5,00 daar, € 6,00 hier',)
    """
    was, now = places
    out = []
    if old_amount != amount:
        out.append(f"bedrag {format_eur(old_amount)} {was}, {format_eur(amount)} {now}")
    if due is not None and old_due is not None and old_due != due:
        out.append(f"vervaldatum {nl_date(old_due)} {was}, {nl_date(due)} {now}")
    return tuple(out)


# --- open-items lists -----------------------------------------------------------------------

# Column -> the headers that name it, Dutch and English, compared as normalise() gives them
# (lower case, no accents, no spaces, dots or dashes). Order matters: the first synonym that
# a header equals wins, then the first that a header starts with.
OPEN_ITEMS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("factuurnummer", "factuurnr", "factuur", "nummer", "invoicenumber", "invoiceno",
               "invoice", "documentnummer", "boekstuknummer", "number"),
    # The code headers first, then the words that hold a code or a name (see
    # NAME_BESIDE_CODE): "Relatiecode" is the customer of a list that also has "Relatie".
    "customer": ("klantnummer", "klantnr", "debiteurnummer", "debiteurnr", "relatienummer",
                 "relatienr", "klantcode", "debiteurcode", "relatiecode", "customernumber",
                 "customerno", "customercode", "customerid", "debtornumber", "debtorcode",
                 "accountnumber", "debiteur", "relatie", "klant", "customer", "debtor",
                 "account"),
    "customer_name": ("klantnaam", "debiteurnaam", "relatienaam", "naam", "customername",
                      "name"),
    "invoice_date": ("factuurdatum", "boekdatum", "documentdatum", "datum", "invoicedate",
                     "date"),
    "due_date": ("vervaldatum", "vervaldag", "verval", "duedate", "due"),
    "amount": ("factuurbedrag", "bedrag", "totaal", "totaalbedrag", "amount", "total",
               "invoiceamount"),
    "open_amount": ("openstaandbedrag", "openstaand", "saldo", "restant", "open", "openamount",
                    "outstanding", "balance", "amountdue"),
    "description": ("omschrijving", "description", "betreft", "referentie"),
    "payment_reference": ("betalingskenmerk", "kenmerk", "paymentreference"),
}  # fmt: skip
# Headers that hold the customer's name when another column holds its code ("Relatiecode"
# and "Relatie" in e-Boekhouden's and SnelStart's lists, "Debiteurnummer" and "Debiteur",
# "Contact" beside a number): whole headers only, after every synonym had its turn, so
# "Contactpersoon" or "Klanttype" never becomes a customer's name.
NAME_BESIDE_CODE = ("relatie", "debiteur", "klant", "contact", "customer", "debtor")
# A list's currency column, by its whole header only: "Valutadatum" (the value date) starts
# like "Valuta". Not part of a list's kind (list_kind): lists remembered before it was read
# stay the same kind.
CURRENCY_HEADERS = ("valuta", "valutacode", "munt", "muntsoort", "currency", "currencycode")
# What a currency cell may say for euros.
EURO_TEXTS = frozenset({"", "eur", "euro", "euros", "€"})
# A list needs these; and an amount: Bedrag or Openstaand (the open amount then is Bedrag).
OPEN_ITEMS_REQUIRED = ("number", "customer", "invoice_date")
OPEN_ITEMS_LABELS: dict[str, str] = {
    "number": "factuurnummer",
    "customer": "klant",
    "customer_name": "klantnaam",
    "invoice_date": "factuurdatum",
    "due_date": "vervaldatum",
    "amount": "bedrag",
    "open_amount": "openstaand bedrag",
    "description": "omschrijving",
    "payment_reference": "betalingskenmerk",
}


def normalise(header: str) -> str:
    """A header as the synonyms are written: 'Factuur-nr.' -> 'factuurnr'."""
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", folded.casefold())


# What a missing column was looked for as: either amount will do, and so will a name
# for the customer.
_TRIED = {"amount": ("amount", "open_amount"), "customer": ("customer", "customer_name")}


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """Which column (0-based) holds what; `missing` names what a list needs and lacks;
    `customer_by_name`: the customer column is the list's name column (it has no code
    column)."""

    columns: Mapping[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    customer_by_name: bool = False

    def message(self, headers: Sequence[str]) -> str:
        """Dutch: which columns were not found, the headers found and the synonyms tried."""
        parts = []
        for what in self.missing:
            keys = _TRIED.get(what, (what,))
            synonyms = [s for k in keys for s in OPEN_ITEMS_SYNONYMS[k]]
            if what == "customer":  # the whole headers that may name the customer too
                synonyms += [s for s in NAME_BESIDE_CODE if s not in synonyms]
            tried = ", ".join(synonyms)
            label = "bedrag of openstaand" if what == "amount" else OPEN_ITEMS_LABELS[what]
            parts.append(f"geen kolom voor {label} (gezocht: {tried})")
        found = ", ".join(f"'{h}'" for h in headers if str(h).strip()) or "geen"
        return "; ".join(parts) + f". Gevonden kopjes: {found}."


# An amount column by a header that only starts with a synonym must be what the customer
# owes: not 'Bedrag excl. btw', 'Bedrag btw' or 'Totaal netto' (unless it says incl.).
_NOT_PAYABLE = re.compile(r"excl|exkl|netto|btw|vat|tax")
_AMOUNTS = ("amount", "open_amount")


def _payable(key: str) -> bool:
    return "incl" in key or not _NOT_PAYABLE.search(key)


def match_columns(headers: Sequence[str]) -> ColumnMatch:
    """Find each column by its header: an exact synonym first, then a header that starts with
    one ('Factuurdatum (dd-mm-jjjj)'; for an amount, not one excl. btw); each header is used
    once."""
    keys = [normalise(str(h)) for h in headers]
    used: set[int] = set()
    found: dict[str, int] = {}
    for exact in (True, False):
        for what, synonyms in OPEN_ITEMS_SYNONYMS.items():
            if what in found:
                continue
            amount = what in _AMOUNTS
            for synonym in synonyms:
                hit = next(
                    (
                        i
                        for i, key in enumerate(keys)
                        if i not in used
                        and key
                        and (
                            key == synonym
                            if exact
                            else key.startswith(synonym) and (not amount or _payable(key))
                        )
                    ),
                    None,
                )
                if hit is not None:
                    found[what] = hit
                    used.add(hit)
                    break
    if "customer_name" not in found:
        name = next(
            (i for i, key in enumerate(keys) if i not in used and key in NAME_BESIDE_CODE), None
        )
        if name is not None:
            found["customer_name"] = name
            used.add(name)
    by_name = "customer" not in found and "customer_name" in found
    if by_name:
        # The customer column may hold a number or a name: a list that names its customers
        # only by name has its name column as the customer column.
        found["customer"] = found.pop("customer_name")
    missing = [w for w in OPEN_ITEMS_REQUIRED if w not in found]
    if "amount" not in found and "open_amount" not in found:
        missing.append("amount")
    return ColumnMatch(found, tuple(missing), by_name)


def is_code(text: str) -> bool:
    """A list's customer text that is a code (could be a Klantnummer: one word of letters,
    digits and . _ / -), not a name ("Garage Nieuw B.V."). Without a name column, an
    unknown code names no one: a customer made of it would be called "K999"."""
    return bool(_OWN_ID_OK.match(text.strip()))


def list_kind(headers: Sequence[str], columns: Mapping[str, int]) -> str:
    """What makes two lists 'the same kind': the headers of the columns the import reads."""
    return "|".join(f"{what}={normalise(str(headers[i]))}" for what, i in sorted(columns.items()))


@dataclass(frozen=True, slots=True)
class ListCheck:
    """What a new open-items list says about the previous one of the same kind.

    Attributes:
      possibly_paid: invoices to report as "mogelijk betaald".
      not_checked: invoices gone from the list whose customers this list does not name at
        all, while it is partial: not reported (the list may simply leave them out).
      partial: the list names fewer than half of the customers the previous list named.
      listed, previous: how many customers this list and the previous one name.
      remember: the invoice numbers to remember for the next list of this kind.
    """

    possibly_paid: tuple[str, ...]
    not_checked: tuple[str, ...]
    partial: bool
    listed: int
    previous: int
    remember: tuple[str, ...]


def check_list(
    previous: Iterable[str],
    current: Sequence[str],
    customer_of: Mapping[str, str],
    listed_customers: Collection[str],
) -> ListCheck:
    """Which invoices of the previous list of this kind are gone from this one, and which of
    them to report as "mogelijk betaald" (never marked paid: the bank import does that).

    `customer_of` maps the invoice numbers in Facturen to their Klantnummer (only those
    can be reported); `listed_customers` are the Klantnummers this list names. An invoice
    of a customer the list still names is reported: its customer is in the list, it is
    not. An invoice of a customer the list does not name at all is reported too, unless
    the list is partial (it names fewer than half of the customers the previous list
    named: an export of one customer, one sales rep, one period): then those are not
    reported, and remembered, so the next complete list still checks them. A complete
    list whose customers have all paid everything is rare; a partial one would otherwise
    report every invoice of every other customer.

    >>> got = check_list(("A", "B", "C", "D"), ("A",), {"A": "K1", "B": "K1", "C": "K2",
    ...                  "D": "K3"}, {"K1"})
    >>> got.possibly_paid, got.not_checked, got.partial, got.remember
    (('B',), ('C', 'D'), True, ('A', 'C', 'D'))
    """
    now = set(current)
    before = tuple(dict.fromkeys(previous))
    gone = sorted(n for n in before if n not in now and n in customer_of)
    previous_customers = {customer_of[n] for n in before if n in customer_of}
    listed = set(listed_customers)
    partial = len(listed) * 2 < len(previous_customers)
    report = tuple(n for n in gone if not partial or customer_of[n] in listed)
    left = tuple(n for n in gone if partial and customer_of[n] not in listed)
    return ListCheck(
        possibly_paid=report,
        not_checked=left,
        partial=partial,
        listed=len(listed),
        previous=len(previous_customers),
        remember=tuple(dict.fromkeys((*current, *left))),
    )
