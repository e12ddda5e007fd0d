"""An e-mail draft (.eml) from the output folder, made ready to send as it is.

The user may have edited the draft; those edits count. What is changed, and why:

- Recipients come only from the draft's To header, each address parsed and validated; the
  To header is written again from those parsed parts (a display name can never become an
  address or a header). Cc and Bcc headers are dropped: no recipient comes from anywhere
  else. With "BCC aan mijzelf" the E-mail setting gets a copy, in the envelope only.
- From is the SMTP-afzender (else the E-mail setting); Reply-To the E-mail setting.
- X-Unsent (the draft marker for classic Outlook) is removed.
- A draft without Message-ID gets one, so the journal can name the message.
- Date is the moment the message is made ready to send, not when the draft was written:
  a letter reviewed on Monday and sent on Thursday would otherwise arrive dated Monday,
  sorted below the customer's newer mail, and spam filters score a Date days in the past.

Example::

    draft = load_draft(Path("uitvoer/2026-12-05/x.eml"), Sender("Bakkerij", "info@b.nl"))
    draft.to -> ("jan@klant.nl",), draft.message_id -> "<1733...@b.nl>"
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from addin.core.addresses import has_control, header_text, parse_address


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
      data: the message as it will be sent: the draft's body bytes as the user left them,
        under the adjusted header block.
      smtputf8: an address has a non-ASCII local part (needs the server's SMTPUTF8).
    """

    path: Path
    to: tuple[str, ...]
    bcc: tuple[str, ...]
    message_id: str
    subject: str
    data: bytes
    smtputf8: bool

    def as_bytes(self) -> bytes:
        return self.data

    @property
    def message(self) -> EmailMessage:
        """The whole message parsed (Outlook and --proef need its parts; SMTP does not)."""
        msg = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def attachments(self) -> tuple[str, ...]:
        return tuple(p.get_filename() or "bijlage" for p in self.message.iter_attachments())


def clean_name(text: str) -> str:
    """A display name safe in a header (core.addresses.header_text)."""
    return header_text(text)


def valid_address(address: str) -> bool:
    """One address as the letters check it (core.addresses: email-validator, no DNS)."""
    return len(address) <= 254 and not isinstance(parse_address(address), str)


def _single(address: str, what: str) -> Address:
    """An address from a setting (From, Reply-To, Bcc): exactly one valid address."""
    text = address.strip()
    if not valid_address(text):
        raise DraftError(f"de instelling {what} '{text}' is geen geldig e-mailadres")
    local, domain = text.split("@")
    return Address(username=local, domain=domain)


# Headers never passed on from a draft: recipients come only from To (written again from
# its parsed addresses), the sender from the settings; X-Unsent is the draft marker; Date is
# when the message goes (module docstring).
DROPPED = frozenset(
    h.lower()
    for h in ("From", "Reply-To", "Sender", "To", "Cc", "Bcc", "Resent-From", "Resent-Sender",
              "Resent-To", "Resent-Cc", "Resent-Bcc", "X-Unsent", "Return-Path", "Date")
)  # fmt: skip


def _split(raw: bytes) -> tuple[list[bytes], bytes]:
    """The header fields (each with its folded lines, CRLF-ended) and the body bytes."""
    ends = [at for at in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if at >= 0]
    if not ends:
        head, body = raw, b""
    else:
        at = min(ends)
        sep = 4 if raw[at : at + 4] == b"\r\n\r\n" else 2
        head, body = raw[:at], raw[at + sep :]
    fields: list[bytes] = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + b"\r\n"
        elif line:
            fields.append(line + b"\r\n")
    return fields, body


def _name(field: bytes) -> str:
    return field.split(b":", 1)[0].strip().decode("ascii", "replace").lower()


def _value(field: bytes) -> str:
    text = field.split(b":", 1)[1] if b":" in field else b""
    return text.decode("utf-8", "replace").replace("\r\n", "").strip()


def draft_message_id(path: Path) -> str:
    """The draft's own Message-ID as load_draft keeps it, or '' (none, unusable, unreadable).
    Only the header block is read."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return ""
    fields, _body = _split(head)
    found = {_name(f): _value(f) for f in reversed(fields)}
    message_id = found.get("message-id", "")
    if not message_id or has_control(message_id) or " " in message_id:
        return ""
    return message_id


def draft_names_recipient(path: Path) -> bool:
    """Whether the draft's To holds anything (valid or not: load_draft judges that). Only
    the header block is read; an unreadable draft names nobody."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return False
    fields, _body = _split(head)
    found = {_name(f): _value(f) for f in reversed(fields)}
    return bool(found.get("to", "").strip())


def load_draft(path: Path, sender: Sender, now: datetime | None = None) -> Draft:
    """Read and check the draft at `path`; DraftError (Dutch) when it cannot go.

    Only the header block is parsed and rewritten; the body (text, HTML, the PDF) goes as
    its bytes are in the file, so sending stays fast and the user's edits stay exact."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"het e-mailconcept {path.name} kan niet worden gelezen ({exc})") from exc
    fields, body = _split(raw)
    found = {_name(f): _value(f) for f in reversed(fields)}  # the first of each name wins
    to = _recipients(found.get("to", ""))
    own = _single(sender.address, "SMTP-afzender / E-mail")
    from_addr = Address(clean_name(sender.name), own.username, own.domain)
    bcc: tuple[str, ...] = ()
    if sender.bcc:
        bcc = (_single(sender.bcc, "E-mail").addr_spec,)
    addresses = tuple(addr for _, addr in to)
    utf8 = any(not a.isascii() for a in (*addresses, *bcc, from_addr.addr_spec))
    head = EmailMessage(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    head["From"] = from_addr
    if sender.reply_to and sender.reply_to.strip().casefold() != sender.address.strip().casefold():
        reply = _single(sender.reply_to, "E-mail")
        head["Reply-To"] = Address(clean_name(sender.name), reply.username, reply.domain)
    head["To"] = [Address(clean_name(name), *addr.split("@")) for name, addr in to]
    message_id = found.get("message-id", "")
    if not message_id or has_control(message_id) or " " in message_id:
        message_id = make_msgid("debiteuren", domain=own.domain)
        head["Message-ID"] = message_id
    head["Date"] = format_datetime(now or datetime.now(UTC).astimezone())
    kept = [
        f
        for f in fields
        if _name(f) not in DROPPED and not (_name(f) == "message-id" and "Message-ID" in head)
    ]
    new_head = head.as_bytes().rstrip(b"\r\n") + b"\r\n"
    subject = ""
    if "subject" in found:
        subject = str(policy.default.header_factory("Subject", found["subject"]))
    return Draft(
        path=path,
        to=addresses,
        bcc=bcc,
        message_id=message_id,
        subject=subject,
        data=new_head + b"".join(kept) + b"\r\n" + body,
        smtputf8=utf8,
    )


# Encoded words (RFC 2047) next to each other, separated only by white space.
_ENCODED = r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?="
_ENCODED_RUN = re.compile(rf"{_ENCODED}(?:\s+{_ENCODED})+")


def _joined_encoded_words(text: str) -> str:
    """Each run of adjacent encoded words as one encoded word of the same text.

    The white space between adjacent encoded words is not part of the text (RFC 2047 6.2),
    and folding a long display name splits it between two of them, even inside a word
    ("...Hold?=" "=?utf-8?q?ing?="). Python's address parser keeps that space, so a sent
    e-mail greeted "Bakkerij Hold ing"; its decode_header drops it as the RFC says. The
    joined text stays one encoded word, so the address parser still reads it as a name only
    and never as an address."""

    def join(match: re.Match[str]) -> str:
        try:
            decoded = str(make_header(decode_header(match.group(0))))
        except (HeaderParseError, LookupError, UnicodeDecodeError):
            return match.group(0)  # left to the address parser, which names what is wrong
        return "=?utf-8?b?" + base64.b64encode(decoded.encode("utf-8")).decode("ascii") + "?="

    return _ENCODED_RUN.sub(join, text)


def _recipients(text: str) -> list[tuple[str, str]]:
    """(display name, address) for each address of the draft's To, each validated."""
    if not text.strip():
        raise DraftError("geen e-mailadres: het concept heeft geen geadresseerde (Aan)")
    if has_control(text):
        raise DraftError("het adres in het concept bevat een regelovergang of onzichtbaar teken")
    header = policy.default.header_factory("To", _joined_encoded_words(text))
    groups = getattr(header, "groups", None)
    # A non-ASCII local part is RFC 6531 (SMTPUTF8), which the letter run writes on purpose
    # for such an address; the parser still calls it a defect. Each address is validated
    # below, and its message goes only to a server that offers SMTPUTF8.
    defects = [
        d for d in getattr(header, "defects", ()) if not isinstance(d, NonASCIILocalPartDefect)
    ]
    if groups is None or defects:
        raise DraftError(f"het adres '{text}' in het concept is niet goed geschreven")
    found: list[tuple[str, str]] = []
    for group in groups:
        if group.display_name is not None:
            raise DraftError(
                f"het adres '{text}' in het concept is een groep (geef losse adressen)"
            )
        for a in group.addresses:
            addr = f"{a.username}@{a.domain}"
            if not a.username or not a.domain or not valid_address(addr):
                raise DraftError(
                    f"'{addr if a.username else text}' in het concept is geen geldig e-mailadres"
                )
            if addr.casefold() not in {f.casefold() for _, f in found}:
                found.append((a.display_name, addr))
    if not found:
        raise DraftError("geen e-mailadres: het concept heeft geen geadresseerde (Aan)")
    return found


def plain_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def html_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else ""
