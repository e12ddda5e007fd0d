"""Time `read_bank` on a generated CAMT.053 with 50,000 entries (target: at most 4 s).

Usage: ``python benchmarks/bench_bank.py [--entries 50000] [--herhaal 3] [--out PATH]``.
The file is written outside the repository (default /tmp) and is deterministic; it has
opening and closing balances, so the balance check runs too. Example output::

    50000 entries, 20.8 MB, parsed into 50000 lines: mediaan 2.4 s, minimum 2.3 s
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addin.adapters.bank.files import read_bank

ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-{month:02d}-{day:02d}</Dt></BookgDt><AcctSvcrRef>REF{n:08d}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E{n}</EndToEndId></Refs><RltdPties>
<Dbtr><Nm>Klant {c}</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA04171{c:05d}</IBAN></Id></DbtrAcct>
</RltdPties><RmtInf><Ustrd>Factuur 2026-{n:05d}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""


def amount(n: int) -> str:
    return f"{(n * 37) % 5000 + 1}.{n % 100:02d}"


def generate(path: Path, entries: int) -> None:
    total = sum(
        (Decimal(amount(n)) * (-1 if n % 10 == 0 else 1) for n in range(entries)), Decimal(0)
    )
    opening = Decimal("100000.00")
    closing = opening + total
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>BENCH</MsgId></GrpHdr><Stmt><Id>BENCH</Id>"
            "<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id></Acct>\n"
            f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>'
            "<CdtDbtInd>CRDT</CdtDbtInd></Bal>\n"
            f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(closing)}'
            f"</Amt><CdtDbtInd>{'CRDT' if closing >= 0 else 'DBIT'}</CdtDbtInd></Bal>\n"
        )
        for n in range(entries):
            out.write(
                ENTRY.format(
                    amount=amount(n),
                    ind="DBIT" if n % 10 == 0 else "CRDT",
                    month=n % 12 + 1,
                    day=n % 28 + 1,
                    n=n,
                    c=n % 20000,
                )
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--herhaal", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-camt053.xml"))
    args = parser.parse_args()
    generate(args.out, args.entries)
    times = []
    read = None
    for _ in range(args.herhaal):
        start = time.perf_counter()
        read = read_bank(args.out)
        times.append(time.perf_counter() - start)
    assert read is not None and not read.warnings, "the generated statement must add up"
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.entries} entries, {size:.1f} MB, parsed into {len(read.lines)} lines: "
        f"mediaan {statistics.median(times):.1f} s, minimum {min(times):.1f} s"
    )


if __name__ == "__main__":
    main()
