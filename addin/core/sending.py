"""Which logged letters `verstuur` sends today, and why the others wait (issue 16).

The letter run logs each letter in Contacten with its Document; its e-mail draft (.eml) lies
next to the PDF. Sending is a separate step the user asks for. This module decides, per
logged letter, one fate; the adapters only read files and talk to the mail server.

Rules, in order (the first that applies):

1. Verzonden filled: sent, nothing to do; but a Brief en e-mail letter logged in the last
   MAX_AGE_DAYS days whose Verzonden names an e-mail route and no "post" is listed to
   print: its paper copy (PLAYBOOK E3: such letters go as PDF and as e-mail) has not gone
   yet, and nothing else reminds the user. A Verzonden typed as a plain date counts as done.
2. The journal says a server or Outlook accepted it: sent; Verzonden is filled in from the
   journal (the run that sent it stopped before it could write the workbook).
3. The journal says it was handed over but not whether it was accepted: unknown fate
   (`UNSURE`), left until the user says `--markeer-verzonden` or `--opnieuw`.
4. Dated after the send date: not yet (ignored).
5. Older than MAX_AGE_DAYS: listed, not sent (a reminder that went unsent for weeks is no
   longer what the user reviewed).
6. Kanaal Brief, or Kanaal Brief en e-mail for a customer the workbook gives no e-mail
   address (Klanten nor Contactpersonen) whose draft names no recipient either: listed to
   print. Such a letter can only go on paper; listed as "niet verstuurd" it kept `verstuur`
   at exit 1 for its whole life. An address the user typed into the draft still sends it.
   (Rules 4 and 5 apply to it as to Kanaal Brief: too old is not listed.)
7. No e-mail draft next to the document: not sent.
8. Today's plan says one of its invoices was paid, disputed, put under an agreement or has
   a payment to review since the letter was made: held back.
9. Otherwise: send.

Example::

    A Herinnering for K007 logged 01-12-2026 as uitvoer/2026-12-01/x.pdf, its .eml present,
    nothing paid since; on 05-12-2026:
    -> Decision(contact, Fate.SEND, "")
    The same letter on 16-12-2026 (15 days later):
    -> Decision(contact, Fate.TOO_OLD, "gemaakt op 1-12-2026, meer dan 14 dagen geleden; ...")
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from addin.core.letter_log import CONFIRMATION_STEP
from addin.core.model import Action, Book, Channel, Contact, NextAction, Plan, Status
from addin.core.texts import nl_date

# A letter made more than this many days ago is not sent any more: the user reviewed it for
# that day, and the plan has moved on (issue 16).
MAX_AGE_DAYS = 14

EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.LETTER_AND_EMAIL})


class Fate(enum.Enum):
    SEND = "versturen"
    RECORD = "vastleggen"  # accepted earlier (journal), Verzonden still empty
    UNSURE = "onzeker"
    TOO_OLD = "te-oud"
    PRINT = "printen"
    NO_DRAFT = "geen-concept"
    HELD_BACK = "tegengehouden"


class JournalState(enum.Enum):
    """A document's last word in the send journal."""

    HANDED_OVER = "overgedragen"  # written just before the message left
    ACCEPTED = "geaccepteerd"  # the server or Outlook accepted it
    REFUSED = "geweigerd"  # the server answered the message with a refusal: not sent
    RETRY = "opnieuw"  # the user asked to send it again


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one logged letter, and why (Dutch, empty when sent)."""

    contact: Contact
    fate: Fate
    reason: str = ""


# Why a letter is listed to print (Dutch; `verstuur` shows it, --json as "reden").
PRINT_LETTER = "Kanaal Brief: printen en posten"
PRINT_NO_ADDRESS = (
    "Kanaal Brief en e-mail, maar de klant heeft geen e-mailadres (Klanten, Contactpersonen): "
    "alleen op papier; printen en posten"
)


# Routes after the day in Verzonden (casefolded): what `verstuur` writes (mail.job.WAYS) and
# `--markeer-verzonden` for a letter whose journal names no route ("handmatig").
EMAIL_ROUTES = frozenset({"smtp", "outlook", "outlook concept", "handmatig"})
# The route of a posted letter: a printed Kanaal Brief letter, or the paper copy of a
# Brief en e-mail letter appended to its e-mail's route ("...11:02 SMTP; ...14:10 post").
POST_ROUTE = "post"


def paper_copy_reason(sent: date) -> str:
    """Why an e-mailed letter is listed to print (Dutch; `verstuur` and --json "reden")."""
    return (
        f"de e-mail is verstuurd op {nl_date(sent)}; het papieren exemplaar nog printen en posten"
    )


def sent_routes(note: str) -> tuple[str, ...]:
    """The routes a Verzonden text names, in order; a part's leading date and time words
    are skipped (no route starts with a digit).

    >>> sent_routes("05-12-2026 11:02 SMTP; 05-12-2026 14:10 post")
    ('SMTP', 'post')
    >>> sent_routes("05-12-2026")
    ()
    """
    out: list[str] = []
    for part in note.split(";"):
        words = part.split()
        while words and words[0][:1].isdigit():
            del words[0]
        if words:
            out.append(" ".join(words))
    return tuple(out)


def owes_paper_copy(contact: Contact, note: str) -> bool:
    """A Brief en e-mail letter whose Verzonden `note` says its e-mail went (a route of
    EMAIL_ROUTES) and not that it was posted."""
    if contact.channel is not Channel.LETTER_AND_EMAIL:
        return False
    routes = {r.casefold() for r in sent_routes(note)}
    return POST_ROUTE not in routes and not routes.isdisjoint(EMAIL_ROUTES)


def paper_copy(contact: Contact, note: str, sent: date, as_of: date) -> Decision | None:
    """The PRINT decision for an e-mailed letter's paper copy (rule 1), or None. `note` and
    `sent` are its Verzonden: the workbook's, or what this run writes."""
    oldest = as_of - timedelta(days=MAX_AGE_DAYS)
    if sent == date.min or not oldest <= contact.date <= as_of:
        return None  # day unknown (an unreadable Verzonden), or outside the run's window
    if not owes_paper_copy(contact, note):
        return None
    return Decision(contact, Fate.PRINT, paper_copy_reason(sent))


def customers_with_email(book: Book) -> frozenset[str]:
    """Customers the workbook gives an e-mail address, in Klanten or Contactpersonen.

    Any filled cell counts, even one the checks call invalid: that is an address to correct,
    not a customer to write to on paper only."""
    found = {c.number for c in book.customers if c.email.strip()}
    found.update(p.customer for p in book.contact_persons if p.email.strip())
    return frozenset(found)


def paper_only(
    contact: Contact,
    with_email: frozenset[str],
    drafts: frozenset[str],
    unaddressed: frozenset[str],
) -> bool:
    """A Brief en e-mail letter that can only go on paper: no e-mail address for its customer
    in the workbook, and no draft that names a recipient (the user may have typed one in)."""
    return (
        contact.channel is Channel.LETTER_AND_EMAIL
        and contact.customer not in with_email
        and (contact.document not in drafts or contact.document in unaddressed)
    )


# The plan's verdicts that mean "something changed since the letter was made", with the
# Dutch words for the summary. A paid invoice has Status betaald whatever its action.
_HOLD: Mapping[Action, str] = {
    Action.RESOLVE: "geschil of bijzonderheid",
    Action.ASK_PROOF: "klant zegt betaald te hebben",
    Action.CHECK_BANK: "betaling te controleren",
    Action.WAIT: "onder een afspraak",
    Action.CONFIRM: "onder een afspraak",
}


def hold_reason(contact: Contact, actions: Mapping[str, NextAction]) -> str:
    """Why today's plan holds this letter back, or '' when it may go.

    A confirmation letter is about an agreement, so an agreement does not hold it back."""
    confirmation = contact.step == CONFIRMATION_STEP
    found: list[str] = []
    for number in contact.invoices:
        action = actions.get(number)
        if action is None:
            found.append(f"factuur {number} staat niet meer in Facturen")
        elif action.status in (Status.PAID, Status.CREDIT_NOTE):
            found.append(f"factuur {number} is betaald")
        elif action.action in _HOLD and not (confirmation and action.agreement):
            found.append(f"factuur {number}: {_HOLD[action.action]}")
    if not found:
        return ""
    return "tegengehouden sinds de brief gemaakt is: " + "; ".join(found)


def decide_sending(
    book: Book,
    plan: Plan,
    as_of: date,
    drafts: frozenset[str],
    journal: Mapping[str, JournalState],
    unaddressed: frozenset[str] = frozenset(),
) -> tuple[Decision, ...]:
    """One decision per written letter in Contacten that has a Document, in log order.

    `drafts` holds the Documents whose e-mail draft exists; `journal` each Document's last
    state in the send journal; `unaddressed` the drafts whose To names nobody (the adapter
    need only look at those of customers without an e-mail address)."""
    actions = {a.invoice: a for a in plan.actions}
    with_email = customers_with_email(book)
    oldest = as_of - timedelta(days=MAX_AGE_DAYS)
    out: list[Decision] = []
    for c in book.contacts:
        if not c.document or not c.channel.is_written:
            continue
        if c.sent is not None:
            copy = paper_copy(c, c.sent_note, c.sent, as_of)
            if copy is not None:
                out.append(copy)
            continue
        state = journal.get(c.document)
        if state is JournalState.ACCEPTED and c.channel in EMAIL_CHANNELS:
            out.append(Decision(c, Fate.RECORD))
            continue
        if state is JournalState.HANDED_OVER and c.channel in EMAIL_CHANNELS:
            out.append(Decision(c, Fate.UNSURE, _UNSURE))
            continue
        if c.date > as_of:
            continue
        paper = c.channel is Channel.LETTER or paper_only(c, with_email, drafts, unaddressed)
        if c.date < oldest:
            if not paper:
                out.append(Decision(c, Fate.TOO_OLD, _too_old(c.date)))
            continue
        if paper:
            reason = PRINT_LETTER if c.channel is Channel.LETTER else PRINT_NO_ADDRESS
            out.append(Decision(c, Fate.PRINT, reason))
            continue
        if c.document not in drafts:
            out.append(Decision(c, Fate.NO_DRAFT, _NO_DRAFT))
            continue
        held = hold_reason(c, actions)
        if held:
            out.append(Decision(c, Fate.HELD_BACK, held))
            continue
        out.append(Decision(c, Fate.SEND))
    return tuple(out)


_NO_DRAFT = "het e-mailconcept (.eml) naast de brief ontbreekt"
_UNSURE = (
    "onbekend of dit bericht is aangekomen (de verbinding of de run werd afgebroken terwijl "
    "het onderweg was); "
    "controleer uw verzonden e-mail en geef dan --markeer-verzonden of --opnieuw"
)


def _too_old(made: date) -> str:
    return (
        f"gemaakt op {nl_date(made)}, meer dan {MAX_AGE_DAYS} dagen geleden; maak een nieuwe "
        "brief met Maak herinneringen of verstuur deze zelf"
    )


def journal_states(events: Sequence[tuple[str, JournalState]]) -> dict[str, JournalState]:
    """Each document's last state, from the journal's events in file order."""
    out: dict[str, JournalState] = {}
    for document, state in events:
        out[document] = state
    return out


def max_per_minute_interval(per_minute: int) -> float:
    """Seconds between two messages for the "Max e-mails per minuut" setting.

    >>> max_per_minute_interval(20)
    3.0
    """
    return 60.0 / max(per_minute, 1)
