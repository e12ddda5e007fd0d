"""Sending (issue 16): 200 letters' e-mails through a local SMTP server, with the rate limit
set high. Target: at most 20 s.

    python benchmarks/bench_send.py [--brieven 200] [--herhaal 3]

The server is aiosmtpd in this process, on 127.0.0.1, with STARTTLS (a certificate made
for the run) and AUTH PLAIN, as a hosting provider's mailbox asks; each message carries its
letter PDF. Timed: `debiteuren verstuur` as the command line runs it: reading the workbook,
the plan, the drafts, the journal (fsync'd twice per message), the SMTP conversation and the
one write of Contacten.Verzonden. Not timed: making the letters (bench_letters.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.cli import main  # noqa: E402
from tests.mailserver import PASSWORD, MailServer, make_certificate  # noqa: E402
from tests.sendbook import DAY, send_book, write_send_book  # noqa: E402

TARGET_S = 20.0


def one_run(n: int, folder: Path, cert: Path, key: Path) -> float:
    with MailServer(cert, key) as server:
        # The highest Max e-mails per minuut the workbook accepts (100,000: a 0.6 ms pause).
        path = write_send_book(send_book(n, server.port, per_minute=100_000), folder / "B.xlsx")
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["herinneringen", str(path), "--datum", DAY.isoformat(), "--json"]) == 0
            start = time.perf_counter()
            code = main(["verstuur", str(path), "--datum", DAY.isoformat(), "--json"])
            took = time.perf_counter() - start
        assert code == 0, code
        assert len(server.received) == n, len(server.received)
    return took


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brieven", type=int, default=200)
    parser.add_argument("--herhaal", type=int, default=3)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        cert, key = make_certificate(base)
        os.environ["DEBITEUREN_SMTP_CA"] = str(cert)
        os.environ["DEBITEUREN_SMTP_WACHTWOORD"] = PASSWORD
        for k in range(args.herhaal):
            folder = base / f"run{k}"
            folder.mkdir()
            times.append(one_run(args.brieven, folder, cert, key))
            print(f"run {k + 1}: {args.brieven} e-mails in {times[-1]:.2f} s")
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_S else "TE TRAAG"
    print(
        f"{args.brieven} e-mails via SMTP (STARTTLS, AUTH, PDF-bijlage): mediaan {median:.2f} s "
        f"({args.brieven / median:.0f} per s); doel <= {TARGET_S:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    main_bench()
