"""Workbooks for the send tests: N customers each with one overdue invoice, so the letter
run makes one reminder (Brief en e-mail) per customer, and the settings pointing at a local
SMTP server."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from addin.adapters.workbook.book_writer import write_book
from addin.core.model import Book, Customer, CustomerKind, Invoice, Segment, Settings

DAY = date(2026, 12, 1)


def customer_email(k: int) -> str:
    return f"klant{k:03d}@voorbeeld.nl"


def send_book(
    n: int,
    port: int = 25,
    *,
    via: str = "SMTP",
    security: str = "STARTTLS",
    user: str = "info@bakkerij.nl",
    per_minute: int = 100_000,
    consumers: bool = False,
    emails: dict[int, str] | None = None,
    bcc_self: bool = False,
) -> Book:
    settings = Settings(
        company_name="Bakkerij De Korenschoof",
        address="Dorpsstraat 1",
        postcode="1234 AB",
        city="Ergens",
        iban="NL91ABNA0417164300",
        email="info@bakkerij.nl",
        send_via=via,
        smtp_server="127.0.0.1",
        smtp_port=port,
        smtp_security=security,
        smtp_user=user,
        max_mails_per_minute=per_minute,
        bcc_self=bcc_self,
    )
    customers, invoices = [], []
    for k in range(1, n + 1):
        number = f"K{k:03d}"
        email = (emails or {}).get(k, customer_email(k))
        customers.append(
            Customer(
                number,
                f"Klant {k:03d} BV",
                kind=CustomerKind.CONSUMER if consumers else CustomerKind.BUSINESS,
                address=f"Straat {k}",
                postcode="1000 AA",
                city="Amsterdam",
                email=email,
                segment=Segment.C,
                row=k + 1,
            )
        )
        invoices.append(
            Invoice(
                f"2026-{k:04d}",
                number,
                DAY - timedelta(days=40),
                Decimal("121.00") + k,
                due_date=DAY - timedelta(days=10),
                row=k + 1,
            )
        )
    return Book(settings=settings, customers=tuple(customers), invoices=tuple(invoices))


def write_send_book(book: Book, path: Path) -> Path:
    write_book(book, path)
    return path


def with_settings(book: Book, **changes: object) -> Book:
    return replace(book, settings=replace(book.settings, **changes))
