"""`debiteuren verstuur BOEK [--datum D] [--proef] [--json] [--markeer-verzonden DOCUMENT]
[--opnieuw DOCUMENT]` and `debiteuren wachtwoord BOEK`: the reviewed letters' e-mails, sent
once (issue 16).

Exit codes: 0 everything that was due went; 1 done, but a letter was not sent, held back or
its fate is unknown (each named in the summary); 2 nothing sent (settings, password, the
workbook open in Excel, an unknown document), or the run stopped because the send journal
refused a line (what went before is named, and has its Verzonden).

Example::

    $ debiteuren verstuur Debiteuren.xlsx --datum 2026-12-05
    3 e-mails verstuurd via SMTP.
    Niet verstuurd:
      K012 Bakkerij Verhoef: de mailserver weigert het adres x@y.nl (550 ...)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from addin.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    parse_day,
    print_json,
    tables_refusal,
    while_reading,
    writes_workbook,
)

if TYPE_CHECKING:
    from addin.adapters.mail.job import JournalStopped, NotSent, SendJob
    from addin.core.model import Book, Contact


@writes_workbook
def cmd_verstuur(args: argparse.Namespace) -> int:
    # Imported here, not at start-up: only this command needs the reader, engine and mail.
    from addin.adapters.mail.job import (
        JournalStopped,
        SendInterrupted,
        SetupError,
        check_send_settings,
        console_progress,
        find_contact,
        run_send,
    )
    from addin.adapters.mail.password import PasswordError
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import PatchError

    # The plan's holidays are worked out while the workbook is read (only marking plans not).
    book, problems = read_book(
        args.boek, meanwhile=None if args.markeer_verzonden else while_reading(args.datum)
    )
    path = Path(args.boek)
    refusal = tables_refusal(args, "verstuur")
    if refusal:  # before any mail leaves: its Verzonden could not be written
        return fail(args, refusal)
    if args.markeer_verzonden:
        return _mark(args, book, path)
    retry: tuple[str, ...] = ()
    for document in args.opnieuw or ():
        contact = find_contact(book, document)
        if contact is None:
            return fail(args, _unknown_document(document))
        refusal = _no_retry(contact, book, path)
        if refusal:
            return fail(args, refusal)
        retry += (contact.document,)
    try:
        check_send_settings(book, problems)
        job = run_send(
            book,
            path,
            args.datum,
            dry_run=args.proef,
            retry=retry,
            progress=None if args.json else console_progress,
        )
    except SendInterrupted as stop:
        # Said before the run ends with "Afgebroken (Ctrl-C).": what went, and what did not.
        sys.stderr.write("\n" + interrupted_text(stop.job))
        raise
    except JournalStopped as stop:
        # A refusal (exit 2), but not "nothing sent": what went is named, with its
        # Verzonden, for the script too.
        message = journal_stopped_text(stop, book)
        if args.json:
            print_json({"fout": message, **_json(stop.job, args)})
            return EXIT_FAILED
        return fail(args, message)
    except (SetupError, PasswordError, PatchError) as exc:
        # A refusal of the workbook (PatchError) is a whole sentence already, ending in a
        # full stop; the setup's and password's messages are not.
        return fail(args, f"{str(exc).rstrip('.')}. Er is niets verstuurd.")
    if args.json:
        print_json(_json(job, args))
    else:
        sys.stdout.write(summary_text(job, book))
    reported = job.not_sent or job.unsure or job.write_error
    return EXIT_PROBLEMS if reported else EXIT_OK


def _mark(args: argparse.Namespace, book: Book, path: Path) -> int:
    from addin.adapters.mail.job import find_contact, mark_posted, mark_sent, owes_post
    from addin.adapters.mail.journal import JournalError
    from addin.adapters.workbook.xlsx_patch import PatchError

    contact = find_contact(book, args.markeer_verzonden)
    if contact is None:
        return fail(args, _unknown_document(args.markeer_verzonden))
    if owes_post(contact):
        # Its e-mail went; what the user marks now is the paper copy (README: the e-mail's
        # day stays first in Verzonden).
        try:
            text = mark_posted(path, contact)
        except PatchError as exc:
            return fail(args, str(exc))
        except JournalError as exc:
            return fail(args, f"{exc}. Er is niets veranderd.")
        if args.json:
            print_json({"document": contact.document, "verzonden": text, "gepost": True})
        else:
            print(f"{contact.document}: het papieren exemplaar is gemarkeerd als gepost ({text}).")
        return EXIT_OK
    if contact.sent is not None:
        message = f"{contact.document} staat al als verzonden in Contacten."
        if args.json:
            print_json({"document": contact.document, "verzonden": None, "melding": message})
        else:
            print(message)
        return EXIT_OK
    try:
        text = mark_sent(book, path, contact)
    except PatchError as exc:
        return fail(args, str(exc))
    except JournalError as exc:
        return fail(args, f"{exc}. Er is niets veranderd.")
    if args.json:
        print_json({"document": contact.document, "verzonden": text})
    else:
        print(f"{contact.document} gemarkeerd als verzonden ({text}); niet opnieuw versturen.")
    return EXIT_OK


def _no_retry(contact: Contact, book: Book, path: Path) -> str:
    """Why `--opnieuw` cannot send this letter, or ''. Said, not skipped: the run went on and
    answered 'Geen e-mails te versturen.' (exit 0) to a user who asked for a resend. The
    sentence starts with words, not the Document: fail() capitalises its first letter, and
    'uitvoer/...' became 'Uitvoer/...', a path that is not the one in Contacten."""
    from addin.adapters.mail.job import is_paper
    from addin.core.sending import EMAIL_CHANNELS
    from addin.core.texts import nl_date

    if contact.channel not in EMAIL_CHANNELS:
        return (
            f"De brief '{contact.document}' is om te printen (Kanaal {contact.channel.value}), "
            "geen e-mail; er is niets verstuurd."
        )
    if contact.sent is None and is_paper(book, path, contact):
        return (
            f"De brief '{contact.document}' is om te printen: Kanaal {contact.channel.value}, "
            "maar de klant heeft geen e-mailadres en het concept geen geadresseerde (Aan); "
            "vul een e-mailadres in bij Aan in het concept om hem te e-mailen; er is niets "
            "verstuurd."
        )
    if contact.sent is not None:
        return (
            f"De brief '{contact.document}' staat al als verzonden in Contacten (Verzonden "
            f"{nl_date(contact.sent)}); --opnieuw is voor een brief onder Onzeker. Moet hij "
            "echt nog eens, stuur hem dan zelf; er is niets verstuurd."
        )
    return ""


def _ask_password(prompt: str) -> str:
    """The password, not shown. Without a terminal (piped, a scheduled task, a console with
    no /dev/tty) getpass reads standard input anyway, but first prints two English warnings
    ('GetPassWarning: Can not control echo', 'Password input may be echoed') under the Dutch
    prompt; a pipe echoes nothing, so the line is read here without them."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise EOFError
    print(file=sys.stderr)  # the Enter a terminal would have shown: the next line starts anew
    return line.rstrip("\r\n")


def _unknown_document(document: str) -> str:
    return (
        f"'{document}' staat niet als Document in Contacten; geef het Document zoals "
        "'verstuur' het noemt (of de bestandsnaam)"
    )


def _json(job: SendJob, args: argparse.Namespace) -> dict[str, Any]:
    def listed(items: list[NotSent]) -> list[dict[str, Any]]:
        return [{"klant": n.customer, "document": n.document, "reden": n.reason} for n in items]

    sent = [
        {
            "klant": s.customer,
            "document": s.document,
            "aan": list(s.to),
            "message_id": s.message_id,
            "via": s.via,
        }
        for s in job.sent
    ]
    data: dict[str, Any] = {
        "datum": args.datum.isoformat(),
        "verzonden": [] if job.dry_run else sent,
        "niet_verzonden": listed(job.not_sent),
        "te_printen": listed(job.to_print),
        "onzeker": [
            {
                "klant": n.customer,
                "document": n.document,
                "aan": list(n.to),
                "message_id": n.message_id,
                "reden": n.reason,
            }
            for n in job.unsure
        ],
    }
    if not job.configured:
        # Concept-map sends nothing; the text says how many stand ready, and a script that
        # saw only empty lists could not tell "none due" from "nine waiting for a way".
        data["klaar_om_te_versturen"] = job.waiting
    if job.write_error:
        # Exit 1 with every list empty told a script nothing: why Verzonden stayed empty.
        data["werkmap_niet_bijgewerkt"] = job.write_error
    if job.dry_run:
        data["proef"] = True
        data["te_verzenden"] = [
            {**entry, "onderwerp": s.subject, "bijlagen": list(s.attachments)}
            for entry, s in zip(sent, job.sent, strict=True)
        ]
    return data


def summary_text(job: SendJob, book: Book) -> str:
    """The Dutch summary of a send run (command line and ribbon)."""
    from addin.adapters.mail.job import describe
    from addin.core.sending import PRINT_LETTER
    from addin.core.texts import count_text

    lines: list[str] = []
    if not job.configured:
        lines.append(
            "Er is niets verstuurd: Verzenden via staat op Concept-map, dus de e-mails blijven "
            "als concept (.eml) in de uitvoermap."
        )
        if job.waiting:
            waiting = "1 e-mail staat" if job.waiting == 1 else f"{job.waiting} e-mails staan"
            lines.append(f"{waiting} klaar om te versturen.")
        lines.append(
            "Kies in Instellingen bij 'Verzenden via' SMTP (met SMTP-server, SMTP-poort, "
            "SMTP-beveiliging en SMTP-gebruiker), Outlook concepten of Outlook versturen."
        )
    elif job.dry_run:
        would = "zou" if len(job.sent) == 1 else "zouden"
        lines.append(
            f"Proef: {count_text(len(job.sent), 'e-mail', 'e-mails')} {would} gaan via {_way(job)}:"
        )
        for s in job.sent:
            lines.append(f"  {describe(book, s.customer)} aan {', '.join(s.to)}: {s.subject}")
            lines.append(f"    bijlagen: {', '.join(s.attachments) or 'geen'}")
        lines.append("Er is niets verstuurd en niets in de werkmap geschreven.")
    elif job.sent:
        # Verzonden is claimed only when it was written; else "Let op" below says why not.
        filled = "" if job.write_error else "; Verzonden is ingevuld in Contacten"
        lines.append(
            f"{count_text(len(job.sent), 'e-mail', 'e-mails')} verstuurd via {_way(job)}{filled}."
        )
    elif job.not_sent or job.unsure:
        # Not "nothing to send": there was, and the sections below say why it did not go.
        lines.append("Er is geen e-mail verstuurd; hieronder staat waarom.")
    else:
        lines.append("Geen e-mails te versturen.")
    if job.recorded:
        earlier = count_text(
            job.recorded, "eerder verstuurde e-mail is", "eerder verstuurde e-mails zijn"
        )
        lines.append(f"{earlier} alsnog als Verzonden ingevuld (uit het verzendlogboek).")
    sections = (
        ("Niet verstuurd:", job.not_sent),
        (
            "Onzeker (controleer uw verzonden e-mail, dan --markeer-verzonden DOCUMENT of "
            "--opnieuw DOCUMENT):",
            job.unsure,
        ),
        ("Te printen en te posten:", job.to_print),
    )
    for title, items in sections:
        if items:
            lines.append(title)
            previous = ""
            for n in items:
                lines.append(f"  {describe(book, n.customer)}: {n.document}")
                if items is job.to_print:
                    # Kanaal Brief needs no word; a Brief en e-mail letter listed here does
                    # (why it is not e-mailed), else the user looks for the e-mail.
                    if n.reason != PRINT_LETTER:
                        lines.append(f"    {n.reason}")
                elif n.reason:
                    # A wrong password or an unreachable server stops every letter for one
                    # reason: said once, not two hundred times in the ribbon's message box.
                    same = n.reason == previous
                    lines.append("    (zelfde reden)" if same else f"    {n.reason}")
                    previous = n.reason
    if not all(n.paper_copy for n in job.to_print):
        # Listed on every run until marked: nothing else tells that one was posted. Said
        # for the ribbon's message box too (summary_text), hence Contacten first.
        lines.append(
            "  Gepost? Vul dan Verzonden in bij zijn rij in Contacten (of geef op de "
            "opdrachtregel --markeer-verzonden DOCUMENT): dan staat hij hier niet meer, en "
            "de termijn van een veertiendagenbrief telt vanaf die dag."
        )
    if any(n.paper_copy for n in job.to_print):
        # Its Verzonden is filled (the e-mail); what tells that the paper went is "post"
        # after it, with its day (a 14-day letter counts from the later day; reader._posted
        # names a "post" without one), and the e-mail's day must stay first.
        lines.append(
            "  Papieren exemplaar gepost? Zet dan de dag en 'post' achter de tekst in Verzonden "
            "bij zijn rij in Contacten, zoals '; 05-12-2026 post' (of geef op de opdrachtregel "
            "--markeer-verzonden DOCUMENT): dan staat hij hier niet meer."
        )
    if job.write_error:
        lines.append(f"Let op: {job.write_error}.")
    return "\n".join(lines) + "\n"


def interrupted_text(job: SendJob) -> str:
    """What a run stopped with Ctrl-C had done (Dutch)."""
    from addin.core.texts import count_text

    sent = count_text(len(job.sent), "e-mail", "e-mails")
    if not job.sent:
        line = "Er was nog geen e-mail verstuurd."
    elif job.written:
        line = f"{sent} al verstuurd; Verzonden is ingevuld in Contacten."
    else:
        line = f"{sent} al verstuurd. Let op: {job.write_error}."
    return (
        f"{line}\nDe brieven die nog niet verstuurd zijn, gaan mee met de volgende 'verstuur' "
        "(een brief die net onderweg was, noemt die onder Onzeker).\n"
    )


def journal_stopped_text(stop: JournalStopped, book: Book) -> str:
    """Why a run stopped when the journal refused a line, what had gone and whether the next
    run sends it again (Dutch; command line and ribbon)."""
    from addin.adapters.mail.job import describe
    from addin.core.texts import count_text

    job = stop.job
    reason = stop.reason[:1].upper() + stop.reason[1:]
    lines = [
        f"{reason}. De run is gestopt: zonder een regel in het verzendlogboek gaat er "
        "geen e-mail meer weg."
    ]
    if not job.sent:
        lines.append("Er is geen e-mail verstuurd.")
    else:
        went = count_text(len(job.sent), "e-mail", "e-mails")
        lines.append(f"Wel verstuurd vóór de fout: {went}:")
        lines += [f"  {describe(book, s.customer)}: {s.document}" for s in job.sent]
        if job.written:
            lines.append(
                "Verzonden is ingevuld in Contacten, dus de volgende 'verstuur' stuurt die niet "
                "nog eens."
            )
        else:
            # Neither the journal nor Verzonden may hold them: only the user can.
            lines.append(
                f"Let op: Verzonden kon niet in de werkmap worden gezet ({job.write_reason}). "
                # Said in the ribbon's message box too: the flag is the command line's.
                "Vul Verzonden bij deze brieven zelf in in Contacten (of geef, als het "
                "verzendlogboek weer werkt, op de opdrachtregel --markeer-verzonden DOCUMENT), "
                "anders gaan ze de volgende keer opnieuw."
            )
    if job.unsure:
        lines.append(
            "Onzeker (controleer uw verzonden e-mail, dan --markeer-verzonden DOCUMENT of "
            "--opnieuw DOCUMENT):"
        )
        lines += [f"  {describe(book, n.customer)}: {n.document}" for n in job.unsure]
    lines.append(
        "De andere brieven zijn niet verstuurd; ze gaan mee met de volgende 'verstuur', als "
        "het verzendlogboek weer regels aanneemt."
    )
    return "\n".join(lines)


def _way(job: SendJob) -> str:
    return {"SMTP": "SMTP", "Outlook concepten": "Outlook (concepten)"}.get(job.way, "Outlook")


def cmd_wachtwoord(args: argparse.Namespace) -> int:
    from addin.adapters.mail.password import PASSWORD_ENV, PasswordError, store_password
    from addin.adapters.workbook.reader import read_book

    book, _problems = read_book(args.boek)
    s = book.settings
    if not s.smtp_server.strip() or not s.smtp_user.strip():
        return fail(
            args,
            "vul eerst in Instellingen SMTP-server en SMTP-gebruiker in; het wachtwoord hoort "
            "bij die gebruiker op die server",
        )
    ask = getattr(args, "ask", None) or _ask_password
    try:
        password = ask(f"Wachtwoord voor {s.smtp_user} op {s.smtp_server} (wordt niet getoond): ")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the prompt: the user stopped
        print(file=sys.stderr)  # end the prompt's line
        password = ""
    if not password:
        return fail(args, "geen wachtwoord ingevoerd; er is niets bewaard")
    try:
        store_password(s.smtp_user, s.smtp_server, password)
    except PasswordError as exc:
        return fail(args, f"{exc}.")
    message = (
        f"Het wachtwoord voor {s.smtp_user} op {s.smtp_server} is bewaard in de wachtwoordkluis "
        f"van het systeem (niet in de werkmap). {PASSWORD_ENV} gaat voor, als die gezet is."
    )
    if args.json:
        print_json({"bewaard": True, "gebruiker": s.smtp_user, "server": s.smtp_server})
    else:
        print(message)
    return EXIT_OK


def register_verstuur(sub: Any) -> None:
    help_text = "de e-mails van de gemaakte brieven versturen (Verstuur e-mails)"
    p = sub.add_parser("verstuur", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("--datum", type=parse_day, default=None,
                   help="brieven t/m deze datum JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--proef", action="store_true",
                   help="alleen tonen wat zou gaan, aan wie, met welke bijlagen")  # fmt: skip
    group = p.add_mutually_exclusive_group()
    group.add_argument("--markeer-verzonden", metavar="DOCUMENT", default=None,
                       help="een brief als verzonden vastleggen (onbekende afloop), "
                            "of als gepost (te printen, ook het papieren exemplaar)")  # fmt: skip
    # Repeatable: two lost connections in a row leave two letters unsure.
    group.add_argument("--opnieuw", metavar="DOCUMENT", default=None, action="append",
                       help="een brief met onbekende afloop opnieuw versturen "
                            "(mag vaker: --opnieuw A --opnieuw B)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_verstuur)


def register_wachtwoord(sub: Any) -> None:
    help_text = "het SMTP-wachtwoord eenmalig bewaren in de wachtwoordkluis van het systeem"
    p = sub.add_parser("wachtwoord", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_wachtwoord)
