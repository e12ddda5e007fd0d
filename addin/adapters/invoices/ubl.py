"""Reading UBL 2.1 e-invoices (Invoice and CreditNote; SI-UBL 1.x/2.0, NLCIUS, Peppol BIS 3,
EN 16931) into the import's `IncomingInvoice`, safely.

Recognised by content, never by extension or prefix: the root element's namespace is UBL's
Invoice-2 or CreditNote-2, and the CustomizationID names EN 16931, SI-UBL or Peppol BIS 3.
Parsing goes through defusedxml with DTDs forbidden: no entity expansion (XML bombs) and no
external access (XXE) can happen, and such a file is refused naming the file. What the import
needs and the file lacks is refused naming the element (``cbc:ID``, ``cbc:IssueDate``,
``cac:LegalMonetaryTotal/cbc:PayableAmount``...); a truncated file is refused naming the line.

The invoice's PDF: of the ``EmbeddedDocumentBinaryObject``s with mimeCode application/pdf
whose decoded bytes are a PDF (``%PDF-`` at the start and ``%%EOF`` near the end; mimeCode
alone proves nothing), the one whose ID or file name holds the invoice number, else the first
that is not named as terms and conditions or a timesheet, else the first. Other attachments
labelled PDF are reported as fake or broken.

Example::

    doc = read_ubl(Path("NLCIUS_e-factuur_vb_03b.xml"))
    doc.invoice.number, doc.invoice.amount   -> ("INV-2020-0003", Decimal("1226.46"))
    doc.pdf[:5], doc.seller_kvks            -> (b"%PDF-", ("01234567",))
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from addin.adapters.workbook.cells import MAX_AMOUNT
from addin.adapters.xml_encoding import declared_encoding
from addin.core.invoice_import import Buyer, IncomingInvoice, kvk_digits, plain_id
from addin.core.money import to_cents

__all__ = ["InvoiceFileError", "UblDocument", "is_ubl", "parse_ubl"]

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
INVOICE_NS = _UBL + "Invoice-2"
CREDIT_NOTE_NS = _UBL + "CreditNote-2"
CBC = "{" + _UBL + "CommonBasicComponents-2}"
CAC = "{" + _UBL + "CommonAggregateComponents-2}"

# CustomizationIDs the import understands: everything based on EN 16931 (NLCIUS, Peppol BIS
# 3, XRechnung, plain EN 16931) and the Dutch SI-UBL 1.x/2.0 (older SI-UBL 1.1 names
# "simplerinvoicing"). Others (no CustomizationID, UBL from another world) are reported.
KNOWN_CUSTOMIZATIONS = ("urn:cen.eu:en16931", "si-ubl", "simplerinvoicing", "poacc:billing:3")

# Identifier schemes (ISO 6523 ICD codes as Peppol uses them; the legacy SI-UBL 1.1 names).
KVK_SCHEMES = frozenset({"0106", "NL:KVK"})
OIN_SCHEMES = frozenset({"0190", "NL:OIN"})
VAT_SCHEMES = frozenset({"9944", "NL:VAT"})

# Credit-note type codes (UNCL1001) that also occur as InvoiceTypeCode.
CREDIT_TYPE_CODES = frozenset({"381", "396", "81", "83", "532"})

# Elements UBL 2.1 allows once where the import reads them; two of them is a broken file (the
# schema-invalid EeISI example repeats PayeeFinancialAccount), and guessing which one counts
# would import the wrong data.
_ONCE: tuple[tuple[str, ...], ...] = (
    (CBC + "ID",),
    (CBC + "IssueDate",),
    (CBC + "DueDate",),
    (CBC + "DocumentCurrencyCode",),
    (CAC + "AccountingSupplierParty",),
    (CAC + "AccountingCustomerParty",),
    (CAC + "LegalMonetaryTotal",),
)
_ONCE_IN_PAYMENT_MEANS = (CAC + "PayeeFinancialAccount", CAC + "PaymentMandate")


class InvoiceFileError(Exception):
    """A file the invoice import cannot use; the Dutch message names the file and the line
    or element."""


@dataclass(frozen=True, slots=True)
class UblDocument:
    """One e-invoice as the import uses it.

    Attributes:
      invoice: the invoice or credit note (amount negative for a credit note).
      seller_name: the supplier's name, for the message when it is not the user.
      seller_kvks, seller_vats: the supplier's KvK (PartyLegalEntity/CompanyID) and VAT
        numbers (PartyTaxScheme/CompanyID), to check that the seller is the user.
      pdf: the bytes of the first real embedded PDF, or None.
      pdf_problems: Dutch notes on attachments labelled PDF that are not (fake or broken).
    """

    invoice: IncomingInvoice
    seller_name: str
    seller_kvks: tuple[str, ...]
    seller_vats: tuple[str, ...]
    pdf: bytes | None
    pdf_problems: tuple[str, ...]


def is_ubl(data: bytes) -> bool:
    """A cheap look at the start of a file: is its root a UBL Invoice or CreditNote?"""
    head = data[:4096]
    return INVOICE_NS.encode() in head or CREDIT_NOTE_NS.encode() in head


def parse_ubl(data: bytes, name: str) -> UblDocument:
    """Read one UBL file's bytes; raise InvoiceFileError (Dutch, naming `name`)."""
    root = _parse(data, name)
    kind = _kind(root, name)
    customization = _text(root, CBC + "CustomizationID")
    if not customization:
        raise InvoiceFileError(
            f"{name}: geen cbc:CustomizationID; alleen e-facturen volgens EN 16931, SI-UBL of "
            f"Peppol BIS 3 worden ingelezen."
        )
    if not any(k in customization.casefold() for k in KNOWN_CUSTOMIZATIONS):
        raise InvoiceFileError(
            f"{name}: onbekende specificatie '{customization}' (cbc:CustomizationID); alleen "
            f"e-facturen volgens EN 16931, SI-UBL of Peppol BIS 3 worden ingelezen."
        )
    _check_once(root, name)
    number = _required(root, name, CBC + "ID")
    issue = _date(_required(root, name, CBC + "IssueDate"), name, "cbc:IssueDate")
    currency = _required(root, name, CBC + "DocumentCurrencyCode").upper()
    payable_el = _path(root, CAC + "LegalMonetaryTotal", CBC + "PayableAmount")
    if payable_el is None or not (payable_el.text or "").strip():
        raise InvoiceFileError(
            f"{name}: het element cac:LegalMonetaryTotal/cbc:PayableAmount ontbreekt (het te "
            f"betalen bedrag)."
        )
    amount = _amount(payable_el.text or "", name)
    type_code = _text(root, CBC + ("CreditNoteTypeCode" if kind else "InvoiceTypeCode"))
    credit = kind or type_code in CREDIT_TYPE_CODES
    if credit:
        amount = -abs(amount)  # a credit note reduces what the customer owes
    due_text = _text(root, CBC + "DueDate") or _text(
        root, CAC + "PaymentMeans", CBC + "PaymentDueDate"
    )
    due = _date(due_text, name, "cbc:DueDate") if due_text else None
    terms = " ".join(
        (n.text or "").strip()
        for t in root.iter(CAC + "PaymentTerms")
        for n in t.findall(CBC + "Note")
        if (n.text or "").strip()
    )
    supplier = _path(root, CAC + "AccountingSupplierParty", CAC + "Party")
    customer = _path(root, CAC + "AccountingCustomerParty", CAC + "Party")
    if supplier is None:
        raise InvoiceFileError(f"{name}: het element cac:AccountingSupplierParty ontbreekt.")
    if customer is None:
        raise InvoiceFileError(f"{name}: het element cac:AccountingCustomerParty ontbreekt.")
    buyer = _buyer(customer)
    if not buyer.name:
        raise InvoiceFileError(
            f"{name}: de koper heeft geen naam (cac:AccountingCustomerParty/cac:Party/"
            f"cac:PartyLegalEntity/cbc:RegistrationName of cac:PartyName/cbc:Name)."
        )
    reference = _text(root, CAC + "PaymentMeans", CBC + "PaymentID")
    pdf, problems = _pdf(root, number)
    invoice = IncomingInvoice(
        number=number,
        issue_date=issue,
        amount=amount,
        currency=currency,
        due_date=due,
        terms=terms,
        credit_note=credit,
        buyer=buyer,
        payment_reference=reference,
        description=_description(root),
        source=name,
    )
    seller_kvks = tuple(
        (c.text or "").strip()
        for le in supplier.findall(CAC + "PartyLegalEntity")
        for c in le.findall(CBC + "CompanyID")
        if (c.text or "").strip()
    )
    seller_vats = tuple(
        (c.text or "").strip()
        for ts in supplier.findall(CAC + "PartyTaxScheme")
        for c in ts.findall(CBC + "CompanyID")
        if (c.text or "").strip()
    )
    return UblDocument(
        invoice=invoice,
        seller_name=_party_name(supplier),
        seller_kvks=seller_kvks,
        seller_vats=seller_vats,
        pdf=pdf,
        pdf_problems=problems,
    )


# --- parsing --------------------------------------------------------------------------------


def _parse(data: bytes, name: str) -> ET.Element:
    try:
        root: ET.Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvoiceFileError(
            f"{name}: het XML-bestand bevat een DOCTYPE, entiteiten of een externe verwijzing "
            f"({type(exc).__name__}); zo'n bestand wordt uit veiligheid niet gelezen."
        ) from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise InvoiceFileError(
            f"{name}: geen geldig XML op regel {line}, kolom {column + 1} (afgebroken of "
            f"beschadigd bestand?)."
        ) from None
    except (ValueError, LookupError) as exc:
        # An encoding expat or Python cannot decode (a declared UTF-32, an unknown name):
        # e-invoices are UTF-8 (EN 16931's syntax bindings), so name the fix.
        encoding = declared_encoding(data) or ""
        raise InvoiceFileError(
            f"{name}: het XML-bestand is onleesbaar: tekenset "
            f"{encoding!r} wordt niet ondersteund (e-facturen zijn UTF-8; technische melding: "
            f"{exc})."
            if encoding
            else f"{name}: het XML-bestand is onleesbaar (technische melding: {exc})."
        ) from None
    return root


def _kind(root: ET.Element, name: str) -> bool:
    """True for a CreditNote, False for an Invoice; anything else is refused."""
    if root.tag == "{" + INVOICE_NS + "}Invoice":
        return False
    if root.tag == "{" + CREDIT_NOTE_NS + "}CreditNote":
        return True
    local = root.tag.rsplit("}", 1)[-1]
    raise InvoiceFileError(
        f"{name}: geen UBL 2.1-factuur of -creditnota (het hoofdelement is '{local}')."
    )


def _check_once(root: ET.Element, name: str) -> None:
    for (tag,) in _ONCE:
        found = root.findall(tag)
        if len(found) > 1:
            raise InvoiceFileError(
                f"{name}: het element {_short(tag)} komt {len(found)} keer voor; UBL 2.1 staat "
                f"het één keer toe (het bestand voldoet niet aan het schema)."
            )
    for means in root.findall(CAC + "PaymentMeans"):
        for tag in _ONCE_IN_PAYMENT_MEANS:
            found = means.findall(tag)
            if len(found) > 1:
                raise InvoiceFileError(
                    f"{name}: het element cac:PaymentMeans/{_short(tag)} komt {len(found)} keer "
                    f"voor; UBL 2.1 staat het één keer toe (het bestand voldoet niet aan het "
                    f"schema)."
                )


def _short(tag: str) -> str:
    return tag.replace(CBC, "cbc:").replace(CAC, "cac:")


def _path(elem: ET.Element | None, *tags: str) -> ET.Element | None:
    for tag in tags:
        if elem is None:
            return None
        elem = elem.find(tag)
    return elem


def _text(elem: ET.Element | None, *tags: str) -> str:
    found = _path(elem, *tags)
    return (found.text or "").strip() if found is not None else ""


def _required(root: ET.Element, name: str, tag: str) -> str:
    text = _text(root, tag)
    if not text:
        raise InvoiceFileError(f"{name}: het element {_short(tag)} ontbreekt of is leeg.")
    return text


def _date(text: str, name: str, element: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InvoiceFileError(
            f"{name}: {element} '{text}' is geen datum (verwacht JJJJ-MM-DD)."
        ) from None


def _amount(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvoiceFileError(
            f"{name}: cac:LegalMonetaryTotal/cbc:PayableAmount '{text}' is geen bedrag."
        ) from None
    if not value.is_finite():
        raise InvoiceFileError(f"{name}: cbc:PayableAmount '{text}' is geen bedrag.")
    if value.copy_abs() >= MAX_AMOUNT:
        # The workbook's reader refuses such a Bedrag (cells.MAX_AMOUNT); far bigger ones
        # cannot even be rounded to cents (decimal.InvalidOperation). copy_abs, not abs:
        # abs rounds to the context, a decimal.Overflow for "1E+999999999".
        raise InvoiceFileError(
            f"{name}: cac:LegalMonetaryTotal/cbc:PayableAmount '{text.strip()[:40]}' is te groot "
            f"voor een bedrag (10 biljoen euro of meer); het bestand is beschadigd of geen echte "
            f"factuur."
        )
    return to_cents(value)  # half away from zero, as every amount the workbook reads


# --- parties --------------------------------------------------------------------------------


def _party_name(party: ET.Element) -> str:
    return _text(party, CAC + "PartyLegalEntity", CBC + "RegistrationName") or _text(
        party, CAC + "PartyName", CBC + "Name"
    )


def _ids(party: ET.Element) -> list[tuple[str, str]]:
    """(scheme, value) of every identifier the party carries, in document order of kind."""
    out: list[tuple[str, str]] = []
    for tag in (
        (CBC + "EndpointID",),
        (CAC + "PartyIdentification", CBC + "ID"),
        (CAC + "PartyLegalEntity", CBC + "CompanyID"),
    ):
        parents = [party] if len(tag) == 1 else party.findall(tag[0])
        for parent in parents:
            for el in parent.findall(tag[-1]):
                value = (el.text or "").strip()
                if value:
                    out.append((el.get("schemeID", "").strip().upper(), value))
    return out


def _scheme_value(scheme: str, value: str, schemes: frozenset[str]) -> str:
    """The value when the scheme is one of `schemes`; a legacy value may carry the scheme as
    a prefix ('NL:KVK:00006688')."""
    if scheme in schemes:
        return value
    for s in schemes:
        if value.upper().startswith(s + ":"):
            return value[len(s) + 1 :]
    return ""


def _first(ids: list[tuple[str, str]], schemes: frozenset[str]) -> str:
    for scheme, value in ids:
        found = _scheme_value(scheme, value, schemes)
        if found:
            return found
    return ""


def _buyer(party: ET.Element) -> Buyer:
    ids = _ids(party)
    kvk = _first(ids, KVK_SCHEMES)
    oin = _first(ids, OIN_SCHEMES)
    vat = _text(party, CAC + "PartyTaxScheme", CBC + "CompanyID") or _first(ids, VAT_SCHEMES)
    own = next(
        (
            (el.text or "").strip()
            for pi in party.findall(CAC + "PartyIdentification")
            for el in pi.findall(CBC + "ID")
            if (el.text or "").strip()
        ),
        "",
    )
    own = _scheme_value("", own, KVK_SCHEMES | OIN_SCHEMES) or own
    address = party.find(CAC + "PostalAddress")
    street = " ".join(
        t for t in (_text(address, CBC + "StreetName"), _text(address, CBC + "BuildingNumber")) if t
    )
    extra = _text(address, CBC + "AdditionalStreetName")
    contact = party.find(CAC + "Contact")
    return Buyer(
        name=_party_name(party),
        own_id=own,
        kvk=kvk_digits(kvk) if kvk_digits(kvk) else "",
        vat=plain_id(vat),
        oin=oin,
        address=", ".join(t for t in (street, extra) if t),
        postcode=_text(address, CBC + "PostalZone"),
        city=_text(address, CBC + "CityName"),
        country=_text(address, CAC + "Country", CBC + "IdentificationCode").upper(),
        email=_text(contact, CBC + "ElectronicMail"),
        phone=_text(contact, CBC + "Telephone"),
        contact=_text(contact, CBC + "Name"),
    )


def _description(root: ET.Element) -> str:
    """Something to recognise the invoice by: the order or buyer reference, else the first
    line's item name."""
    order = _text(root, CAC + "OrderReference", CBC + "ID")
    if order:
        return f"order {order}"
    buyer_ref = _text(root, CBC + "BuyerReference")
    if buyer_ref:
        return f"referentie {buyer_ref}"
    for line_tag in (CAC + "InvoiceLine", CAC + "CreditNoteLine"):
        line = root.find(line_tag)
        if line is not None:
            return _text(line, CAC + "Item", CBC + "Name")
    return ""


# --- the PDF --------------------------------------------------------------------------------

# What \s matches in bytes: base64 in XML is wrapped (every 76 characters, with CR LF or
# LF, sometimes indented); bytes.translate deletes it in one C pass (a regex substitution
# took four times as long as decoding the 50 kB PDF itself).
_WHITESPACE = b" \t\n\r\x0b\x0c"


# An attachment that is plainly not the invoice itself.
_NOT_THE_INVOICE = re.compile(
    r"voorwaarden|conditions|terms|agb|urenstaat|timesheet|specificatie", re.IGNORECASE
)


def _pdf_rank(label: str, number: str) -> int:
    """2: named after the invoice; 1: any other; 0: named as something else."""
    if (key := plain_id(number)) and key in plain_id(label):
        return 2
    return 0 if _NOT_THE_INVOICE.search(label) else 1


def _pdf(root: ET.Element, number: str = "") -> tuple[bytes | None, tuple[str, ...]]:
    problems: list[str] = []
    found: bytes | None = None
    rank = -1
    for ref in root.findall(CAC + "AdditionalDocumentReference"):
        for obj in ref.iter(CBC + "EmbeddedDocumentBinaryObject"):
            if obj.get("mimeCode", "").strip().lower() != "application/pdf":
                continue
            label = obj.get("filename") or _text(ref, CBC + "ID") or "zonder naam"
            names = " ".join(
                (obj.get("filename") or "", _text(ref, CBC + "ID"),
                 _text(ref, CBC + "DocumentDescription"))
            )  # fmt: skip
            raw = (obj.text or "").encode("ascii", "replace").translate(None, _WHITESPACE)
            try:
                content = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                problems.append(f"bijlage '{label}' is geen geldige base64-tekst")
                continue
            if not content.startswith(b"%PDF-"):
                problems.append(
                    f"bijlage '{label}' heet PDF (mimeCode application/pdf) maar is het niet"
                )
                continue
            if b"%%EOF" not in content[-2048:]:
                problems.append(
                    f"bijlage '{label}' is een afgebroken PDF (geen %%EOF aan het eind)"
                )
                continue
            if (got := _pdf_rank(names, number)) > rank:  # the first of the best
                found, rank = content, got
    return found, tuple(problems)
