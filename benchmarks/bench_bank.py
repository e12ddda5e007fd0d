"""Time `read_bank_file` on a generated CAMT.053 with 50,000 entries.

Usage: ``python benchmarks/bench_bank.py [--entries 50000] [--out /tmp/bench-camt053.xml]``.
The file is written outside the repository (default /tmp) and is deterministic. Example
output: ``50000 entries, 20.7 MB, parsed into 50000 lines in 2.3 s``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addin.adapters.bankfiles import read_bank_file

ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-{month:02d}-{day:02d}</Dt></BookgDt><AcctSvcrRef>REF{n:08d}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E{n}</EndToEndId></Refs><RltdPties>
<Dbtr><Nm>Klant {c}</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA04171{c:05d}</IBAN></Id></DbtrAcct>
</RltdPties><RmtInf><Ustrd>Factuur 2026-{n:05d}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""


def generate(path: Path, entries: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>BENCH</MsgId></GrpHdr><Stmt><Id>BENCH</Id>"
            "<Acct><Id><IBAN>NL02RABO0123456789</IBAN></Id></Acct>\n"
        )
        for n in range(entries):
            out.write(
                ENTRY.format(
                    amount=f"{(n * 37) % 5000 + 1}.{n % 100:02d}",
                    ind="DBIT" if n % 10 == 0 else "CRDT",
                    month=n % 12 + 1,
                    day=n % 28 + 1,
                    n=n,
                    c=n % 20000,
                )
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-camt053.xml"))
    args = parser.parse_args()
    generate(args.out, args.entries)
    start = time.perf_counter()
    lines = read_bank_file(args.out)
    elapsed = time.perf_counter() - start
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.entries} entries, {size:.1f} MB, parsed into {len(lines)} lines in {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
