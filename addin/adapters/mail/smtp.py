"""Sending through an SMTP server (smtplib): STARTTLS, SSL, or none on this computer only.

Each message goes as MAIL FROM, RCPT TO for each recipient, then DATA. The journal line is
written between RCPT and DATA (`before_data`): up to then a failure means the message did
not leave; after it, a lost connection leaves its fate unknown (the server may have taken
it). Every failure becomes a `SendError` with a Dutch reason; `fatal` ones (no connection,
wrong password, a certificate that does not verify) stop the run's other messages too, so a
wrong password is not tried two hundred times.

The certificate is checked against the system's trusted CAs, plus the file named by the
environment variable DEBITEUREN_SMTP_CA when set (a company CA, or a test's own).

Example::

    with SmtpTransport(SmtpConfig("smtp.example.nl", 587, "STARTTLS", "info@b.nl"), pw) as t:
        t.send(draft, envelope_from="info@b.nl", before_data=lambda: journal.record(...))
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from addin.adapters.mail.message import Draft

CA_ENV = "DEBITEUREN_SMTP_CA"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_PORTS = {"STARTTLS": 587, "SSL": 465, "Geen": 25}
TIMEOUT = 60.0  # seconds a server may stay silent; a big attachment takes a while
CLOSING = 421  # RFC 5321 4.2.3: the server closes the connection (whatever command it answers)


class SendError(Exception):
    """A message did not (certainly) go; `reason` is Dutch.

    Attributes:
      unsure: the message was handed over and the answer never came (fate unknown).
      fatal: the connection itself failed; the other messages cannot go either.
      lost: an open connection broke or went silent (TIMEOUT) while this message went; the
        next message tries a new one.
    """

    def __init__(
        self, reason: str, *, unsure: bool = False, fatal: bool = False, lost: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason, self.unsure, self.fatal, self.lost = reason, unsure, fatal, lost


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    server: str
    port: int
    security: str  # STARTTLS / SSL / Geen
    user: str = ""


def ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca = os.environ.get(CA_ENV, "").strip()
    if ca:
        try:
            context.load_verify_locations(cafile=ca)
        except (OSError, ssl.SSLError) as exc:
            raise SendError(
                f"het CA-bestand '{ca}' uit {CA_ENV} kan niet worden gelezen ({exc})", fatal=True
            ) from exc
    return context


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


class SmtpTransport:
    """One connection, opened on first use and again after it was lost."""

    way = "SMTP"

    def __init__(self, config: SmtpConfig, password: str | None) -> None:
        self.config = config
        self._password = password
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def _where(self) -> str:
        return f"{self.config.server}:{self.config.port}"

    def connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        c = self.config
        if c.security == "Geen" and c.server.strip().casefold() not in LOOPBACK:
            raise SendError(
                f"SMTP-beveiliging Geen mag alleen naar een server op deze computer (127.0.0.1, "
                f"::1 of localhost), niet naar {c.server}; kies STARTTLS of SSL",
                fatal=True,
            )
        try:
            if c.security == "SSL":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.server, c.port, timeout=TIMEOUT, context=ssl_context()
                )
                # The server's extensions (AUTH, SMTPUTF8) are known only after EHLO; _login
                # asks for them itself, so without it SSL never logged in ("kent geen
                # aanmelding").
                smtp.ehlo()
            else:
                smtp = smtplib.SMTP(c.server, c.port, timeout=TIMEOUT)
                smtp.ehlo()
                if c.security == "STARTTLS":
                    if not smtp.has_extn("starttls"):
                        smtp.close()
                        raise SendError(
                            f"de mailserver {self._where} biedt geen STARTTLS; kies SSL of een "
                            "andere poort (587 voor STARTTLS, 465 voor SSL)",
                            fatal=True,
                        )
                    smtp.starttls(context=ssl_context())
                    smtp.ehlo()
            if c.user:
                if not self._password:
                    smtp.close()
                    raise SendError(
                        f"geen wachtwoord voor {c.user}: sla het op met 'debiteuren wachtwoord' "
                        "of zet DEBITEUREN_SMTP_WACHTWOORD",
                        fatal=True,
                    )
                _login(smtp, c.user, self._password)
        except SendError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"de mailserver {self._where} weigert gebruiker {c.user} met dit wachtwoord "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); sla het juiste wachtwoord op met "
                "'debiteuren wachtwoord' (bij Gmail: een app-wachtwoord)",
                fatal=True,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise SendError(
                f"het certificaat van de mailserver {self._where} kan niet worden gecontroleerd "
                f"({exc.verify_message or exc}); controleer de SMTP-server, of wijs met "
                f"{CA_ENV} het CA-bestand van uw bedrijf aan",
                fatal=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(
                f"de mailserver {self._where} kent geen aanmelding (AUTH); laat SMTP-gebruiker "
                "leeg of kies een andere server of poort",
                fatal=True,
            ) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise SendError(
                f"de mailserver {self._where} is niet bereikbaar of antwoordt niet goed ({exc}); "
                f"controleer SMTP-server, SMTP-poort en SMTP-beveiliging{_mismatch(c, exc)}",
                fatal=True,
            ) from None
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _lost(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def send(self, draft: Draft, envelope_from: str, before_data: Callable[[], None]) -> None:
        """Send one draft; `before_data` runs (the journal) right before the message leaves."""
        reused = self._smtp is not None
        smtp = self.connect()
        try:
            self._envelope(smtp, draft, envelope_from)
        except SendError as exc:
            if not (exc.lost and reused):
                raise
            # The server closed a connection that earlier messages used (a limit of messages
            # per connection, an idle timeout) before anything of this one left: once more
            # on a new connection, instead of leaving this letter for the next run.
            smtp = self.connect()
            self._envelope(smtp, draft, envelope_from)
        before_data()
        try:
            code, text = smtp.data(draft.as_bytes())
        except smtplib.SMTPDataError as exc:
            self._reset()
            raise _refused(exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._lost()
            raise SendError(
                f"de verbinding met de mailserver viel weg tijdens het versturen ({exc}); "
                "onbekend of het bericht is aangekomen",
                unsure=True,
                lost=True,
            ) from None
        if code != 250:
            self._reset()
            raise _refused(code, text)

    def _envelope(self, smtp: smtplib.SMTP, draft: Draft, envelope_from: str) -> None:
        """MAIL FROM and RCPT TO for each recipient; a SendError (Dutch) when one is refused
        or the connection is lost (`lost`), and nothing of the message has left."""
        options: list[str] = []
        if draft.smtputf8:
            if not smtp.has_extn("smtputf8"):
                raise SendError(
                    "het adres heeft letters buiten ASCII en de mailserver kan dat niet "
                    "(geen SMTPUTF8); verstuur deze brief zelf"
                )
            options.append("SMTPUTF8")
        try:
            code, text = smtp.mail(envelope_from, options)
            if code == CLOSING:
                raise smtplib.SMTPServerDisconnected(_reply(code, text))
            if code != 250:
                smtp.rset()
                reply = _reply(code, text)
                raise SendError(f"de mailserver weigert de afzender {envelope_from} ({reply})")
            for rcpt in (*draft.to, *draft.bcc):
                code, text = smtp.rcpt(rcpt)
                if code == CLOSING:
                    raise smtplib.SMTPServerDisconnected(_reply(code, text))
                if code not in (250, 251):
                    smtp.rset()
                    if 400 <= code < 500:
                        raise SendError(
                            f"de mailserver weigert {rcpt} tijdelijk ({_reply(code, text)}); "
                            "probeer het later opnieuw"
                        )
                    reply = _reply(code, text)
                    raise SendError(f"de mailserver weigert het adres {rcpt} ({reply})")
        except SendError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._lost()
            raise SendError(
                f"de verbinding met de mailserver viel weg voor het versturen ({exc}); "
                "de brief gaat de volgende keer mee",
                lost=True,
            ) from None

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._lost()


def _mismatch(c: SmtpConfig, exc: BaseException) -> str:
    """A hint when the security setting does not fit the port, the usual mix-up: SSL
    (TLS from the first byte) to a server that first speaks plain text gets
    WRONG_VERSION_NUMBER at once; STARTTLS to port 465 waits for a greeting that never
    comes, as the server waits for TLS."""
    if c.security == "SSL" and getattr(exc, "reason", "") == "WRONG_VERSION_NUMBER":
        return (
            f" (de server op poort {c.port} begint zonder SSL: kies SMTP-beveiliging "
            "STARTTLS, meestal met poort 587)"
        )
    if c.security == "STARTTLS" and c.port == DEFAULT_PORTS["SSL"]:
        return f" (poort {c.port} is meestal voor SMTP-beveiliging SSL)"
    return ""


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH with one mechanism, PLAIN where offered, else LOGIN: one attempt, so a wrong
    password is tried once (smtplib's login() would try each mechanism in turn, and its
    LOGIN with an initial response trips some servers)."""
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    smtp.user, smtp.password = user, password
    if "PLAIN" in offered:
        code, text = smtp.auth("PLAIN", smtp.auth_plain)
    elif "LOGIN" in offered:
        code, text = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
    else:
        raise smtplib.SMTPNotSupportedError("no PLAIN or LOGIN")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, text)


class Refused(SendError):
    """The server answered DATA with a refusal: certainly not sent."""


def _refused(code: int, text: bytes | str) -> Refused:
    if 400 <= code < 500:
        return Refused(
            f"de mailserver weigert het bericht tijdelijk ({_reply(code, text)}); probeer het "
            "later opnieuw"
        )
    return Refused(f"de mailserver weigert het bericht ({_reply(code, text)})")


def resolve_port(security: str, port: int | None) -> int:
    return port or DEFAULT_PORTS.get(security, 587)
