"""The send run (`verstuur`, the ribbon's "Verstuur e-mails"): logged letters to mail that
left, exactly once.

1. Decide per logged letter (core.sending): send, record from the journal, unsure, too old,
   print, no draft, held back.
2. Load each draft to send (message.load_draft: recipients only from its validated To).
3. Send them one by one at most "Max e-mails per minuut", through SMTP or Outlook; the
   journal gets a line before each message leaves and one when it was accepted.
4. One safe write into the workbook: Contacten.Verzonden for every accepted message (the
   column is added to older workbooks' tblContacten).

Example::

    job = run_send(book, Path("Debiteuren.xlsx"), date(2026, 12, 5))
    job.sent -> (Sent("K007", "uitvoer/2026-12-05/...pdf", ("jan@klant.nl",), "<...>", "SMTP"),)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from addin import schema
from addin.adapters.documents.paths import find_document, roots_for
from addin.adapters.mail.journal import Entry, Journal, JournalError
from addin.adapters.mail.message import (
    Draft,
    DraftError,
    Sender,
    draft_message_id,
    draft_names_recipient,
    load_draft,
)
from addin.adapters.mail.outlook import OutlookTransport
from addin.adapters.mail.password import smtp_password
from addin.adapters.mail.smtp import (
    LOOPBACK,
    Refused,
    SendError,
    SmtpConfig,
    SmtpTransport,
    resolve_port,
)
from addin.adapters.workbook.reader import setting_problem_cause
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch, check_not_open
from addin.core.model import Book, Channel, Contact, Problem
from addin.core.plan import plan_book
from addin.core.sending import (
    EMAIL_CHANNELS,
    POST_ROUTE,
    Decision,
    Fate,
    JournalState,
    customers_with_email,
    decide_sending,
    max_per_minute_interval,
    owes_paper_copy,
    paper_copy,
    paper_only,
)

VERZONDEN = schema.CONTACTEN.column("sent").header
DOCUMENT = schema.CONTACTEN.column("document").header
WAYS = {"SMTP": "SMTP", "Outlook concepten": "Outlook concept", "Outlook versturen": "Outlook"}
NO_WAY = "Concept-map"


# The connection lost this many messages in a row: the rest of the run stops (they go next
# time) instead of each waiting for the server and perhaps ending unsure.
LOST_IN_A_ROW = 2
STOPPED_AFTER_LOSSES = (
    "niet geprobeerd: de verbinding met de mailserver viel twee keer achter elkaar weg; "
    "deze brief gaat de volgende keer mee"
)


class SetupError(Exception):
    """The run cannot start (settings, password); nothing was sent. Dutch message."""


# The Instellingen rows a send run goes by: one the reader could not take (a port 'abc', a
# Verzenden via it does not know) is kept at its default there, and sending by a default the
# user did not choose (another port, no BCC) is refused instead.
SEND_SETTINGS = frozenset(
    {
        "send_via",
        "smtp_server",
        "smtp_port",
        "smtp_security",
        "smtp_user",
        "smtp_sender",
        "max_mails_per_minute",
        "bcc_self",
        "email",
    }
)


def check_send_settings(book: Book, problems: Sequence[Problem]) -> None:
    """SetupError naming each send setting's cell the reader reported (`problems`: its)."""
    dutch = dict(schema.SETTINGS)
    rows = {row: dutch[name] for name, row in book.settings.rows if name in SEND_SETTINGS}
    sheet = schema.INSTELLINGEN.sheet
    # A send run does not go on with the default the reader keeps, so that part is left
    # out and the setting named first.
    wrong = [
        f"{rows[p.source.row]} ({setting_problem_cause(p.message)})"
        for p in problems
        if p.source.sheet == sheet and p.source.row in rows
    ]
    if wrong:
        raise SetupError(
            "een instelling voor het versturen klopt niet: "
            + "; ".join(wrong)
            + ". Verbeter die eerst: met een waarde die u niet koos, gaat er geen e-mail weg"
        )


class Transport(Protocol):
    way: str

    def send(self, draft: Draft, envelope_from: str, before_data: Callable[[], None]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Sent:
    customer: str
    document: str
    to: tuple[str, ...]
    message_id: str
    via: str
    attachments: tuple[str, ...] = ()
    subject: str = ""


@dataclass(frozen=True, slots=True)
class NotSent:
    """A letter listed, not sent; `paper_copy`: listed to print although its e-mail went."""

    customer: str
    document: str
    reason: str
    to: tuple[str, ...] = ()
    message_id: str = ""
    paper_copy: bool = False


@dataclass
class SendJob:
    """What a run did (or, with `dry_run`, would do).

    Attributes:
      sent: accepted by the server or Outlook in this run (dry run: what would go).
      recorded: accepted in an earlier run (journal) and now written into Verzonden.
      write_reason: why the workbook could not be written after sending, as the write
        said it (None when it was, or nothing was to write); `write_error` says it whole.
    """

    way: str
    dry_run: bool
    sent: list[Sent] = field(default_factory=list)
    not_sent: list[NotSent] = field(default_factory=list)
    to_print: list[NotSent] = field(default_factory=list)
    unsure: list[NotSent] = field(default_factory=list)
    recorded: int = 0
    waiting: int = 0  # letters that would go, when no way is chosen (Concept-map)
    written: bool = False
    write_reason: str | None = None

    @property
    def configured(self) -> bool:
        return self.way != NO_WAY

    @property
    def write_error(self) -> str:
        """The workbook could not be written after sending (the journal keeps it); "" when
        it could."""
        if self.write_reason is None:
            return ""
        return (
            f"Verzonden kon niet in de werkmap worden gezet ({self.write_reason}); de "
            "verzonden brieven staan in het verzendlogboek en worden de volgende keer alsnog "
            "ingevuld"
        )


def verzonden_text(moment: datetime, via: str) -> str:
    """Contacten.Verzonden: '05-12-2026 11:02 SMTP' (the reader takes the first word)."""
    return f"{moment:%d-%m-%Y %H:%M} {via}".strip()


def drafts_for(book: Book, workbook: Path) -> dict[str, Path]:
    """Document -> its e-mail draft, for the e-mail letters whose draft exists; only inside
    the output folder or the workbook's folder (paths.find_document)."""
    roots = roots_for(workbook, book.settings, "output_dir")
    out: dict[str, Path] = {}
    for c in book.contacts:
        if not c.document or c.channel not in EMAIL_CHANNELS or c.sent is not None:
            continue
        found = find_document(c.document, roots)
        if found.path is None:
            continue
        eml = found.path if found.path.suffix.lower() == ".eml" else found.path.with_suffix(".eml")
        if eml.is_file():
            out[c.document] = eml
    return out


def unaddressed_drafts(book: Book, drafts: dict[str, Path]) -> frozenset[str]:
    """The drafts of customers without an e-mail address whose To names nobody: only those
    can make a Brief en e-mail letter paper-only, so no other draft is opened."""
    with_email = customers_with_email(book)
    return frozenset(
        c.document
        for c in book.contacts
        if c.document in drafts
        and c.channel is Channel.LETTER_AND_EMAIL
        and c.customer not in with_email
        and not draft_names_recipient(drafts[c.document])
    )


def sender_for(book: Book) -> Sender:
    s = book.settings
    address = s.smtp_sender.strip() or s.email.strip()
    if not address:
        raise SetupError(
            "de instellingen SMTP-afzender en E-mail zijn leeg: vul in Instellingen het "
            "e-mailadres in waarvan de brieven komen"
        )
    return Sender(
        name=s.company_name,
        address=address,
        reply_to=s.email.strip(),
        bcc=s.email.strip() if s.bcc_self else "",
    )


def smtp_transport(book: Book) -> SmtpTransport:
    s = book.settings
    if not s.smtp_server.strip():
        raise SetupError("de instelling SMTP-server is leeg: vul de server van uw mailbox in")
    if s.smtp_security == "Geen" and s.smtp_server.strip().casefold() not in LOOPBACK:
        raise SetupError(
            f"SMTP-beveiliging Geen mag alleen naar een server op deze computer (127.0.0.1, ::1 "
            f"of localhost), niet naar {s.smtp_server}; kies STARTTLS of SSL"
        )
    config = SmtpConfig(
        s.smtp_server.strip(),
        resolve_port(s.smtp_security, s.smtp_port),
        s.smtp_security,
        s.smtp_user.strip(),
    )
    password = None
    if config.user:
        password = smtp_password(config.user, config.server)
        if not password:
            raise SetupError(
                f"er is geen wachtwoord bewaard voor {config.user} op {config.server}: geef "
                "eenmalig 'debiteuren wachtwoord WERKMAP', of zet DEBITEUREN_SMTP_WACHTWOORD"
            )
    return SmtpTransport(config, password)


def transport_for(book: Book) -> Transport:
    way = book.settings.send_via
    if way == "SMTP":
        return smtp_transport(book)
    return OutlookTransport(send=way == "Outlook versturen")


def _name(book: Book, customer: str) -> str:
    for c in book.customers:
        if c.number == customer:
            return c.name
    return ""


def run_send(
    book: Book,
    workbook: Path,
    as_of: date,
    *,
    dry_run: bool = False,
    retry: tuple[str, ...] = (),
    transport: Transport | None = None,
    write: Callable[[Patch], object] | None = None,
    now: Callable[[], datetime] = datetime.now,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> SendJob:
    """Send today's reviewed e-mail letters once; see the module docstring.

    `retry` names documents the user asked to send again (`--opnieuw`). `transport` replaces
    the one the settings choose (tests: a stand-in Outlook). `write` gets the Verzonden patch
    instead of the file (the ribbon: the open workbook)."""
    way = book.settings.send_via
    job = SendJob(way, dry_run)
    # First: an Uitvoermap this computer cannot use refuses before the journal is written.
    drafts = drafts_for(book, workbook)
    if not dry_run and write is None:
        check_not_open(workbook)  # before anything leaves: the result must be recordable
    journal = Journal(workbook)
    try:
        entries = journal.last()
        states = journal.states()
        if not dry_run:
            journal.check_writable()
        for document in retry:
            states[document] = JournalState.RETRY
            if not dry_run:
                journal.record(Entry(_stamp(now()), document, JournalState.RETRY))
    except JournalError as exc:
        raise SetupError(str(exc)) from None
    plan = plan_book(book, as_of)
    for document in _made_again(drafts, entries, states):
        del states[document]
    decisions = decide_sending(
        book, plan, as_of, frozenset(drafts), states, unaddressed_drafts(book, drafts)
    )

    cells: dict[str, str] = {}
    to_send: list[Contact] = []
    for d in decisions:
        c = d.contact
        if d.fate is Fate.RECORD:
            e = entries.get(c.document)
            moment = _parse_stamp(e.time if e else "") or now()
            cells[c.document] = verzonden_text(moment, e.via if e else "")
            job.recorded += 1
        elif d.fate is Fate.UNSURE:
            e = entries.get(c.document)
            job.unsure.append(
                NotSent(
                    c.customer, c.document, d.reason, e.to if e else (), e.message_id if e else ""
                )
            )
        elif d.fate is Fate.PRINT:
            job.to_print.append(
                NotSent(c.customer, c.document, d.reason, paper_copy=c.sent is not None)
            )
        elif d.fate is Fate.SEND:
            to_send.append(c)
        else:
            job.not_sent.append(NotSent(c.customer, c.document, d.reason))

    if not job.configured:
        job.waiting = len(to_send)
        to_send = []
    ready: list[tuple[Contact, Draft]] = []
    if to_send:
        sender = sender_for(book)
        for c in to_send:
            try:
                ready.append((c, load_draft(drafts[c.document], sender)))
            except DraftError as exc:
                job.not_sent.append(NotSent(c.customer, c.document, str(exc)))
    if dry_run:
        if ready and way == "SMTP" and transport is None:
            # The same settings checks as a real run (server, Geen only to this computer, a
            # stored password), without connecting: a proef that listed the e-mails as
            # going while the run itself would refuse told the user the setup was right.
            smtp_transport(book)
        for c, draft in ready:
            job.sent.append(
                Sent(
                    c.customer,
                    c.document,
                    draft.to + draft.bcc,
                    draft.message_id,
                    WAYS.get(way, way),
                    draft.attachments,
                    draft.subject,
                )
            )
        return job
    if ready:
        chosen = transport or transport_for(book)
        try:
            _send_all(job, chosen, ready, journal, cells, now, sleep, progress, book)
        except KeyboardInterrupt:
            # Ctrl-C: what the server accepted goes into Verzonden before the run stops, so
            # the workbook the user opens next shows it; only the journal knew, until the
            # next run, and a user who then mailed the rest by hand sent those twice.
            _write_verzonden(job, workbook, cells, write)
            raise SendInterrupted(job) from None
        except JournalStopped:
            # As for Ctrl-C, and more so: the journal may never get this run's lines, so
            # Verzonden is what keeps the accepted e-mails from going again.
            _write_verzonden(job, workbook, cells, write)
            raise
    _write_verzonden(job, workbook, cells, write)
    _paper_copies(job, decisions, cells, as_of)
    return job


def _paper_copies(
    job: SendJob, decisions: tuple[Decision, ...], cells: dict[str, str], as_of: date
) -> None:
    """List to print the Brief en e-mail letters whose e-mail this run sent or recorded: the
    workbook read before the run did not know, and the next run would be the first to
    remind the user of the paper copy. Listed even when Verzonden could not be written:
    the e-mail went all the same."""
    for d in decisions:
        text = cells.get(d.contact.document)
        if text is None:
            continue
        copy = paper_copy(d.contact, text, datetime.strptime(text[:10], "%d-%m-%Y").date(), as_of)
        if copy is not None:
            c = d.contact
            job.to_print.append(NotSent(c.customer, c.document, copy.reason, paper_copy=True))


class JournalStopped(Exception):
    """The journal stopped taking lines while sending (a full disk, a folder put in its
    place): the run stopped before the next message; `job` holds what was accepted until
    then and whether its Verzonden was written; `reason` is the journal's Dutch message."""

    def __init__(self, job: SendJob, reason: str) -> None:
        super().__init__(reason)
        self.job = job
        self.reason = reason


class SendInterrupted(KeyboardInterrupt):
    """Ctrl-C during sending; `job` holds what was accepted (and written) until then."""

    def __init__(self, job: SendJob) -> None:
        super().__init__()
        self.job = job


def _write_verzonden(
    job: SendJob,
    workbook: Path,
    cells: dict[str, str],
    write: Callable[[Patch], object] | None,
) -> None:
    if not cells:
        return
    patch = Patch(
        add_columns=((schema.CONTACTEN.name, (VERZONDEN,)),),
        set_cells=tuple(
            (schema.CONTACTEN.name, DOCUMENT, document, {VERZONDEN: text})
            for document, text in cells.items()
        ),
    )
    try:
        if write is None:
            apply_patch(workbook, patch)
        else:
            write(patch)
        job.written = True
    except Exception as exc:  # PatchError, LiveError...: the journal still holds it
        job.write_reason = str(exc).rstrip(".")


def _made_again(
    drafts: dict[str, Path], entries: dict[str, Entry], states: dict[str, JournalState]
) -> list[str]:
    """Documents whose journal lines are about another message than their draft now: the
    letter was made again under the same name (the run undone from the backup, or its row
    in Contacten removed, and Maak herinneringen run again). The journal knows a message by
    its Message-ID; this draft's is new, so it was never sent, and it was recorded as
    Verzonden from the old message's line. A draft without a Message-ID of its own keeps
    the journal's word: never a second e-mail on a guess."""
    out = []
    for document, path in drafts.items():
        entry = entries.get(document)
        if document not in states or entry is None or not entry.message_id:
            continue
        if states[document] is JournalState.RETRY:
            continue
        own = draft_message_id(path)
        if own and own != entry.message_id:
            out.append(document)
    return out


def _send_all(
    job: SendJob,
    chosen: Transport,
    ready: list[tuple[Contact, Draft]],
    journal: Journal,
    cells: dict[str, str],
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    progress: Callable[[int, int], None] | None,
    book: Book,
) -> None:
    interval = max_per_minute_interval(book.settings.max_mails_per_minute)
    via = chosen.way
    envelope_from = sender_for(book).address
    last: float | None = None
    fatal = ""
    lost_in_a_row = 0
    try:
        for k, (c, draft) in enumerate(ready):
            if fatal:
                job.not_sent.append(NotSent(c.customer, c.document, fatal))
                continue
            if last is not None:
                wait = last + interval - time.monotonic()
                if wait > 0:
                    sleep(wait)
            last = time.monotonic()
            recipients = draft.to + draft.bcc

            def handed_over(
                c: Contact = c, draft: Draft = draft, recipients: tuple[str, ...] = recipients
            ) -> None:
                journal.record(
                    Entry(
                        _stamp(now()),
                        c.document,
                        JournalState.HANDED_OVER,
                        draft.message_id,
                        recipients,
                        c.customer,
                        via,
                    )
                )

            try:
                chosen.send(draft, envelope_from, handed_over)
            except JournalError as exc:
                # Its line could not be written before it left: it did not leave, and no
                # other message may go unrecorded.
                raise JournalStopped(job, str(exc)) from None
            except SendError as exc:
                # A connection that breaks or goes silent again right after a new one was
                # opened will do so for every message: each would wait TIMEOUT and, lost
                # during DATA, become one more unsure letter for the user to check by hand.
                lost_in_a_row = lost_in_a_row + 1 if exc.lost else 0
                if lost_in_a_row >= LOST_IN_A_ROW:
                    fatal = STOPPED_AFTER_LOSSES
                if exc.unsure:
                    job.unsure.append(
                        NotSent(c.customer, c.document, exc.reason, recipients, draft.message_id)
                    )
                else:
                    job.not_sent.append(NotSent(c.customer, c.document, exc.reason))
                    if isinstance(exc, Refused):
                        refused = Entry(_stamp(now()), c.document, JournalState.REFUSED)
                        _record(journal, job, refused)
                    if exc.fatal:
                        fatal = exc.reason
                continue
            lost_in_a_row = 0
            moment = now()
            # Accepted: counted as sent and bound for Verzonden before its journal line is
            # written, so a journal that refuses that line still leaves it recorded there.
            cells[c.document] = verzonden_text(moment, via)
            job.sent.append(
                Sent(
                    c.customer,
                    c.document,
                    recipients,
                    draft.message_id,
                    via,
                    subject=draft.subject,
                )
            )
            _record(
                journal,
                job,
                Entry(
                    _stamp(moment),
                    c.document,
                    JournalState.ACCEPTED,
                    draft.message_id,
                    recipients,
                    c.customer,
                    via,
                ),
            )
            if progress:
                progress(k + 1, len(ready))
    finally:
        chosen.close()


def _record(journal: Journal, job: SendJob, entry: Entry) -> None:
    """A journal line while sending; a journal that refuses it stops the run."""
    try:
        journal.record(entry)
    except JournalError as exc:
        raise JournalStopped(job, str(exc)) from None


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def find_contact(book: Book, document: str) -> Contact | None:
    """The logged letter a user names on the command line: its Document as shown, or the
    file name with or without extension."""
    wanted = document.strip().replace("\\", "/")
    for c in book.contacts:
        doc = c.document.replace("\\", "/")
        if doc and wanted in (doc, Path(doc).name, Path(doc).stem):
            return c
    return None


def mark_sent(
    book: Book,
    workbook: Path,
    contact: Contact,
    *,
    now: Callable[[], datetime] = datetime.now,
    write: Callable[[Patch], object] | None = None,
) -> str:
    """`--markeer-verzonden`: the user checked the message arrived. Journal and Verzonden."""
    journal = Journal(workbook)
    entry = journal.last().get(contact.document)
    if is_paper(book, workbook, contact) and not (entry and entry.via):
        via = POST_ROUTE  # a printed letter: what was posted is marked, no e-mail route
    else:
        via = entry.via if entry and entry.via else WAYS.get(book.settings.send_via, "handmatig")
    moment = now()
    text = verzonden_text(moment, via)
    _mark(workbook, journal, entry, contact, moment, via, text, write)
    return text


def mark_posted(
    workbook: Path,
    contact: Contact,
    *,
    now: Callable[[], datetime] = datetime.now,
    write: Callable[[Patch], object] | None = None,
) -> str:
    """`--markeer-verzonden` for an e-mailed Brief en e-mail letter: its paper copy went.
    "; <now> post" is appended to Verzonden, so the e-mail's day stays the first word
    (Contact.sent) and the post's day is read as Contact.posted (a 14-day letter counts from
    the later: fourteen_days.letter_day); the journal gets a "post" line with the e-mail's
    Message-ID."""
    journal = Journal(workbook)
    entry = journal.last().get(contact.document)
    moment = now()
    text = f"{contact.sent_note}; {verzonden_text(moment, POST_ROUTE)}"
    _mark(workbook, journal, entry, contact, moment, POST_ROUTE, text, write)
    return text


def _mark(
    workbook: Path,
    journal: Journal,
    entry: Entry | None,
    contact: Contact,
    moment: datetime,
    via: str,
    text: str,
    write: Callable[[Patch], object] | None,
) -> None:
    """Journal `via` for the letter (keeping its Message-ID and recipients), then put `text`
    in its Verzonden: into the file (refused first if it is open), or through `write`."""
    patch = Patch(
        add_columns=((schema.CONTACTEN.name, (VERZONDEN,)),),
        set_cells=((schema.CONTACTEN.name, DOCUMENT, contact.document, {VERZONDEN: text}),),
    )
    if write is None:
        check_not_open(workbook)
    journal.record(
        Entry(
            _stamp(moment),
            contact.document,
            JournalState.ACCEPTED,
            entry.message_id if entry else "",
            entry.to if entry else (),
            contact.customer,
            via,
        )
    )
    if write is None:
        apply_patch(workbook, patch)
    else:
        write(patch)


def owes_post(contact: Contact) -> bool:
    """The workbook says this letter's e-mail went and its paper copy not yet."""
    return contact.sent is not None and owes_paper_copy(contact, contact.sent_note)


def is_paper(book: Book, workbook: Path, contact: Contact) -> bool:
    """A letter `verstuur` lists to print: Kanaal Brief, or Brief en e-mail that can only go
    on paper (core.sending.paper_only)."""
    if contact.channel is Channel.LETTER:
        return True
    if contact.channel is not Channel.LETTER_AND_EMAIL:
        return False
    mine = replace(book, contacts=(contact,))
    drafts = drafts_for(mine, workbook)
    return paper_only(
        contact, customers_with_email(book), frozenset(drafts), unaddressed_drafts(mine, drafts)
    )


def describe(book: Book, customer: str) -> str:
    name = _name(book, customer)
    return f"{customer} {name}".strip()


def console_progress(done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    sys.stderr.write(f"\rE-mails versturen {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
