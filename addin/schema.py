"""The workbook contract: every sheet, table and column name the product uses, in one place.

The reader finds tables by name and columns by header (order free, extra columns ignored,
header case and surrounding spaces ignored). Renaming a header here is a breaking change for
every user's workbook; adding a column is not.

Example::

    >>> FACTUREN.column("amount").header
    'Bedrag'
    >>> normalise_header("  bedrag ")
    'bedrag'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def normalise_header(text: object) -> str:
    """The form in which headers are compared: stripped, case-folded, inner spaces collapsed."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table.

    Attributes:
      field: the attribute name the reader fills (English, snake case).
      header: the Dutch header as shipped.
      required: the table cannot be read without this column.
      formula: the column holds a formula the tool writes; the reader ignores its values.
      text: an identifier typed as digits (a number, a reference, a phone number): the
        workbook formats the column as Text, so Excel keeps what is typed instead of
        making it a number (a 16-digit Betalingskenmerk rounded to 15 significant digits,
        the leading 0 of a phone number dropped, 2026017 no longer equal to "2026017").
    """

    field: str
    header: str
    required: bool = False
    formula: bool = False
    text: bool = False


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One Excel table (ListObject) on its own sheet."""

    sheet: str
    name: str
    columns: tuple[Column, ...]

    def column(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(col.header for col in self.columns)


def _cols(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    out = []
    for spec in specs:
        flags = spec[2] if len(spec) == 3 else ""
        out.append(
            Column(spec[0], spec[1], required="r" in flags, formula="f" in flags, text="t" in flags)
        )
    return tuple(out)


FACTUREN = TableSpec(
    "Facturen",
    "tblFacturen",
    _cols(
        ("number", "Factuurnummer", "rt"),
        ("customer", "Klantnummer", "rt"),
        ("invoice_date", "Factuurdatum", "r"),
        ("due_date", "Vervaldatum"),
        ("amount", "Bedrag", "r"),
        ("paid", "Betaald"),
        ("description", "Omschrijving"),
        ("payment_reference", "Betalingskenmerk", "t"),
        ("pdf", "Factuur-pdf"),
        ("payment_link", "Betaallink"),
        ("dispute", "Geschil"),
        ("own_action", "Eigen actie"),
        ("own_action_date", "Eigen actiedatum"),
        ("open", "Open", "f"),
        ("status", "Status", "f"),
        ("next_action", "Volgende actie", "f"),
    ),
)

KLANTEN = TableSpec(
    "Klanten",
    "tblKlanten",
    _cols(
        ("number", "Klantnummer", "rt"),
        ("name", "Naam", "r"),
        ("kind", "Soort"),
        ("address", "Adres"),
        ("postcode", "Postcode", "t"),
        ("city", "Plaats"),
        ("country", "Land"),
        # The customer's Chamber of Commerce and VAT numbers, as Instellingen names the
        # user's own; the invoice import fills and matches them (older workbooks: Notities).
        ("kvk", "KvK", "t"),
        ("vat_number", "BTW-nummer", "t"),
        ("email", "E-mail"),
        ("phone", "Telefoon", "t"),
        ("term_days", "Betaaltermijn"),
        ("owner", "Eigenaar"),
        ("automatic", "Automatisch"),
        ("language", "Taal"),
        ("ibans", "IBAN", "t"),
        ("segment", "Segment"),
        ("special", "Bijzonderheid"),
        ("notes", "Notities"),
    ),
)

CONTACTPERSONEN = TableSpec(
    "Contactpersonen",
    "tblContactpersonen",
    _cols(
        ("customer", "Klantnummer", "rt"),
        ("name", "Naam", "r"),
        ("role", "Functie"),
        ("phone", "Telefoon", "t"),
        ("email", "E-mail"),
    ),
)

AFSPRAKEN = TableSpec(
    "Afspraken",
    "tblAfspraken",
    _cols(
        ("id", "Afspraak", "t"),
        ("customer", "Klantnummer", "rt"),
        ("invoices", "Facturen", "t"),
        ("kind", "Soort", "r"),
        ("agreed_on", "Datum afspraak"),
        ("amount", "Bedrag"),
        ("first_date", "Betaaldatum", "r"),
        ("instalments", "Aantal termijnen"),
        ("instalment_amount", "Termijnbedrag"),
        ("interval", "Interval"),
        ("confirmation_sent", "Bevestiging verstuurd"),
        ("signed_returned", "Getekend retour"),
        ("status", "Status", "f"),
        ("notes", "Notities"),
    ),
)

CONTACTEN = TableSpec(
    "Contacten",
    "tblContacten",
    _cols(
        ("date", "Datum", "r"),
        ("customer", "Klantnummer", "rt"),
        ("invoices", "Facturen", "t"),
        ("channel", "Kanaal", "r"),
        ("person", "Met"),
        ("goal", "Doel"),
        ("outcome", "Uitkomst"),
        ("follow_up", "Vervolgdatum"),
        ("by", "Door"),
        ("step", "Stap"),
        ("document", "Document"),
        # When a letter's e-mail left and how ("05-12-2026 11:02 SMTP"); written by
        # `verstuur` (issue 16), added to older workbooks' tblContacten on the first send.
        ("sent", "Verzonden"),
    ),
)

BETALINGEN = TableSpec(
    "Betalingen",
    "tblBetalingen",
    _cols(
        ("date", "Datum", "r"),
        ("amount", "Bedrag", "r"),
        ("invoice", "Factuur", "t"),
        ("customer", "Klantnummer", "t"),
        ("counter_account", "Tegenrekening", "t"),
        ("name", "Naam"),
        ("description", "Omschrijving"),
        ("reference", "Kenmerk", "t"),
        ("rule", "Regel"),
        ("status", "Status", "r"),
        ("source", "Bron"),
        ("key", "Sleutel"),
    ),
)

STAPPEN = TableSpec(
    "Stappen",
    "tblStappen",
    _cols(
        ("name", "Stap", "r"),
        ("days", "Na dagen", "r"),
        ("basis", "Vanaf", "r"),
        ("action", "Actie", "r"),
        ("channel", "Kanaal", "r"),
        ("template", "Sjabloon"),
        ("audience", "Voor"),
        ("segment", "Segment"),
    ),
)

INSTELLINGEN = TableSpec(
    "Instellingen",
    "tblInstellingen",
    _cols(("name", "Instelling", "r"), ("value", "Waarde", "r")),
)

WERKLIJST_SHEET = "Werklijst"
OVERZICHT_SHEET = "Overzicht"
# The Werklijst's header row (the tool writes the sheet; users filter and sort on it).
WERKLIJST_HEADER: tuple[str, ...] = (
    "Groep", "Datum", "Actie", "Factuur", "Klantnummer", "Naam", "Status", "Open", "Kanaal",
    "Contact", "Telefoon", "Eigenaar", "Doel", "Reden",
)  # fmt: skip

TABLES: tuple[TableSpec, ...] = (
    FACTUREN,
    KLANTEN,
    CONTACTPERSONEN,
    AFSPRAKEN,
    CONTACTEN,
    BETALINGEN,
    STAPPEN,
    INSTELLINGEN,
)

# The tables each command writes rows or cells into (from the patches they build:
# adapters/documents/letter_job.py, adapters/bank/job.py, cli/handover.py,
# adapters/invoices/job.py, adapters/mail/job.py), the first of each the one it always writes.
# A command refuses before it makes anything when one of them is no Excel table in the file
# (cli/common.tables_refusal): the write-back can only extend a table (ListObject). The
# Werklijst, Overzicht and Plan sheets are no such tables: they are replaced whole (or
# grown) by sheet name, so a user's workbook without them gets them.
WRITTEN_BY: tuple[tuple[str, tuple[TableSpec, ...]], ...] = (
    ("herinneringen", (CONTACTEN, AFSPRAKEN)),
    ("overdracht", (CONTACTEN,)),
    ("verstuur", (CONTACTEN,)),
    ("bank", (BETALINGEN, KLANTEN)),
    ("importeer", (FACTUREN, KLANTEN, CONTACTPERSONEN)),
)

# The tables some command writes into, in contract order: a plain range there is a problem
# `controleer` reports (with `bijwerken` as the fix). Instellingen is one: `bijwerken`
# adds the settings a workbook lacks as rows of tblInstellingen. Stappen is only read.
WRITTEN_TABLES: tuple[TableSpec, ...] = tuple(
    spec
    for spec in TABLES
    if spec is INSTELLINGEN or any(spec in written for _, written in WRITTEN_BY)
)


# The calculated columns of the shipped tables (a formula in the tableColumn, which Excel and
# the write-back give every new row), as fields by table. `bijwerken` makes the user's own
# column of that header one when it holds one formula filled down, or nothing.
CALCULATED_COLUMNS: dict[str, tuple[str, ...]] = {FACTUREN.name: ("open",)}


def table_spec(name: str) -> TableSpec | None:
    """The table of the contract named `name` (compared as Excel compares table names,
    case ignored), or None for a table of the user's own."""
    folded = name.casefold()
    return next((spec for spec in TABLES if spec.name.casefold() == folded), None)


def written_by(command: str) -> tuple[TableSpec, ...]:
    """The tables `command` writes into (WRITTEN_BY); () for a command that writes none."""
    return next((written for name, written in WRITTEN_BY if name == command), ())


def tables_to_check(command: str, sheets: Iterable[str]) -> tuple[TableSpec, ...]:
    """The tables `command` needs as Excel tables before it starts, for a workbook with
    these `sheets`: the first it writes into always, the others when the workbook has their
    sheet (a table the workbook lacks altogether is one it has nothing to write into). The
    command line (xlsx_patch.check_tables) and the ribbon ask this one rule."""
    have = {name.casefold() for name in sheets}
    written = written_by(command)
    return written[:1] + tuple(spec for spec in written[1:] if spec.sheet.casefold() in have)


# (table name, headers) of the Text columns (Column.text) of each table that has them: the
# columns a workbook formats as Text and where Excel's "number stored as text" is ignored.
TEXT_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (spec.name, tuple(c.header for c in spec.columns if c.text))
    for spec in TABLES
    if any(c.text for c in spec.columns)
)

# The rows of Instellingen: (field, Dutch name as shown in the Instelling column).
SETTINGS: tuple[tuple[str, str], ...] = (
    ("company_name", "Bedrijfsnaam"),
    ("address", "Adres"),
    ("postcode", "Postcode"),
    ("city", "Plaats"),
    ("kvk", "KvK"),
    ("vat_number", "BTW-nummer"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("phone", "Telefoon"),
    ("email", "E-mail"),
    ("default_term_days", "Standaard betaaltermijn"),
    ("call_days", "Beldagen"),
    ("crisis_mode", "Crisismodus"),
    ("max_call_attempts", "Max belpogingen"),
    ("max_instalments", "Max termijnen"),
    ("min_instalment", "Min termijnbedrag"),
    ("min_reminder_amount", "Minimum bedrag herinnering"),
    ("vat_on_collection_costs", "BTW op incassokosten"),
    ("collection_agency", "Incassobureau"),
    ("bank_max_age_days", "Bank maximaal dagen oud"),
    ("output_dir", "Uitvoermap"),
    ("invoice_dir", "Factuurmap"),
    ("invoice_sentence", "Zin op factuur"),
    ("invoice_sentence_en", "Zin op factuur EN"),
    ("thank_good_payers", "Bedankje goede betalers"),
    ("bundle_days", "Brieven bundelen dagen"),
    # The Werklijst shows actions up to this many days ahead under "Komende dagen".
    ("worklist_days_ahead", "Werklijst dagen vooruit"),
    # Sending the letters' e-mails (`verstuur`, issue 16); defaults in core.model.Settings.
    ("send_via", "Verzenden via"),
    ("smtp_server", "SMTP-server"),
    ("smtp_port", "SMTP-poort"),
    ("smtp_security", "SMTP-beveiliging"),
    ("smtp_user", "SMTP-gebruiker"),
    ("smtp_sender", "SMTP-afzender"),
    ("max_mails_per_minute", "Max e-mails per minuut"),
    ("bcc_self", "BCC aan mijzelf"),
    # The company's other business accounts (a second bank, a savings account): one or more
    # IBANs, comma separated as Klanten.IBAN; their statements are the company's own too, and
    # a transfer between two own accounts is no customer's payment. Empty by default. Last,
    # as every setting added later: `bijwerken` appends it to an older workbook's rows.
    ("own_accounts", "Eigen rekeningen"),
)

# Instellingen "Verzenden via": how `verstuur` sends (the first is the default).
SEND_VIA: tuple[str, ...] = ("Concept-map", "SMTP", "Outlook concepten", "Outlook versturen")
# Instellingen "SMTP-beveiliging"; Geen only to a server on this computer.
SMTP_SECURITY: tuple[str, ...] = ("STARTTLS", "SSL", "Geen")

# --- Excel binding (issue 6) ---------------------------------------------------------------

# The sheet whose A1 holds the one array formula =DEBITEUREN_PLAN(...) over every table: one
# row per invoice, these headers first. The Facturen columns Status and Volgende actie look
# their invoice up here (=DUESTATUS / =NEXTACTION); on the Mac, "Vernieuw werklijst" writes
# the same rows as values.
PLAN_SHEET = "Plan"
PLAN_HEADER: tuple[str, ...] = (
    "Factuurnummer",
    "Status",
    "Volgende actie",
    "Actie",
    "Datum",
    "Kanaal",
    "Contact",
    "Telefoon",
    "Reden",
)
PLAN_FUNCTION = "DEBITEUREN_PLAN"
# A defined name for the cell that holds the reference date of the plan (a plain value that
# the workbook's open macro sets to today once a day, so the plan never goes stale by date).
PEILDATUM_NAME = "Peildatum"
# xlwings reads its settings from this (hidden) sheet: two columns from A1.
XLWINGS_CONF_SHEET = "xlwings.conf"
