"""A real SMTP server in the test process (aiosmtpd): STARTTLS with a self-signed
certificate made here, AUTH PLAIN/LOGIN checked against a password, and faults on demand
(a refused or temporarily failing recipient, a connection dropped after N messages, the
sending process killed after N messages)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "info@bakkerij.nl", "geheim-wachtwoord-8472"


def make_certificate(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1: (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}-cert.pem", folder / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    """Collects messages; the fault fields make it misbehave."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550 on RCPT
    temporary: set[str] = field(default_factory=set)  # 451 on RCPT
    drop_after: int | None = None  # close the connection at the next MAIL after N messages
    drop_in_data_after: int | None = None  # close it during DATA (fate unknown to the client)
    drop_in_data_from: int | None = None  # close it during every DATA once N messages are in
    kill_after: int | None = None  # SIGKILL kill_pid once N messages are in
    kill_pid: int | None = None
    kill_signal: int = signal.SIGKILL  # SIGINT: Ctrl-C
    logins: list[str] = field(default_factory=list)
    dropped: int = 0

    async def handle_MAIL(self, server, session, envelope, address, options):
        if (
            self.drop_after is not None
            and len(self.received) >= self.drop_after
            and not self.dropped
        ):
            self.dropped += 1
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.temporary:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_in_data_from is not None and len(self.received) >= self.drop_in_data_from:
            self.dropped += 1
            server.transport.close()
            return "421 closing"
        if (
            self.drop_in_data_after is not None
            and len(self.received) >= self.drop_in_data_after
            and not self.dropped
        ):
            self.dropped += 1
            server.transport.close()
            return "421 closing"
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        if self.kill_after is not None and len(self.received) == self.kill_after:
            assert self.kill_pid is not None
            os.kill(self.kill_pid, self.kill_signal)  # before the client hears "250"
        return "250 Message accepted"


def authenticator(handler: Handler, password: str = PASSWORD):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        ok = login == USER and auth_data.password.decode() == password
        handler.logins.append(f"{mechanism}:{login}:{ok}")
        return AuthResult(success=ok, handled=False)

    return check


class MailServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required (or TLS from the start: `implicit_tls`)
    and AUTH; `handler` sees every message."""

    def __init__(
        self,
        cert: Path,
        key: Path,
        *,
        auth: bool = True,
        no_plain: bool = False,
        smtputf8: bool = False,
        implicit_tls: bool = False,
    ):
        self.handler = Handler()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.port = free_port()
        kwargs: dict = {"enable_SMTPUTF8": smtputf8}
        if implicit_tls:  # SMTP-beveiliging SSL (port 465): TLS from the first byte
            kwargs["ssl_context"] = context
        else:
            kwargs |= {"tls_context": context, "require_starttls": True}
        if auth:
            # aiosmtpd counts only STARTTLS as TLS (its _tls_protocol), not a connection that
            # began in TLS, so with implicit_tls it would never offer AUTH.
            kwargs |= {
                "authenticator": authenticator(self.handler),
                "auth_require_tls": not implicit_tls,
            }
            if no_plain:
                kwargs["auth_exclude_mechanism"] = ["PLAIN"]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received
