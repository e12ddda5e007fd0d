"""The shipped example: a fictitious installation business and its customers on 24-11-2026.

`example_book()` builds, without any clock or randomness from outside, the Book behind
``workbook/Voorbeeld.xlsx``: 40 customers, their contact persons, about 300 invoices over the
14 months before EXAMPLE_DATE, the bank lines, calls, letters, promises and arrangements.
On EXAMPLE_DATE (a Tuesday, a call day) every situation of DESIGN.md is on screen, and every
action code is the next action of at least one invoice that is work for that day:

    customer                          situation on 24-11-2026               next action
    Bouwbedrijf Van der Meer (A)      due 19-11, top customer               bellen (call first)
    Bakkerij Verhoef                  due 19-11, nothing sent yet           herinnering
    Dakdekkersbedrijf Smit            reminder sent 4-11                    bellen (Nabellen)
    Hotel De Gouden Leeuw             3 calls without answer                regeling-aanbieden
    Restaurant 't Veerhuis            arrangement offered 5-11              laatste-herinnering
    Sanne Willems (consumer)          last reminder 29-10                   veertiendagenbrief
    Schildersbedrijf De Kwast         last reminder 24-9                    incasso
    Fitnesscentrum Vitaal             handed over 12-8                      geen
    Kinderdagverblijf De Boomhut      Geschil filled in                     intern-oplossen
    Garage Pietersen                  "zegt betaald" on 19-11               betaalbewijs-vragen
    Veehouderij Van Ee                bank line to review from its IBAN     bank-controleren
    Kapsalon Knip & Zo                promise for 13-11 not kept            bellen
    Architectenbureau Bos & Partners  promise for today, confirmed          wachten
    Boekhandel De Vries               promise of 23-11 not confirmed        bevestigen
    Bouwcombinatie Oostveen           Eigen actie until today               eigen-actie

Regenerate the shipped file with ``python -m addin.example workbook/Voorbeeld.xlsx``; the
package is written with fixed timestamps, so two builds are byte-identical.
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from addin.adapters.workbook.book_writer import write_book
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.model import (
    Agreement,
    AgreementKind,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Interval,
    Invoice,
    Outcome,
    Payment,
    PaymentStatus,
    Role,
    Settings,
    Special,
)
from addin.core.sending import EMAIL_CHANNELS
from addin.core.texts import nl_date, with_suggestions
from addin.core.workdays import WorkCalendar

EXAMPLE_DATE = date(2026, 11, 24)  # a Tuesday: a call day with the default Beldagen
EXAMPLE_TIMESTAMP = datetime(2026, 11, 24, 7, 0, 0)  # stamped in the file instead of the clock
EXAMPLE_SEED = 2026
BANK_DATE = date(2026, 11, 23)  # the newest bank line: one working day before EXAMPLE_DATE
HISTORY_START = date(2025, 9, 24)  # 14 months before EXAMPLE_DATE

_CAL = WorkCalendar()
_R = TypeVar("_R", bound=Any)
_BUSINESS, _CONSUMER = CustomerKind.BUSINESS, CustomerKind.CONSUMER
_LETTER = Channel.LETTER_AND_EMAIL
_PHONE = Channel.PHONE
_NO_ANSWER, _VOICEMAIL, _OTHER = Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.OTHER

# with_suggestions: the invoice sentences of PLAYBOOK R4, as `nieuw` writes them.
SETTINGS = with_suggestions(
    Settings(
        company_name="Klimaattechniek Van Houten B.V.",
        address="Nijverheidsweg 18",
        postcode="3771 ME",
        city="Barneveld",
        kvk="71234560",
        vat_number="NL858123459B01",
        iban="NL81RABO0312345678",
        bic="RABONL2U",
        phone="0342-412345",
        email="debiteuren@vanhouten-klimaat.nl",
        default_term_days=30,
        call_days=frozenset({1, 2, 3}),
        crisis_mode=False,
        max_call_attempts=3,
        max_instalments=6,
        min_instalment=Decimal("50.00"),
        min_reminder_amount=Decimal("10.00"),
        vat_on_collection_costs=False,
        collection_agency="Incassobureau Veluwe B.V., Postbus 210, 7300 AE Apeldoorn",
        bank_max_age_days=7,
        output_dir="uitvoer",
        invoice_dir="facturen",
    )
)


# --- customers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Profile:
    """How a customer's history is generated.

    Attributes:
      invoices: background invoices over the 14 months (the scenario adds its own).
      low, high: invoice amount range in euro.
      late_every: every n-th paid invoice is paid late (0: always on time, a good payer).
      late_days: how late those are.
    """

    invoices: int
    low: int
    high: int
    late_every: int
    late_days: tuple[int, int] = (4, 25)


# The five TOP customers make about 83% of the 12 months' revenue: Pareto segment A.
TOP = _Profile(22, 5_000, 20_000, 0)  # big and punctual
GOOD = _Profile(6, 250, 2_200, 0)
MIXED = _Profile(6, 250, 2_200, 3)
LATE = _Profile(6, 250, 2_200, 2, (8, 40))
HOME = _Profile(2, 95, 2_400, 0)  # consumers
HOME_LATE = _Profile(2, 95, 2_400, 2, (5, 30))

# number, name, kind, street, postcode, city, phone, owner, profile, and the exceptions
# (a few business customers have their KvK-nummer and BTW-nummer: fictitious, but of the
# right form and with a right check digit, so `controleer` finds nothing).
_C = tuple[str, str, CustomerKind, str, str, str, str, str, _Profile, dict[str, object]]
# fmt: off
_CUSTOMERS: tuple[_C, ...] = (
    ("K001", "Bouwbedrijf Van der Meer B.V.", _BUSINESS, "Vliegbasis 4", "3515 AL", "Utrecht",
     "030-2714400", "Marieke", TOP, {"kvk": "30147852", "vat": "NL815234673B01"}),
    ("K002", "Hoekstra Vastgoedbeheer B.V.", _BUSINESS, "Stadsring 112", "3811 HR", "Amersfoort",
     "033-4613020", "Marieke", TOP, {"kvk": "32098741", "vat": "NL820197348B01"}),
    ("K003", "Zorggroep De Linde", _BUSINESS, "Lindelaan 2", "6711 KD", "Ede", "0318-625500",
     "Joost", TOP, {"term_days": 45, "kvk": "09176543", "vat": "NL805123982B01"}),
    ("K004", "Kuipers Transport B.V.", _BUSINESS, "Havenweg 31", "3861 MT", "Nijkerk",
     "033-2451870", "Joost", TOP, {"kvk": "08112233", "vat": "NL853102764B01"}),
    ("K005", "Woonstichting Het Eemhuis", _BUSINESS, "Eemplein 9", "3812 EA", "Amersfoort",
     "033-4227700", "Marieke", TOP, {"kvk": "32041567", "vat": "NL818774125B01"}),
    ("K006", "Bakkerij Verhoef", _BUSINESS, "Langstraat 47", "3771 BC", "Barneveld",
     "0342-413382", "Ingrid", MIXED, {}),
    ("K007", "Autobedrijf Mulder & Zn.", _BUSINESS, "Industrieweg 8", "3781 NC", "Voorthuizen",
     "0342-471910", "Ingrid", MIXED,
     {"term_days": 45, "notes": "Betaaltermijn 45 dagen afgesproken bij contract 2024."}),
    ("K008", "Dakdekkersbedrijf Smit", _BUSINESS, "Nijverheidsweg 5", "3881 LA", "Putten",
     "0341-353120", "Joost", MIXED, {}),
    ("K009", "Tandartspraktijk Brouwer", _BUSINESS, "Stationsplein 3", "3841 CA", "Harderwijk",
     "0341-412877", "Ingrid", MIXED, {}),
    ("K010", "Hotel De Gouden Leeuw", _BUSINESS, "Loolaan 140", "7315 AJ", "Apeldoorn",
     "055-5213344", "Joost", LATE, {"term_days": 60}),
    ("K011", "Drukkerij Van Leeuwen B.V.", _BUSINESS, "Galvanistraat 22", "6716 AE", "Ede",
     "0318-614090", "Ingrid", MIXED, {"kvk": "09087654", "vat": "NL862541906B01"}),
    ("K012", "Restaurant 't Veerhuis", _BUSINESS, "Lawickse Allee 1", "6707 AG", "Wageningen",
     "0317-413555", "Marieke", LATE, {}),
    ("K013", "Schildersbedrijf De Kwast V.O.F.", _BUSINESS, "Dorpsstraat 61", "3925 JB",
     "Scherpenzeel", "033-2772045", "Joost", LATE, {}),
    ("K014", "Fitnesscentrum Vitaal B.V.", _BUSINESS, "Kerkewijk 80", "3901 EG", "Veenendaal",
     "0318-520611", "Ingrid", LATE, {}),
    ("K015", "Kinderdagverblijf De Boomhut", _BUSINESS, "Hamersveldseweg 19", "3833 GL",
     "Leusden", "033-4943210", "Marieke", MIXED, {}),
    ("K016", "Garage Pietersen", _BUSINESS, "Dorpsstraat 120", "6741 AM", "Lunteren",
     "0318-482030", "Joost", MIXED, {}),
    ("K017", "Veehouderij Van Ee", _BUSINESS, "Kootwijkerdijk 12", "3774 KG",
     "Kootwijkerbroek", "0342-441276", "Ingrid", MIXED, {"extra_iban": True}),
    ("K018", "Kapsalon Knip & Zo", _BUSINESS, "Oosteinde 4", "3861 BN", "Nijkerk",
     "033-2454411", "Marieke", LATE, {}),
    ("K019", "Architectenbureau Bos & Partners", _BUSINESS, "Utrechtseweg 77", "3818 EB",
     "Amersfoort", "033-4651290", "Marieke", MIXED, {}),
    ("K020", "Boekhandel De Vries", _BUSINESS, "Donkerstraat 14", "3841 CD", "Harderwijk",
     "0341-413050", "Ingrid", MIXED, {}),
    ("K021", "Camping De Zandberg", _BUSINESS, "Zandbergweg 3", "3886 PG", "Garderen",
     "0577-461244", "Joost", LATE, {}),
    ("K022", "Bloemenhuis Jansen", _BUSINESS, "Jan van Schaffelaarstraat 6", "3771 BT",
     "Barneveld", "0342-414819", "Ingrid", MIXED, {}),
    ("K023", "Loonbedrijf Hendriks B.V.", _BUSINESS, "Stroeërweg 40", "3776 MG", "Stroe",
     "0342-432011", "Joost", LATE, {}),
    ("K024", "Meubelmakerij Dekker B.V.", _BUSINESS, "Elspeterweg 25", "8075 PA", "Elspeet",
     "0577-492288", "Joost", LATE,
     {"special": Special.BANKRUPTCY,
      "notes": "Failliet verklaard 6-10-2026; curator mr. A. de Graaf, Postbus 95, 6710 BB Ede."}),
    ("K025", "Sportvereniging VV Achterveld", _BUSINESS, "Sportlaan 2", "3791 RA", "Achterveld",
     "0342-451190", "Marieke", MIXED,
     {"automatic": False, "notes": "Nieuwe penningmeester: altijd eerst zelf bellen."}),
    ("K026", "Bouwcombinatie Oostveen B.V.", _BUSINESS, "Ambachtsweg 15", "3861 RK", "Nijkerk",
     "033-2463355", "Marieke", MIXED, {"kvk": "08156720", "vat": "NL857403618B01"}),
    ("K027", "Northbridge Data Solutions B.V.", _BUSINESS, "Keizersgracht 321", "1016 EE",
     "Amsterdam", "020-5214788", "Joost", MIXED,
     {"language": "EN", "notes": "English-speaking finance team.", "kvk": "34187266",
      "vat": "NL809331251B01"}),
    ("K028", "Notariskantoor Visser", _BUSINESS, "Raadhuisplein 10", "3771 ER", "Barneveld",
     "0342-490600", "Ingrid", MIXED, {}),
    ("K029", "Fysiotherapie Meijer", _BUSINESS, "Wittenburgerweg 8", "3781 AK", "Voorthuizen",
     "0342-473120", "Ingrid", MIXED, {}),
    ("K030", "Supermarkt Van Dam", _BUSINESS, "Marktstraat 2", "3771 AZ", "Barneveld",
     "0342-412900", "Marieke", GOOD, {"term_days": 14}),
    ("K031", "Ruud de Boer", _CONSUMER, "Eikenlaan 14", "3772 KD", "Barneveld", "06-41239876",
     "Ingrid", HOME_LATE, {}),
    ("K032", "Sanne Willems", _CONSUMER, "Zonnebloemstraat 9", "3781 EL", "Voorthuizen",
     "06-28374619", "Ingrid", HOME_LATE, {}),
    ("K033", "Mehmet Yılmaz", _CONSUMER, "Vogelweide 33", "3863 TG", "Nijkerk", "06-19283746",
     "Joost", HOME_LATE, {}),
    ("K034", "Annemiek Bakker", _CONSUMER, "Beukenhof 6", "3882 BR", "Putten", "06-52341789",
     "Joost", HOME_LATE, {"special": Special.DEBT_RESTRUCTURING,
                          "notes": "Wsnp sinds 1-9-2026; bewindvoerder Budgetbeheer Gelderland."}),
    ("K035", "Familie Van Dijk", _CONSUMER, "Hessenweg 101", "3771 NB", "Barneveld",
     "06-30491827", "Ingrid", HOME, {}),
    ("K036", "Lisa Koster", _CONSUMER, "Brinklaan 22", "3781 GS", "Voorthuizen", "06-61829374",
     "Ingrid", HOME, {}),
    ("K037", "Jeroen Vos", _CONSUMER, "Kapelweg 5", "3776 LE", "Stroe", "06-47382910",
     "Joost", HOME, {"automatic": False}),
    ("K038", "Fatima el Amrani", _CONSUMER, "Lijsterlaan 17", "3862 BD", "Nijkerk",
     "06-29384756", "Marieke", HOME, {}),
    ("K039", "Thomas van Beek", _CONSUMER, "Bosweg 48", "3772 PB", "Barneveld", "06-58473920",
     "Ingrid", HOME, {}),
    ("K040", "Ingrid Postma", _CONSUMER, "Valkenhof 3", "3882 HK", "Putten", "06-38291047",
     "Marieke", HOME, {}),
)

_FIRST_NAMES = ("Jan", "Anouk", "Pieter", "Marloes", "Erik", "Femke", "Henk", "Linda", "Bas",
                "Ilse", "Gerrit", "Nicole", "Rob", "Esther", "Martijn", "Wendy", "Dirk", "Karin")
_LAST_NAMES = ("van den Berg", "Kok", "Dijkstra", "Hermans", "Peters", "de Graaf", "Prins",
               "Kramer", "van Wijk", "Verbeek", "Schouten", "Veenstra", "Post", "Blom")
_BANKS = ("RABO", "INGB", "ABNA", "SNSB", "TRIO", "KNAB", "ASNB", "BUNQ")
_BUSINESS_WORK = ("Onderhoud klimaatinstallatie", "Service en storingen", "Levering en montage "
                  "airco-units", "Onderhoudscontract kwartaal", "Meerwerk luchtbehandeling",
                  "Vervanging cv-installatie", "Inspectie koelinstallatie (F-gassen)")
_HOME_WORK = ("Onderhoud cv-ketel", "Storing cv-ketel verholpen", "Installatie airco",
              "Vervanging thermostaat", "Installatie warmtepomp")
# fmt: on


def nl_iban(bank: str, account: int) -> str:
    """A Dutch IBAN with valid check digits (ISO 13616 mod 97)."""
    bban = f"{bank}{account:010d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def _slug(name: str) -> str:
    keep = "".join(ch for ch in name.lower() if ch.isalnum() or ch == " ")
    words = [w for w in keep.split() if w not in ("bv", "b", "v", "vof", "zn", "de", "het", "t")]
    return "".join(words[:3]) or "klant"


# --- the builder -------------------------------------------------------------------------


@dataclass
class _Builder:
    """Collects records with invoice keys; `book()` numbers the invoices by date and resolves
    the keys, so scenarios can refer to invoices before they have their number."""

    rng: random.Random
    customers: dict[str, Customer] = field(default_factory=dict)
    persons: list[ContactPerson] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)

    def invoice(
        self,
        customer: str,
        invoice_date: date,
        amount: str | Decimal,
        description: str = "",
        *,
        due: date | None = None,
        **extra: object,
    ) -> str:
        cust = self.customers[customer]
        key = f"#{len(self.invoices):04d}"
        term = cust.term_days or SETTINGS.default_term_days
        work = _HOME_WORK if cust.kind is _CONSUMER else _BUSINESS_WORK
        self.invoices.append(
            Invoice(
                number=key,
                customer=customer,
                invoice_date=invoice_date,
                due_date=due or invoice_date + timedelta(days=term),
                amount=Decimal(amount),
                description=description or self.rng.choice(work),
                **extra,  # type: ignore[arg-type]
            )
        )
        return key

    def pay(
        self,
        key: str,
        day: date,
        amount: Decimal | None = None,
        *,
        status: PaymentStatus = PaymentStatus.LINKED,
    ) -> None:
        inv = self._by_key(key)
        cust = self.customers[inv.customer]
        self.payments.append(
            Payment(
                date=day,
                amount=inv.amount if amount is None else Decimal(amount),
                status=status,
                invoice=key,
                customer=inv.customer,
                counter_account=cust.ibans[0],
                name=cust.name.upper(),
                description=f"Factuur {key}",
                reference=key,
                rule="R3" if self.rng.random() < 0.7 else "R1",
            )
        )

    def contact(
        self,
        day: date,
        customer: str,
        keys: Sequence[str],
        channel: Channel,
        *,
        outcome: Outcome | None = None,
        step: str = "",
        goal: str = "",
        follow_up: date | None = None,
        person: str = "",
    ) -> None:
        cust = self.customers[customer]
        written = channel.is_written or channel is Channel.LETTER
        if not person:
            person = self._person(customer, written)
        document = ""
        sent = None
        if written:
            document = f"uitvoer/{day.isoformat()} {step or 'Brief'} {customer}.pdf"
        if channel in EMAIL_CHANNELS:
            # The history's e-mails left on the day they were made, as in a workbook that has
            # been in use (Verzonden filled): else `verstuur` after the quick start offers
            # every old letter again, whose files the example does not ship. The same day
            # keeps the 14-day letter's clock (fourteen_days.letter_day) where it was.
            sent = day
        self.contacts.append(
            Contact(
                date=day,
                customer=customer,
                channel=channel,
                invoices=tuple(keys),
                person=person,
                goal=goal or ("betaling" if written else "betaaldatum afspreken"),
                outcome=outcome,
                follow_up=follow_up,
                by=cust.owner,
                step=step,
                document=document,
                sent=sent,
            )
        )

    def letter(self, day: date, customer: str, keys: Sequence[str], step: str) -> None:
        channel = Channel.LETTER if step == "Veertiendagenbrief" else _LETTER
        goal = {
            "Herinnering": "betaling binnen 7 dagen",
            "Regeling aanbieden": "betaling of een regeling",
            "Laatste herinnering": "betaling of een regeling",
            "Veertiendagenbrief": "betaling binnen 14 dagen zonder incassokosten",
        }[step]
        self.contact(day, customer, keys, channel, step=step, goal=goal)

    def call(
        self,
        day: date,
        customer: str,
        keys: Sequence[str],
        outcome: Outcome,
        goal: str = "betaaldatum afspreken",
        *,
        step: str = "",
        follow_up: date | None = None,
    ) -> None:
        # A call that reached the customer fulfils its ladder row; a failed attempt does not.
        self.contact(
            day,
            customer,
            keys,
            _PHONE,
            outcome=outcome,
            goal=goal,
            step=step if outcome.reached else "",
            follow_up=follow_up,
        )

    def _person(self, customer: str, written: bool) -> str:
        cust = self.customers[customer]
        if cust.kind is _CONSUMER:
            return cust.name
        persons = [p for p in self.persons if p.customer == customer]
        wanted = (Role.ACCOUNTS,) if written else (Role.PURCHASING, Role.MANAGEMENT)
        for p in persons:
            if p.role in wanted:
                return p.name
        return persons[0].name if persons else ""

    def _by_key(self, key: str) -> Invoice:
        return self.invoices[int(key[1:])]

    def book(self) -> Book:
        """Number the invoices per year in date order (2025-0301, ...), resolve the keys."""
        order = sorted(self.invoices, key=lambda i: (i.invoice_date, i.number))
        numbers: dict[str, str] = {}
        next_in_year = {2025: 301, 2026: 1}  # 2025 starts in September: earlier ones exist
        for inv in order:
            year = inv.invoice_date.year
            numbers[inv.number] = f"{year}-{next_in_year[year]:04d}"
            next_in_year[year] += 1
        invoices = tuple(
            replace(
                i,
                number=numbers[i.number],
                payment_reference=numbers[i.number],
                pdf=f"facturen/{numbers[i.number]}.pdf",
            )
            for i in order
        )

        def resolve(keys: Sequence[str]) -> tuple[str, ...]:
            return tuple(numbers[k] for k in keys)

        payments = []
        for index, p in enumerate(sorted(self.payments, key=lambda p: p.date), start=1):
            number = numbers.get(p.invoice, "")
            linked = p.status is PaymentStatus.LINKED
            payments.append(
                replace(
                    p,
                    invoice=number if linked else "",
                    description=p.description.replace(p.invoice, number or p.invoice),
                    reference=number if p.invoice else p.reference,
                    source=f"rabobank-{p.date:%Y-%m}.xml",
                    key=hashlib.sha1(f"{p.date}{p.amount}{index}".encode()).hexdigest()[:12],
                )
            )
        contacts = tuple(
            replace(c, invoices=resolve(c.invoices))
            for c in sorted(self.contacts, key=lambda c: c.date)
        )
        agreements = tuple(replace(a, invoices=resolve(a.invoices)) for a in self.agreements)
        # Rows as the workbook will have them (header on row 1), so the Book equals what the
        # reader makes of Voorbeeld.xlsx and the engine's reasons can point at rows.
        return Book(
            settings=SETTINGS,
            customers=_numbered(tuple(self.customers.values())),
            contact_persons=_numbered(tuple(self.persons)),
            invoices=_numbered(invoices),
            agreements=_numbered(agreements),
            contacts=_numbered(contacts),
            payments=_numbered(tuple(payments)),
            steps=_numbered(DEFAULT_STEPS),
        )


def _numbered(records: tuple[_R, ...]) -> tuple[_R, ...]:
    return tuple(replace(r, row=i) for i, r in enumerate(records, start=2))


# --- background: a year of ordinary invoicing -------------------------------------------


def _working_day_on_or_before(day: date) -> date:
    while not _CAL.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _add_customers(b: _Builder) -> dict[str, _Profile]:
    rng = b.rng
    profiles = {}
    for number, name, kind, street, postcode, city, phone, owner, profile, extra in _CUSTOMERS:
        slug = _slug(name)
        ibans = [nl_iban(rng.choice(_BANKS), rng.randint(10**8, 10**10 - 1))]
        if extra.get("extra_iban"):
            ibans.append(nl_iban("INGB", rng.randint(10**8, 10**10 - 1)))
        if kind is _CONSUMER:
            first = name.split()[0].lower()
            email = f"{first}.{slug[len(first) :] or 'thuis'}@kpnmail.nl"
        else:
            email = f"administratie@{slug}.nl"
        b.customers[number] = Customer(
            number=number,
            name=name,
            kind=kind,
            address=street,
            postcode=postcode,
            city=city,
            country="Nederland",
            kvk=str(extra.get("kvk", "")),
            vat_number=str(extra.get("vat", "")),
            email=email,
            phone=phone,
            term_days=extra.get("term_days"),  # type: ignore[arg-type]
            owner=owner,
            automatic=bool(extra.get("automatic", True)),
            language=str(extra.get("language", "NL")),
            ibans=tuple(ibans),
            special=extra.get("special"),  # type: ignore[arg-type]
            notes=str(extra.get("notes", "")),
        )
        profiles[number] = profile
        if kind is _BUSINESS:
            _add_persons(b, number, slug, phone)
    return profiles


def _add_persons(b: _Builder, customer: str, slug: str, phone: str) -> None:
    rng = b.rng
    roles = [Role.ACCOUNTS]
    if rng.random() < 0.8:
        roles.insert(0, rng.choice((Role.PURCHASING, Role.MANAGEMENT)))
    if rng.random() < 0.3:
        roles.append(Role.MANAGEMENT if Role.PURCHASING in roles else Role.PURCHASING)
    for role in roles:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        local = f"{first[0]}.{last.split()[-1]}".lower()
        direct = phone if role is Role.ACCOUNTS else f"06-{rng.randint(10_000_000, 99_999_999)}"
        b.persons.append(
            ContactPerson(customer, f"{first} {last}", role, direct, f"{local}@{slug}.nl")
        )


def _add_history(b: _Builder, profiles: dict[str, _Profile]) -> None:
    """Background invoices: everything due before EXAMPLE_DATE is paid (by bank, some in
    cash); what is not yet due stays open, some of it paid early. The scenarios add the rest."""
    rng = b.rng
    span = (BANK_DATE - HISTORY_START).days
    for number, profile in profiles.items():
        cust = b.customers[number]
        days = sorted(rng.randrange(span) for _ in range(profile.invoices))
        paid_count = 0
        for offset in days:
            inv_date = _CAL.working_day_on_or_after(HISTORY_START + timedelta(days=offset))
            if inv_date > BANK_DATE:
                inv_date = BANK_DATE
            cents = rng.randint(profile.low * 100, profile.high * 100)
            key = b.invoice(number, inv_date, Decimal(cents) / 100)
            due = b._by_key(key).due_date
            assert due is not None
            if due >= EXAMPLE_DATE and rng.random() < (0.75 if profile is not TOP else 0.8):
                continue  # not yet due, open
            paid_count += 1
            late = profile.late_every and paid_count % profile.late_every == 1 % profile.late_every
            shift = rng.randint(*profile.late_days) if late else -rng.randint(0, 6)
            paid_on = min(due + timedelta(days=shift), BANK_DATE)
            paid_on = _working_day_on_or_before(max(paid_on, inv_date + timedelta(days=1)))
            if cust.kind is _CONSUMER and rng.random() < 0.15:
                b.invoices[-1] = replace(b.invoices[-1], paid=b.invoices[-1].amount)  # cash
            else:
                b.pay(key, paid_on)


# --- the scenarios: one per situation of DESIGN.md ---------------------------------------


def _d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def _add_scenarios(b: _Builder) -> None:
    inv, letter, call, pay = b.invoice, b.letter, b.call, b.pay
    ok = Outcome.OTHER

    # Segment A, call first (Stappen row "Bellen" is for Zakelijk, segment A).
    inv("K001", _d(10, 20), "14874.30", "Installatie luchtbehandeling project Vliegbasis")
    inv("K002", _d(10, 14), "8712.00", "Onderhoudscontract kwartaal 4")
    inv("K004", _d(10, 16), "6231.45", "Koelinstallatie distributiecentrum", due=_d(11, 16))
    # Top customers hear from us between invoices too (PLAYBOOK R3); K005 not: a warning.
    for customer, day in (
        ("K001", _d(6, 9)),
        ("K002", _d(7, 14)),
        ("K003", _d(6, 23)),
        ("K004", _d(8, 25)),
    ):
        b.contact(day, customer, (), Channel.VISIT, outcome=ok, goal="relatiegesprek")
    # A dispute raised in the call-first call: intern-oplossen from the contact's outcome.
    k = inv("K003", _d(9, 22), "9982.50", "Meerwerk luchtbehandeling vleugel B", due=_d(11, 6))
    call(
        _d(11, 10),
        "K003",
        [k],
        Outcome.DISPUTE,
        "meerwerk niet besteld volgens klant",
        step="Bellen",
    )
    # An open credit note with nothing to set it against yet.
    inv("K005", _d(10, 27), "-450.00", "Creditnota: dubbel gefactureerde inspectie")

    # Herinnering: nothing sent yet.
    inv("K006", _d(10, 20), "684.20", "Onderhoud koelcel", due=_d(11, 19))
    inv("K006", _d(10, 23), "212.96", "Storing koelcel", due=_d(11, 23))  # 1 day over due
    inv("K007", _d(9, 25), "3145.00", "Airco showroom", due=_d(11, 9))  # own term 45 days
    inv("K027", _d(10, 16), "4235.00", "Cooling server room, October", due=_d(11, 16))
    inv("K031", _d(10, 19), "389.00", "Onderhoud cv-ketel", due=_d(11, 18))

    # Nabellen: a week after the reminder (two invoices, one letter).
    k1 = inv("K008", _d(9, 30), "1512.50", due=_d(10, 30))
    k2 = inv("K008", _d(10, 2), "846.70", due=_d(11, 2))
    letter(_d(11, 4), "K008", [k1, k2], "Herinnering")
    # Nabellen with one unanswered attempt: try again.
    k = inv("K009", _d(10, 2), "1199.00", due=_d(11, 2))
    letter(_d(11, 4), "K009", [k], "Herinnering")
    call(_d(11, 12), "K009", [k], _NO_ANSWER)

    # Max belpogingen unanswered: the arrangement offer follows in writing (PLAYBOOK L3).
    k = inv("K010", _d(8, 27), "2675.80", "Vervanging koelunit keuken")  # own term 60 days
    letter(_d(10, 28), "K010", [k], "Herinnering")
    call(_d(11, 4), "K010", [k], _NO_ANSWER)
    call(_d(11, 5), "K010", [k], _VOICEMAIL)
    call(_d(11, 10), "K010", [k], _NO_ANSWER)
    # Reached without a promise: the offer follows a week later.
    k = inv("K011", _d(9, 30), "1936.00", due=_d(10, 30))
    letter(_d(11, 3), "K011", [k], "Herinnering")
    call(
        _d(11, 11),
        "K011",
        [k],
        ok,
        "factuur ligt ter goedkeuring bij de directeur",
        step="Nabellen",
    )

    # Laatste herinnering: 14 days after the arrangement offer; an open credit note.
    k = inv("K012", _d(9, 16), "2318.75", "Afzuiging keuken", due=_d(10, 16))
    inv("K012", _d(10, 9), "-185.00", "Creditnota: voorrijkosten vervallen")
    letter(_d(10, 20), "K012", [k], "Herinnering")
    call(_d(10, 28), "K012", [k], _VOICEMAIL)
    call(_d(10, 29), "K012", [k], ok, "eigenaar op vakantie tot 2-11", step="Nabellen")
    letter(_d(11, 5), "K012", [k], "Regeling aanbieden")

    # Incasso (business): three weeks after the last reminder.
    k = inv("K013", _d(7, 21), "3388.00", "Verwarming bedrijfshal", due=_d(8, 20))
    letter(_d(8, 24), "K013", [k], "Herinnering")
    call(_d(9, 1), "K013", [k], _NO_ANSWER)
    call(_d(9, 2), "K013", [k], _VOICEMAIL)
    call(_d(9, 3), "K013", [k], _NO_ANSWER)
    letter(_d(9, 10), "K013", [k], "Regeling aanbieden")
    letter(_d(9, 24), "K013", [k], "Laatste herinnering")
    # Handed over: the ladder is done (geen, "overgedragen aan ...").
    k = inv("K014", _d(5, 15), "5742.40", "Klimaatbeheersing sportzaal", due=_d(6, 15))
    letter(_d(6, 17), "K014", [k], "Herinnering")
    call(_d(6, 24), "K014", [k], ok, "zegt toe te betalen, geen datum", step="Nabellen")
    letter(_d(7, 1), "K014", [k], "Regeling aanbieden")
    letter(_d(7, 15), "K014", [k], "Laatste herinnering")
    b.contact(
        _d(8, 12),
        "K014",
        [k],
        Channel.HANDOVER,
        step="Incasso",
        person="Incassobureau Veluwe B.V.",
        goal="volledig dossier overgedragen",
    )

    # Consumer at the 14-day letter, and one at incasso (after the 14 days have run).
    k = inv("K032", _d(8, 26), "1850.00", "Installatie warmtepomp (restant)", due=_d(9, 25))
    letter(_d(9, 29), "K032", [k], "Herinnering")
    call(_d(10, 6), "K032", [k], _NO_ANSWER)
    call(_d(10, 7), "K032", [k], _VOICEMAIL)
    call(_d(10, 8), "K032", [k], _NO_ANSWER)
    letter(_d(10, 15), "K032", [k], "Regeling aanbieden")
    letter(_d(10, 29), "K032", [k], "Laatste herinnering")
    k = inv("K033", _d(6, 3), "2450.00", "Installatie airco (3 units)", due=_d(7, 3))
    letter(_d(7, 7), "K033", [k], "Herinnering")
    call(_d(7, 14), "K033", [k], ok, "belooft te betalen, noemt geen datum", step="Nabellen")
    letter(_d(7, 21), "K033", [k], "Regeling aanbieden")
    letter(_d(8, 4), "K033", [k], "Laatste herinnering")
    letter(_d(8, 11), "K033", [k], "Veertiendagenbrief")

    # Disputes and insolvency: resolve internally, no reminders.
    k = inv(
        "K015",
        _d(9, 30),
        "4112.90",
        "Levering en montage radiatoren",
        due=_d(10, 30),
        dispute="levering onvolledig: 2 radiatoren ontbreken",
    )
    letter(_d(11, 3), "K015", [k], "Herinnering")
    call(_d(11, 5), "K015", [k], Outcome.DISPUTE, "2 radiatoren niet geleverd", step="Nabellen")
    for day, amount in ((_d(8, 4), "2964.50"), (_d(9, 1), "1180.00")):
        k = inv("K024", day, amount, "Afzuiginstallatie werkplaats")
        letter(_CAL.working_day_on_or_after(day + timedelta(days=32)), "K024", [k], "Herinnering")
    inv("K034", _d(7, 14), "1275.00", "Vervanging cv-ketel", due=_d(8, 13))

    # "Zegt betaald": ask for proof of the transfer.
    k = inv("K016", _d(10, 2), "762.30", due=_d(11, 2))
    letter(_d(11, 4), "K016", [k], "Herinnering")
    call(
        _d(11, 19),
        "K016",
        [k],
        Outcome.SAYS_PAID,
        "zegt vorige week betaald te hebben",
        step="Nabellen",
        follow_up=_d(11, 20),
    )

    # An incoming payment from the customer's second IBAN that nobody has reviewed yet.
    k1 = inv("K017", _d(10, 7), "1415.70", due=_d(11, 6))
    inv("K017", _d(10, 16), "942.70", due=_d(11, 16))
    letter(_d(11, 10), "K017", [k1], "Herinnering")
    cust = b.customers["K017"]
    b.payments.append(
        Payment(
            date=BANK_DATE,
            amount=Decimal("2000.00"),
            status=PaymentStatus.REVIEW,
            customer="K017",
            counter_account=cust.ibans[1],
            name="P.J. VAN EE",
            description="betaling facturen oktober",
            rule="R4",
        )
    )
    # A bank line that is not a customer payment, set aside by the user.
    b.payments.append(
        Payment(
            date=_d(11, 20),
            amount=Decimal("12.35"),
            status=PaymentStatus.IGNORED,
            counter_account=nl_iban("RABO", 3987654321),
            name="RABOBANK",
            description="rente 3e kwartaal",
            rule="",
        )
    )

    # Promises: missed, running and confirmed (due today), not yet confirmed.
    k = inv("K018", _d(9, 23), "598.95", due=_d(10, 23))
    letter(_d(10, 27), "K018", [k], "Herinnering")
    call(
        _d(11, 3),
        "K018",
        [k],
        Outcome.PROMISE,
        "betaalt vrijdag 13-11",
        step="Nabellen",
        follow_up=_d(11, 16),
    )
    b.agreements.append(
        Agreement(
            "A001",
            "K018",
            AgreementKind.PROMISE,
            _d(11, 13),
            (k,),
            agreed_on=_d(11, 3),
            amount=Decimal("598.95"),
            confirmation_sent=_d(11, 3),
            notes="telefonisch toegezegd",
        )
    )
    k = inv("K019", _d(9, 28), "3267.00", "Klimaatplafond kantoor", due=_d(10, 28))
    letter(_d(10, 30), "K019", [k], "Herinnering")
    call(
        _d(11, 10),
        "K019",
        [k],
        Outcome.PROMISE,
        "betaalt 24-11 na ontvangst subsidie",
        step="Nabellen",
        follow_up=_d(11, 25),
    )
    b.agreements.append(
        Agreement(
            "A002",
            "K019",
            AgreementKind.PROMISE,
            EXAMPLE_DATE,
            (k,),
            agreed_on=_d(11, 10),
            amount=Decimal("3267.00"),
            confirmation_sent=_d(11, 10),
        )
    )
    k = inv("K020", _d(10, 14), "455.40", due=_d(11, 13))
    letter(_d(11, 17), "K020", [k], "Herinnering")
    call(
        _d(11, 23),
        "K020",
        [k],
        Outcome.PROMISE,
        "belde zelf: betaalt vrijdag 27-11",
        step="Nabellen",
        follow_up=_d(11, 30),
    )
    b.agreements.append(
        Agreement(
            "A003",
            "K020",
            AgreementKind.PROMISE,
            _d(11, 27),
            (k,),
            agreed_on=_d(11, 23),
            amount=Decimal("455.40"),
        )
    )

    # Arrangements: running and signed, not yet confirmed, missed.
    k = inv("K021", _d(8, 31), "3600.00", "Vervanging cv-installatie kantine", due=_d(9, 30))
    letter(_d(10, 2), "K021", [k], "Herinnering")
    call(_d(10, 13), "K021", [k], Outcome.ARRANGEMENT, "3 termijnen van 1.200", step="Nabellen")
    b.agreements.append(
        Agreement(
            "A004",
            "K021",
            AgreementKind.ARRANGEMENT,
            _d(10, 30),
            (k,),
            agreed_on=_d(10, 13),
            amount=Decimal("3600.00"),
            instalments=3,
            interval=Interval.MONTH,
            confirmation_sent=_d(10, 14),
            signed_returned=True,
        )
    )
    pay(k, _d(10, 30), Decimal("1200.00"))
    k = inv("K022", _d(9, 21), "2880.00", "Koelcel winkel", due=_d(10, 21))
    letter(_d(10, 23), "K022", [k], "Herinnering")
    call(_d(11, 3), "K022", [k], _VOICEMAIL)
    call(
        _d(11, 19),
        "K022",
        [k],
        Outcome.ARRANGEMENT,
        "4 termijnen per maand vanaf 1-12",
        step="Nabellen",
    )
    b.agreements.append(
        Agreement(
            "A005",
            "K022",
            AgreementKind.ARRANGEMENT,
            _d(12, 1),
            (k,),
            agreed_on=_d(11, 19),
            amount=Decimal("2880.00"),
            instalments=4,
            interval=Interval.MONTH,
            signed_returned=False,
        )
    )
    k = inv("K023", _d(8, 19), "2400.00", "Verwarming werkplaats", due=_d(9, 18))
    letter(_d(9, 22), "K023", [k], "Herinnering")
    call(_d(9, 29), "K023", [k], Outcome.ARRANGEMENT, "3 termijnen van 800", step="Nabellen")
    b.agreements.append(
        Agreement(
            "A006",
            "K023",
            AgreementKind.ARRANGEMENT,
            _d(10, 16),
            (k,),
            agreed_on=_d(9, 29),
            amount=Decimal("2400.00"),
            instalments=3,
            interval=Interval.MONTH,
            confirmation_sent=_d(9, 30),
            signed_returned=True,
        )
    )
    pay(k, _d(10, 16), Decimal("800.00"))

    # Automatisch = Nee: the written reminder becomes a call (personal review).
    inv("K025", _d(10, 13), "1089.00", "Veldverlichting en kantine", due=_d(11, 12))
    # Manual overrides: until today (work for today) and until a later date.
    inv(
        "K026",
        _d(10, 6),
        "7623.00",
        "Meerwerk nieuwbouw Hoornbeek",
        due=_d(11, 5),
        own_action="factuur bespreken bij de oplevering",
        own_action_date=EXAMPLE_DATE,
    )
    inv(
        "K029",
        _d(10, 9),
        "968.00",
        due=_d(11, 9),
        own_action="wacht op akkoord van de verzekeraar",
        own_action_date=_d(12, 8),
    )

    # Under the minimum: the customer paid short by 6,05.
    k = inv("K028", _d(9, 15), "1245.00", "Onderhoud airco's kantoor", due=_d(10, 15))
    pay(k, _d(10, 14), Decimal("1238.95"))

    # Paid in cash (Betaald), and a not-yet-due invoice for a consumer.
    inv("K035", _d(11, 3), "249.00", "Storing cv-ketel verholpen", paid=Decimal("249.00"))
    inv("K036", _d(11, 18), "1468.00", "Installatie airco slaapkamer")


def example_book() -> Book:
    """The Book of ``workbook/Voorbeeld.xlsx``; the same on every call."""
    b = _Builder(random.Random(EXAMPLE_SEED))
    profiles = _add_customers(b)
    _add_history(b, profiles)
    _add_scenarios(b)
    return b.book()


def write_example(path: str) -> None:
    """Write the example workbook (fixed timestamps: two builds give the same bytes)."""
    write_book(example_book(), path, timestamp=EXAMPLE_TIMESTAMP)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("gebruik: python -m addin.example UIT.xlsx", file=sys.stderr)
        return 2
    write_example(args[0])
    print(f"Voorbeeld geschreven naar {args[0]} (peildatum {nl_date(EXAMPLE_DATE)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
