"""An e-mail draft (.eml) from the output folder, made ready to send as it is.

The user may have edited the draft; those edits count. What is changed, and why:

- Recipients come only from the draft's To header, each address parsed and validated; the
  To header is written again from those parsed parts (a display name can never become an
  address or a header). Cc and Bcc headers are dropped: no recipient comes from anywhere
  else. With "BCC aan mijzelf" the E-mail setting gets a copy, in the envelope only.
- From is the SMTP-afzender (else the E-mail setting); Reply-To the E-mail setting.
- X-Unsent (the draft marker for classic Outlook) is removed.
- A draft without Message-ID or Date gets one, so the journal can name the message.

Example::

    draft = load_draft(Path("uitvoer/2026-12-05/x.eml"), Sender("Bakkerij", "info@b.nl"))
    draft.to -> ("jan@klant.nl",), draft.message_id -> "<1733...@b.nl>"
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

# A conservative address check (RFC 5321 dot-atom local part, letters allowed for RFC 6531;
# a domain of letter/digit labels with a dot). The letters engineer's core.addresses (email-
# validator) replaces this once it is on main.
_LOCAL = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


class DraftError(Exception):
    """The draft cannot be sent; the Dutch message says why."""


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends: the name shown, the From address, the Reply-To and the Bcc copy."""

    name: str
    address: str
    reply_to: str = ""
    bcc: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft ready to go.

    Attributes:
      to: the validated To addresses (the only recipients besides `bcc`).
      bcc: the sender's own copy, or empty.
      message: the message as it will be sent (headers adjusted, body as the user left it).
      attachments: the attached files' names.
      smtputf8: an address has a non-ASCII local part (needs the server's SMTPUTF8).
    """

    path: Path
    to: tuple[str, ...]
    bcc: tuple[str, ...]
    message_id: str
    subject: str
    message: EmailMessage
    attachments: tuple[str, ...]
    smtputf8: bool

    def as_bytes(self) -> bytes:
        chosen = policy.SMTPUTF8 if self.smtputf8 else policy.SMTP
        return self.message.as_bytes(policy=chosen)


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def clean_name(text: str) -> str:
    """A display name safe in a header: no control characters, no encoded-word markers."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    cleaned = cleaned.replace("=?", "= ?").replace("?=", "? =")
    return " ".join(cleaned.split())


def valid_address(address: str) -> bool:
    if has_control(address) or address.count("@") != 1 or len(address) > 254:
        return False
    local, domain = address.split("@")
    labels = domain.split(".")
    return (
        bool(_LOCAL.match(local))
        and len(local) <= 64
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
    )


def _single(address: str, what: str) -> Address:
    """An address from a setting (From, Reply-To, Bcc): exactly one valid address."""
    text = address.strip()
    if not valid_address(text):
        raise DraftError(f"de instelling {what} '{text}' is geen geldig e-mailadres")
    local, domain = text.split("@")
    return Address(username=local, domain=domain)


def load_draft(path: Path, sender: Sender, now: datetime | None = None) -> Draft:
    """Read and check the draft at `path`; DraftError (Dutch) when it cannot go."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"het e-mailconcept {path.name} kan niet worden gelezen ({exc})") from exc
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    to = _recipients(msg, path)
    from_addr = _single(sender.address, "SMTP-afzender / E-mail")
    from_addr = Address(
        display_name=clean_name(sender.name), username=from_addr.username, domain=from_addr.domain
    )
    for header in ("From", "Reply-To", "Sender", "To", "Cc", "Bcc", "Resent-To", "Resent-Cc",
                   "Resent-Bcc", "X-Unsent", "Return-Path"):  # fmt: skip
        del msg[header]
    msg["From"] = from_addr
    if sender.reply_to and sender.reply_to.strip().casefold() != sender.address.strip().casefold():
        reply = _single(sender.reply_to, "E-mail")
        msg["Reply-To"] = Address(clean_name(sender.name), reply.username, reply.domain)
    msg["To"] = [Address(clean_name(name), *addr.split("@")) for name, addr in to]
    if not msg["Date"]:
        msg["Date"] = format_datetime(now or datetime.now(UTC).astimezone())
    message_id = str(msg["Message-ID"] or "").strip()
    if not message_id or has_control(message_id):
        del msg["Message-ID"]
        message_id = make_msgid("debiteuren", domain=from_addr.domain)
        msg["Message-ID"] = message_id
    bcc: tuple[str, ...] = ()
    if sender.bcc:
        own = _single(sender.bcc, "E-mail")
        bcc = (own.addr_spec,)
    addresses = tuple(addr for _, addr in to)
    attachments = tuple(part.get_filename() or "bijlage" for part in msg.iter_attachments())
    return Draft(
        path=path,
        to=addresses,
        bcc=bcc,
        message_id=message_id,
        subject=str(msg["Subject"] or ""),
        message=msg,
        attachments=attachments,
        smtputf8=any(not a.isascii() for a in (*addresses, *bcc, from_addr.addr_spec)),
    )


def _recipients(msg: EmailMessage, path: Path) -> list[tuple[str, str]]:
    header = msg["To"]
    if header is None or not str(header).strip():
        raise DraftError("geen e-mailadres: het concept heeft geen geadresseerde (Aan)")
    if has_control(str(header)):
        raise DraftError("het adres in het concept bevat een regelovergang of onzichtbaar teken")
    try:
        groups = header.groups
    except AttributeError:
        raise DraftError(f"het adres '{header}' in het concept is niet te lezen") from None
    found: list[tuple[str, str]] = []
    for group in groups:
        if group.display_name is not None:
            raise DraftError(
                f"het adres '{header}' in het concept is een groep (geef losse adressen)"
            )
        for a in group.addresses:
            addr = f"{a.username}@{a.domain}"
            if not a.username or not a.domain or not valid_address(addr):
                raise DraftError(f"'{addr or header}' in het concept is geen geldig e-mailadres")
            if addr.casefold() not in {f.casefold() for _, f in found}:
                found.append((a.display_name, addr))
    if getattr(header, "defects", ()):
        raise DraftError(f"het adres '{header}' in het concept is niet goed geschreven")
    if not found:
        raise DraftError("geen e-mailadres: het concept heeft geen geadresseerde (Aan)")
    return found


def plain_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def html_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else ""
