"""`debiteuren verstuur` against a real SMTP server in this process (aiosmtpd, STARTTLS with a
certificate made here, AUTH checked against a password): every message once, to the right
address, with its subject, body and PDF; nothing twice; failures named per customer; a run
killed half-way and restarted; no password in any file or output (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from addin.adapters.mail.journal import JOURNAL_NAME
from addin.adapters.mail.password import PASSWORD_ENV
from addin.adapters.mail.smtp import CA_ENV
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from tests.mailserver import PASSWORD, MailServer, make_certificate
from tests.ooxml import assert_valid
from tests.sendbook import DAY, customer_email, send_book, write_send_book

ROOT = Path(__file__).resolve().parents[1]
D = DAY.isoformat()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("cert"))


@pytest.fixture
def server(certificate, monkeypatch):
    cert, key = certificate
    monkeypatch.setenv(CA_ENV, str(cert))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with MailServer(cert, key) as srv:
        yield srv


def run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def made(tmp_path: Path, n: int, port: int, capsys, **options) -> Path:
    """A workbook with n customers whose reminders were made and logged on DAY."""
    path = write_send_book(send_book(n, port, **options), tmp_path / "Boek.xlsx")
    code, data = run(capsys, "herinneringen", path, "--datum", D, "--json")
    # exit 1 where a customer's E-mail is invalid on purpose: the letter run reports it
    assert code in (0, 1) and data["gelogd"] == n
    assert code == 0 or data["problemen"]
    return path


def verzonden(path: Path) -> dict[str, str]:
    """Document -> Verzonden, read back from the file."""
    _book, problems = read_book(path)
    assert problems == ()
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Contacten").to_python()
    header = [str(h) for h in cells[0]]
    doc, sent = header.index("Document"), header.index("Verzonden")
    return {str(r[doc]): str(r[sent]) for r in cells[1:] if r[doc]}


def test_every_message_once_with_recipient_subject_body_and_pdf(tmp_path, capsys, server):
    path = made(tmp_path, 4, server.port, capsys)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0
    assert set(data) == {"datum", "verzonden", "niet_verzonden", "te_printen", "onzeker"}
    assert len(data["verzonden"]) == 4 and data["niet_verzonden"] == data["onzeker"] == []
    assert len(server.received) == 4
    by_to = {r.recipients[0]: r for r in server.received}
    for k, sent in enumerate(data["verzonden"], start=1):
        address = customer_email(k)
        assert sent["aan"] == [address] and sent["via"] == "SMTP" and sent["klant"] == f"K{k:03d}"
        got = by_to[address]
        assert got.recipients == [address] and got.sender == "info@bakkerij.nl"
        msg = got.message
        assert msg["To"].addresses[0].addr_spec == address
        assert msg["Message-ID"] == sent["message_id"]
        assert msg["X-Unsent"] is None and msg["Bcc"] is None
        assert f"2026-{k:04d}" in msg["Subject"]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "2026-" in body and "Bakkerij De Korenschoof" in body
        (pdf,) = list(msg.iter_attachments())
        eml_pdf = path.parent / sent["document"]
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content() == eml_pdf.read_bytes()
    assert all(s.endswith(" SMTP") for s in verzonden(path).values())
    assert_valid(path)
    assert server.handler.logins == ["PLAIN:info@bakkerij.nl:True"]

    # a second run sends nothing
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["verzonden"] == [] and len(server.received) == 4


def test_user_edits_to_the_draft_count_and_only_to_is_a_recipient(tmp_path, capsys, server):
    path = made(tmp_path, 1, server.port, capsys, bcc_self=True)
    (eml,) = (path.parent / "uitvoer" / D).glob("*.eml")
    text = eml.read_bytes().replace(
        b"Subject: ", b"Cc: stiekem@elders.nl\r\nSubject: Aangepast: ", 1
    )
    eml.write_bytes(text)
    code, _data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0
    (got,) = server.received
    assert got.recipients == [customer_email(1), "info@bakkerij.nl"]  # To + BCC aan mijzelf
    assert got.message["Subject"].startswith("Aangepast: ")
    assert got.message["Cc"] is None and got.message["Bcc"] is None


def test_refused_temporary_and_invalid_addresses_are_named_and_the_rest_go(
    tmp_path, capsys, server
):
    path = made(tmp_path, 5, server.port, capsys, emails={4: "geen-adres", 5: ""})
    server.handler.refuse.add(customer_email(1))
    server.handler.temporary.add(customer_email(2))
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1
    assert [s["klant"] for s in data["verzonden"]] == ["K003"]
    reasons = {n["klant"]: n["reden"] for n in data["niet_verzonden"]}
    assert set(reasons) == {"K001", "K002", "K004"}
    assert "weigert het adres" in reasons["K001"] and "550" in reasons["K001"]
    assert "tijdelijk" in reasons["K002"] and "451" in reasons["K002"]
    assert "geadresseerde" in reasons["K004"] and "concept" in reasons["K004"]  # never in the draft
    # K005 has no e-mail address at all: its Brief en e-mail letter is one to print; K003's
    # e-mail went, so its paper copy is listed after it (this same run)
    assert [n["klant"] for n in data["te_printen"]] == ["K005", "K003"]
    assert data["te_printen"][1]["reden"].startswith("de e-mail is verstuurd op ")
    assert [r.recipients for r in server.received] == [[customer_email(3)]]
    sent = verzonden(path)
    assert [d for d, v in sent.items() if v] == [data["verzonden"][0]["document"]]

    # the text summary names each customer in Dutch
    server.handler.temporary.clear()
    main(["verstuur", str(path), "--datum", D])
    out = capsys.readouterr().out
    assert "K001 Klant 001 BV" in out and "weigert het adres" in out
    assert len(server.received) == 2  # K002 went now; K001 still refused


def test_a_connection_the_server_closes_between_messages_is_opened_again(tmp_path, capsys, server):
    """The server answers 421 and closes the connection after two messages (a limit of
    messages per connection): nothing of the third had left, so it goes on a new connection
    in the same run. It was left 'niet verstuurd' for the next run."""
    path = made(tmp_path, 5, server.port, capsys)
    server.handler.drop_after = 2
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["niet_verzonden"] == data["onzeker"] == []
    assert len(data["verzonden"]) == 5 and server.handler.dropped == 1
    assert sorted(r.recipients[0] for r in server.received) == [
        customer_email(k) for k in range(1, 6)
    ]
    assert all(verzonden(path).values())


def test_connection_lost_during_data_is_unsure_until_the_user_decides(tmp_path, capsys, server):
    path = made(tmp_path, 3, server.port, capsys)
    server.handler.drop_in_data_after = 1
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1
    (unsure,) = data["onzeker"]
    assert unsure["klant"] == "K002" and unsure["aan"] == [customer_email(2)]
    assert unsure["message_id"].startswith("<")
    assert len(data["verzonden"]) == 2 and len(server.received) == 2
    # next runs leave it alone
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1 and data["verzonden"] == [] and len(data["onzeker"]) == 1
    # --opnieuw sends it again
    code, data = run(
        capsys, "verstuur", path, "--datum", D, "--opnieuw", unsure["document"], "--json"
    )
    assert code == 0 and [s["klant"] for s in data["verzonden"]] == ["K002"]
    assert len(server.received) == 3
    assert all(verzonden(path).values())


def test_markeer_verzonden_records_without_sending(tmp_path, capsys, server):
    path = made(tmp_path, 2, server.port, capsys)
    server.handler.drop_in_data_after = 0
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    (unsure,) = data["onzeker"]
    name = Path(unsure["document"]).name
    code, data = run(capsys, "verstuur", path, "--markeer-verzonden", name, "--json")
    assert code == 0 and data["verzonden"].endswith(" SMTP")
    assert verzonden(path)[unsure["document"]] == data["verzonden"]
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["verzonden"] == data["onzeker"] == []
    assert len(server.received) == 1
    code, data = run(capsys, "verstuur", path, "--markeer-verzonden", "bestaat-niet.pdf", "--json")
    assert code == 2 and "bestaat-niet.pdf" in data["fout"]


def test_auth_login_where_plain_is_not_offered(tmp_path, capsys, certificate, monkeypatch):
    cert, key = certificate
    monkeypatch.setenv(CA_ENV, str(cert))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with MailServer(cert, key, no_plain=True) as srv:
        path = made(tmp_path, 1, srv.port, capsys)
        code, _data = run(capsys, "verstuur", path, "--datum", D, "--json")
        assert code == 0 and len(srv.received) == 1
        assert srv.handler.logins == ["LOGIN:info@bakkerij.nl:True"]


def test_wrong_password_stops_at_the_first_message(tmp_path, capsys, server, monkeypatch):
    path = made(tmp_path, 3, server.port, capsys)
    monkeypatch.setenv(PASSWORD_ENV, "fout")
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1 and data["verzonden"] == [] and server.received == []
    assert len(data["niet_verzonden"]) == 3
    assert all("wachtwoord" in n["reden"] for n in data["niet_verzonden"])
    assert server.handler.logins == ["PLAIN:info@bakkerij.nl:False"]  # tried once, not three times
    assert not any(verzonden(path).values())
    # the summary gives the reason once, then '(zelfde reden)' for the other letters
    assert main(["verstuur", str(path), "--datum", D]) == 1
    out = capsys.readouterr().out
    assert out.count("weigert gebruiker") == 1 and out.count("(zelfde reden)") == 2


def test_certificate_that_does_not_verify(tmp_path, capsys, server, monkeypatch):
    path = made(tmp_path, 2, server.port, capsys)
    monkeypatch.delenv(CA_ENV)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1 and server.received == [] and server.handler.logins == []
    assert all("certificaat" in n["reden"] for n in data["niet_verzonden"])


def test_no_security_only_to_this_computer(tmp_path, capsys, server):
    book = send_book(1, server.port, security="Geen")
    from tests.sendbook import with_settings

    path = write_send_book(with_settings(book, smtp_server="mail.example.nl"), tmp_path / "B.xlsx")
    run(capsys, "herinneringen", path, "--datum", D, "--json")
    before = path.read_bytes()
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 2 and "Geen" in data["fout"] and "niets verstuurd" in data["fout"]
    assert path.read_bytes() == before
    # --proef says so too; it listed the e-mail as going via SMTP (exit 0)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--proef", "--json")
    assert code == 2 and "Geen" in data["fout"] and path.read_bytes() == before


def test_a_workbook_open_in_excel_sends_nothing_in_one_clean_message(tmp_path, capsys, server):
    path = made(tmp_path, 1, server.port, capsys)
    (path.parent / f"~${path.name}").write_text("owner")
    before = path.read_bytes()
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 2 and server.received == [] and path.read_bytes() == before
    assert "geopend in Excel" in data["fout"] and "Er is niets verstuurd." in data["fout"]
    assert ".." not in data["fout"], data["fout"]  # the refusal ends a sentence already


def test_a_run_where_every_message_fails_does_not_say_there_was_nothing_to_send(
    tmp_path, capsys, server
):
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = made(tmp_path, 1, port, capsys)
    code = main(["verstuur", str(path), "--datum", D])
    first, *rest = capsys.readouterr().out.splitlines()
    assert code == 1 and first == "Er is geen e-mail verstuurd; hieronder staat waarom.", first
    assert rest[0] == "Niet verstuurd:" and "niet bereikbaar" in rest[2], rest


def test_concept_map_sends_nothing_and_says_how_to_choose(tmp_path, capsys, server):
    path = made(tmp_path, 2, server.port, capsys, via="Concept-map")
    code = main(["verstuur", str(path), "--datum", D])
    out = capsys.readouterr().out
    assert code == 0 and "Verzenden via" in out and "Concept-map" in out
    assert server.received == []


def test_concept_map_json_counts_the_emails_ready_as_the_text_does(tmp_path, capsys, server):
    path = made(tmp_path, 3, server.port, capsys, via="Concept-map")
    code = main(["verstuur", str(path), "--datum", D])
    assert code == 0 and "3 e-mails staan klaar om te versturen." in capsys.readouterr().out
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["klaar_om_te_versturen"] == 3, data
    assert data["verzonden"] == [] and server.received == []


def test_proef_lists_recipients_and_attachments_and_sends_nothing(tmp_path, capsys, server):
    path = made(tmp_path, 2, server.port, capsys)
    before = path.read_bytes()
    code, data = run(capsys, "verstuur", path, "--datum", D, "--proef", "--json")
    assert code == 0 and data["proef"] is True and data["verzonden"] == []
    assert [x["aan"] for x in data["te_verzenden"]] == [[customer_email(1)], [customer_email(2)]]
    assert all(x["bijlagen"][0].endswith(".pdf") for x in data["te_verzenden"])
    assert server.received == [] and path.read_bytes() == before
    assert not (path.parent / JOURNAL_NAME).exists()


def without_verzonden(path: Path) -> None:
    """Make the workbook's Contacten as an older version had it: no Verzonden column."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Contacten"]
    table = ws.tables["tblContacten"]
    last = ws.max_column
    assert ws.cell(1, last).value == "Verzonden"
    ws.delete_cols(last)
    table.ref = table.ref.replace("L", "K")
    table.tableColumns = table.tableColumns[:-1]
    table.autoFilter.ref = table.ref
    wb.save(path)
    assert "Verzonden" not in [c.value for c in openpyxl.load_workbook(path)["Contacten"][1]]


def test_older_workbook_gets_the_verzonden_column(tmp_path, capsys, server):
    import openpyxl

    path = made(tmp_path, 2, server.port, capsys)
    without_verzonden(path)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(data["verzonden"]) == 2
    wb = openpyxl.load_workbook(path)
    assert wb["Contacten"].tables["tblContacten"].ref.split(":")[1].startswith("L")
    assert all(v.endswith("SMTP") for v in verzonden(path).values())
    assert_valid(path)  # what Excel would open without repairing


def test_no_password_in_any_file_or_output(tmp_path, capsys, server):
    path = made(tmp_path, 2, server.port, capsys)
    server.handler.refuse.add(customer_email(2))
    main(["verstuur", str(path), "--datum", D, "--json"])
    main(["verstuur", str(path), "--datum", D])
    captured = capsys.readouterr()
    assert PASSWORD not in captured.out + captured.err
    secret = PASSWORD.encode()
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert secret not in file.read_bytes(), file
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert all(secret not in z.read(n) for n in z.namelist())


def test_a_run_killed_after_n_messages_sends_exactly_the_missing_ones(tmp_path, capsys, server):
    """A real process, killed with SIGKILL by the server the moment it holds the 3rd message
    (before the client hears the answer): that one is unsure, the rest go on the next run."""
    path = made(tmp_path, 6, server.port, capsys)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "addin.cli", "verstuur", str(path), "--datum", D, "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    server.handler.kill_pid = proc.pid
    server.handler.kill_after = 3
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    assert len(server.received) == 3
    assert not any(verzonden(path).values())  # killed before the workbook write

    server.handler.kill_after = None
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert done.returncode == 1  # the third is unsure
    (unsure,) = data["onzeker"]
    assert unsure["aan"] == server.received[2].recipients
    assert "de run werd afgebroken" in unsure["reden"]  # not only a lost connection
    assert len(data["verzonden"]) == 3
    received = [r.recipients[0] for r in server.received]
    assert sorted(received) == [customer_email(k) for k in range(1, 7)]  # each exactly once
    sent = verzonden(path)
    assert sum(1 for v in sent.values() if v) == 5  # 2 recorded from the journal + 3 new
    assert sent[unsure["document"]] == ""


LONG_NAMES = {
    # folded by the draft between two encoded words in the middle of "Holding"
    1: 'Ève & Zoë\'s "Bäckerei" <Łódź> 😀 Holding, Internationale Handelsonderneming',
    2: "Bäckerei Müller-Lüdenscheidt Großhandel und Feinkost für Gastronomie GmbH & Co. KG",
    3: "Klant & Zn. B.V.",
}


def test_a_long_display_name_arrives_as_it_stands_in_the_workbook(tmp_path, capsys, server):
    """Python's address parser keeps the space between two encoded words, so a name folded
    inside a word by the draft arrived as 'Hold ing' (review of the letters)."""
    from dataclasses import replace
    from email.header import decode_header, make_header
    from email.parser import BytesParser
    from email.policy import compat32

    book = send_book(3, server.port)
    book = replace(
        book,
        customers=tuple(
            replace(c, name=LONG_NAMES[k]) for k, c in enumerate(book.customers, start=1)
        ),
    )
    path = write_send_book(book, tmp_path / "Boek.xlsx")
    assert main(["herinneringen", str(path), "--datum", D, "--json"]) == 0
    capsys.readouterr()
    code, _data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(server.received) == 3
    for got in server.received:
        k = int(got.recipients[0][5:8])
        (to,) = got.message["To"].addresses
        assert to.addr_spec == customer_email(k)
        # read as a mail program reads it (RFC 2047 decoding), not with Python's address
        # parser, which has the same fault as the one this test is about
        raw = BytesParser(policy=compat32).parsebytes(got.data)["To"]
        got_to = str(make_header(decode_header(raw)))
        name = LONG_NAMES[k]  # a name with "." or "&" only is written as a quoted string
        assert got_to in (f"{name} <{customer_email(k)}>", f'"{name}" <{customer_email(k)}>')


def test_a_posted_letter_is_marked_once_and_no_longer_listed(tmp_path, capsys):
    """The example's quick start makes one paper letter (K032's 14-day letter): `verstuur`
    lists it to print with how to say it was posted; --markeer-verzonden fills Verzonden
    with 'post' (not an e-mail route), and the next run no longer lists it."""
    work = tmp_path / "werk"
    work.mkdir()
    book = Path(shutil.copy(ROOT / "workbook" / "Debiteuren.xlsm", work / "Debiteuren.xlsm"))
    shutil.copytree(ROOT / "workbook" / "facturen", work / "facturen")
    assert main(["herinneringen", str(book), "--datum", "2026-11-24"]) == 0
    capsys.readouterr()
    assert main(["verstuur", str(book), "--datum", "2026-11-24", "--proef"]) == 0
    text = capsys.readouterr().out
    listed = text.split("Te printen en te posten:\n", 1)[1].splitlines()
    assert listed[0].startswith("  K032 ") and "Veertiendagenbrief K032.pdf" in listed[0]
    assert listed[1].startswith("  Gepost? Vul dan Verzonden in bij zijn rij in Contacten")
    document = listed[0].split(": ", 1)[1]
    before = book.read_bytes()
    assert main(["verstuur", str(book), "--datum", "2026-11-24", "--opnieuw", document]) == 2
    err = capsys.readouterr().err
    # the Document as Contacten has it ('uitvoer/...', not capitalised as a sentence's start)
    assert "om te printen" in err and f"'{document}'" in err and book.read_bytes() == before
    assert main(["verstuur", str(book), "--markeer-verzonden", document]) == 0
    capsys.readouterr()
    assert verzonden(book)[document].endswith(" post")
    assert main(["verstuur", str(book), "--datum", "2026-11-24", "--proef"]) == 0
    assert "Te printen" not in capsys.readouterr().out


def test_a_letter_and_email_letter_without_an_address_is_one_to_print(tmp_path, capsys, server):
    """Kanaal Brief en e-mail for a customer without an e-mail address (K001) can only go on
    paper: listed to print with why and how to mark it posted, not "niet verstuurd" with
    exit 1 on every run; --markeer-verzonden records "post", and then it is gone. K002 has
    no address in the workbook either, but the user typed one into the draft: it is sent.
    K003 has one: sent as ever."""
    path = made(tmp_path, 3, server.port, capsys, emails={1: "", 2: ""})
    out = path.parent / "uitvoer" / D
    (k2,) = out.glob("*K002.eml")
    raw = k2.read_bytes()
    assert b"\r\nTo: " not in raw and b"\nTo: " not in raw  # the letter run wrote no To
    k2.write_bytes(raw.replace(b"Subject: ", b"To: boekhouding@k002.nl\r\nSubject: ", 1))

    before = path.read_bytes()
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json", "--proef")
    assert code == 0 and path.read_bytes() == before
    assert [s["klant"] for s in data["te_verzenden"]] == ["K002", "K003"]
    (paper,) = data["te_printen"]
    assert paper["klant"] == "K001" and paper["document"].endswith("Herinnering K001.pdf")
    assert "geen e-mailadres" in paper["reden"] and "papier" in paper["reden"]

    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["niet_verzonden"] == data["onzeker"] == []
    assert [(s["klant"], s["aan"]) for s in data["verzonden"]] == [
        ("K002", ["boekhouding@k002.nl"]),
        ("K003", [customer_email(3)]),
    ]
    # K002 and K003 were e-mailed: their paper copies are still to post
    assert [n["klant"] for n in data["te_printen"]] == ["K001", "K002", "K003"]
    document = paper["document"]
    assert verzonden(path)[document] == ""

    # the text names it with why it is not e-mailed and how to mark it posted
    assert main(["verstuur", str(path), "--datum", D]) == 0
    text = capsys.readouterr().out
    listed = text.split("Te printen en te posten:\n", 1)[1].splitlines()
    assert listed[0] == f"  K001 Klant 001 BV: {document}"
    assert "geen e-mailadres" in listed[1]
    assert listed[6].startswith("  Gepost? Vul dan Verzonden in bij zijn rij in Contacten")
    assert listed[7].startswith("  Papieren exemplaar gepost? Zet dan de dag en 'post' achter")

    # --opnieuw cannot e-mail it, and says so
    before = path.read_bytes()
    code, data = run(capsys, "verstuur", path, "--datum", D, "--opnieuw", document, "--json")
    assert code == 2 and "om te printen" in data["fout"] and path.read_bytes() == before
    assert f"'{document}'" in data["fout"]

    code, data = run(capsys, "verstuur", path, "--markeer-verzonden", Path(document).name, "--json")
    assert code == 0 and data["verzonden"].endswith(" post")
    assert verzonden(path)[document] == data["verzonden"]
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["verzonden"] == []
    assert [n["klant"] for n in data["te_printen"]] == ["K002", "K003"]  # the paper copies
    assert len(server.received) == 2


def test_international_addresses_and_two_addresses_arrive(
    tmp_path, capsys, certificate, monkeypatch
):
    """A non-ASCII local part (RFC 6531) goes with SMTPUTF8; an IDN domain as its xn-- form,
    no SMTPUTF8 needed; a customer with two addresses gets one message to both. The letter
    run wrote the draft of 'jürgen@müller.de', and verstuur called its To 'niet goed
    geschreven': Python's parser lists a non-ASCII local part as a defect."""
    cert, key = certificate
    monkeypatch.setenv(CA_ENV, str(cert))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    emails = {1: "jürgen@müller.de", 2: "info@müller.de", 3: "a@voorbeeld.nl; b@voorbeeld.nl"}
    with MailServer(cert, key, smtputf8=True) as srv:
        path = made(tmp_path, 3, srv.port, capsys, emails=emails)
        code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
        assert code == 0 and data["niet_verzonden"] == []
        got = {r.recipients[0]: r for r in srv.received}
        assert sorted(r.recipients for r in srv.received) == [
            ["a@voorbeeld.nl", "b@voorbeeld.nl"],
            ["info@xn--mller-kva.de"],
            ["jürgen@xn--mller-kva.de"],
        ]
        assert "<jürgen@xn--mller-kva.de>".encode() in got["jürgen@xn--mller-kva.de"].data
        assert [a.addr_spec for a in got["a@voorbeeld.nl"].message["To"].addresses] == [
            "a@voorbeeld.nl",
            "b@voorbeeld.nl",
        ]
    # a server without SMTPUTF8: that one letter is named, the others go
    with MailServer(cert, key) as srv:
        (tmp_path / "zonder").mkdir()
        path = made(tmp_path / "zonder", 2, srv.port, capsys, emails={1: "jürgen@müller.de"})
        code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
        assert code == 1 and [s["klant"] for s in data["verzonden"]] == ["K002"]
        (refused,) = data["niet_verzonden"]
        assert refused["klant"] == "K001" and "SMTPUTF8" in refused["reden"]


def test_the_message_is_dated_when_it_is_sent_not_when_the_draft_was_made(tmp_path, capsys, server):
    """A letter made and reviewed days before it is sent arrived with the draft's Date: the
    customer's mail sorted it below newer mail, and spam filters score a Date in the past."""
    from datetime import UTC, datetime

    path = made(tmp_path, 1, server.port, capsys)
    (eml,) = (path.parent / "uitvoer" / D).glob("*.eml")
    head, body = eml.read_bytes().split(b"\r\n\r\n", 1)
    lines = [b"Date: Mon, 23 Nov 2026 09:00:00 +0100" if line.startswith(b"Date:") else line
             for line in head.split(b"\r\n")]  # fmt: skip
    eml.write_bytes(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    before = datetime.now(UTC).replace(microsecond=0)
    code, _data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0
    (got,) = server.received
    assert got.data.count(b"\nDate: ") == 1
    assert got.message["Date"].datetime >= before


def test_a_connection_lost_twice_in_a_row_stops_the_run(tmp_path, capsys, server):
    """A server that breaks (or goes silent) during every message: each message after the
    first loss reconnected, was handed over and lost again, so every remaining letter ended
    unsure for the user to check one by one (and a silent server cost a minute each). Two
    losses in a row now stop the run: the rest are not tried and go next time."""
    path = made(tmp_path, 5, server.port, capsys)
    server.handler.drop_in_data_from = 1
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1
    assert [s["klant"] for s in data["verzonden"]] == ["K001"]
    assert [u["klant"] for u in data["onzeker"]] == ["K002", "K003"]
    assert [n["klant"] for n in data["niet_verzonden"]] == ["K004", "K005"]
    assert all("volgende keer" in n["reden"] for n in data["niet_verzonden"])
    assert server.handler.dropped == 2
    server.handler.drop_in_data_from = None
    unsure = [u["document"] for u in data["onzeker"]]
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert [s["klant"] for s in data["verzonden"]] == ["K004", "K005"]
    # both unsure letters again in one run: --opnieuw may be given more than once
    retry = [a for document in unsure for a in ("--opnieuw", document)]
    code, data = run(capsys, "verstuur", path, "--datum", D, *retry, "--json")
    assert code == 0 and [s["klant"] for s in data["verzonden"]] == ["K002", "K003"]
    assert sorted(r.recipients[0] for r in server.received) == [
        customer_email(k) for k in (1, 2, 3, 4, 5)
    ]


def test_max_emails_per_minute_waits_between_messages(tmp_path, capsys, server):
    """'Max e-mails per minuut' 2: a wait before each message after the first, up to 30
    seconds each (counted through the run's sleep, not timed)."""
    from addin.adapters.mail.job import run_send

    path = made(tmp_path, 3, server.port, capsys, per_minute=2)
    book, _problems = read_book(path)
    assert book.settings.max_mails_per_minute == 2
    waits: list[float] = []
    job = run_send(book, path, DAY, sleep=waits.append)
    assert len(job.sent) == 3 and len(server.received) == 3
    assert len(waits) == 2 and all(0 < w <= 30 for w in waits)


def test_ctrl_c_fills_in_verzonden_for_what_went(tmp_path, capsys, server):
    """Ctrl-C (a real SIGINT, sent by the server as the 3rd message comes in): the two
    messages accepted before it are in Verzonden when the run has stopped; they were only in
    the journal until the next run. The next run sends the rest, none twice."""
    import signal

    from addin.adapters.mail.journal import Journal
    from addin.core.sending import JournalState

    path = made(tmp_path, 5, server.port, capsys)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "addin.cli", "verstuur", str(path), "--datum", D]
    # Ctrl-C as in a terminal: a test run started in the background (`cmd &`) ignores
    # SIGINT, its children inherit that, and Python then never raises KeyboardInterrupt.
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    server.handler.kill_pid, server.handler.kill_signal = proc.pid, signal.SIGINT
    server.handler.kill_after = 3
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Verzonden is ingevuld" in err.decode() and "Afgebroken (Ctrl-C)." in err.decode()
    accepted = {d for d, s in Journal(path).states().items() if s is JournalState.ACCEPTED}
    filled = {d for d, v in verzonden(path).items() if v}
    assert filled == accepted and len(filled) >= 2  # the 3rd: accepted or unsure, as it fell

    server.handler.kill_after = None
    done = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert len(data["verzonden"]) + len(data["onzeker"]) + len(filled) == 5
    received = sorted(r.recipients[0] for r in server.received)
    assert received == [customer_email(k) for k in range(1, 6)]  # each exactly once


def test_a_workbook_opened_during_the_run_is_filled_in_next_time_and_nothing_goes_twice(
    tmp_path, capsys, server
):
    """Excel opens the workbook while the e-mails go: the summary said 'Verzonden is
    ingevuld in Contacten' and, on the next line, that it could not be. The journal keeps
    them: while it stays open nothing goes, once it is closed Verzonden is filled in."""
    path = made(tmp_path, 3, server.port, capsys)
    handler = server.handler
    accept = type(handler).handle_DATA
    owner = path.parent / f"~${path.name}"

    async def data_then_open(server_, session, envelope):
        answer = await accept(handler, server_, session, envelope)
        owner.write_text("owner")  # Excel opened it after the first message
        return answer

    handler.handle_DATA = data_then_open
    code = main(["verstuur", str(path), "--datum", D])
    out = capsys.readouterr().out
    assert code == 1 and len(server.received) == 3
    assert "3 e-mails verstuurd via SMTP." in out and "Verzonden is ingevuld" not in out
    assert "Let op: Verzonden kon niet in de werkmap worden gezet" in out and ".)" not in out
    assert not any(verzonden(path).values())
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 2 and "geopend in Excel" in data["fout"]
    owner.unlink()
    code = main(["verstuur", str(path), "--datum", D])
    out = capsys.readouterr().out
    assert code == 0 and "3 eerder verstuurde e-mails zijn alsnog als Verzonden ingevuld" in out
    assert all(verzonden(path).values()) and len(server.received) == 3


def test_opnieuw_for_a_letter_already_sent_says_so_and_sends_nothing(tmp_path, capsys, server):
    """--opnieuw on a letter whose Verzonden is filled answered 'Geen e-mails te versturen.'
    with exit 0, to a user who asked for it to go again."""
    path = made(tmp_path, 1, server.port, capsys)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    (sent,) = data["verzonden"]
    code, data = run(
        capsys, "verstuur", path, "--datum", D, "--opnieuw", sent["document"], "--json"
    )
    assert code == 2 and "staat al als verzonden" in data["fout"] and "--opnieuw" in data["fout"]
    assert f"'{sent['document']}'" in data["fout"]
    assert len(server.received) == 1


def test_ssl_logs_in_and_sends(tmp_path, capsys, certificate, monkeypatch):
    """SMTP-beveiliging SSL (TLS from the first byte, as on port 465) with a user: no EHLO
    was sent after connecting, so the login saw no AUTH and every e-mail failed with 'kent
    geen aanmelding (AUTH)'."""
    cert, key = certificate
    monkeypatch.setenv(CA_ENV, str(cert))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with MailServer(cert, key, implicit_tls=True) as srv:
        path = made(tmp_path, 2, srv.port, capsys, security="SSL")
        code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
        assert data["niet_verzonden"] == [] and len(data["verzonden"]) == 2 and code == 0
        assert len(srv.received) == 2
        assert srv.handler.logins == ["PLAIN:info@bakkerij.nl:True"]


def test_ssl_to_a_server_that_starts_in_plain_text_says_which_setting_fits(
    tmp_path, capsys, server
):
    """SSL against a STARTTLS server (port 587 with SSL chosen, the usual mix-up) failed
    with OpenSSL's 'wrong version number' and no hint which setting to change."""
    path = made(tmp_path, 1, server.port, capsys, security="SSL")
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    (failed,) = data["niet_verzonden"]
    assert code == 1 and "kies SMTP-beveiliging STARTTLS" in failed["reden"]
    assert server.received == []
    # STARTTLS to 465 only times out (the server waits for TLS): the hint names the port
    from addin.adapters.mail.smtp import SmtpConfig, _mismatch

    hint = _mismatch(SmtpConfig("mail.example.nl", 465, "STARTTLS"), TimeoutError("timed out"))
    assert "poort 465 is meestal voor SMTP-beveiliging SSL" in hint
    assert _mismatch(SmtpConfig("mail.example.nl", 587, "STARTTLS"), TimeoutError()) == ""


def test_a_letter_made_again_under_the_same_name_is_sent_not_taken_as_sent(
    tmp_path, capsys, server
):
    """The letter run undone (the workbook from before it) and made again: the new letter
    has the old one's file name but a new Message-ID. The journal's line about the old
    message made verstuur fill in Verzonden for the new one without sending it."""
    path = write_send_book(send_book(1, server.port), tmp_path / "Boek.xlsx")
    before_letters = path.read_bytes()
    assert main(["herinneringen", str(path), "--datum", D]) == 0
    capsys.readouterr()
    code, first = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(server.received) == 1

    path.write_bytes(before_letters)  # undone: the workbook as it was before the letters
    shutil.rmtree(path.parent / "uitvoer")
    assert main(["herinneringen", str(path), "--datum", D]) == 0
    capsys.readouterr()
    code, again = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(server.received) == 2
    (sent,) = again["verzonden"]
    assert sent["document"] == first["verzonden"][0]["document"]
    assert sent["message_id"] != first["verzonden"][0]["message_id"]
    assert server.received[1].message["Message-ID"] == sent["message_id"]
    # and the new message is known: a third run sends nothing
    code, third = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and third["verzonden"] == [] and len(server.received) == 2


def test_an_emailed_letter_and_email_letter_is_listed_until_its_paper_copy_is_posted(
    tmp_path, capsys, server
):
    """Kanaal Brief en e-mail goes both ways (PLAYBOOK E3): once e-mailed it is listed to
    print, from the run that sent it on, for the fourteen days after it was logged, until
    "post" follows the e-mail's route in Verzonden (--markeer-verzonden, or typed by hand).
    The e-mail's day stays the first word; a plain date typed by the user counts as done.
    Listing never changes the exit code."""
    from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
    from addin.core.texts import nl_date

    path = made(tmp_path, 3, server.port, capsys)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(data["verzonden"]) == 3
    docs = [s["document"] for s in data["verzonden"]]
    cells = verzonden(path)
    emailed = {
        d: nl_date(date(*reversed([int(x) for x in cells[d][:10].split("-")]))) for d in docs
    }
    want = [
        {
            "klant": f"K{k:03d}",
            "document": d,
            "reden": f"de e-mail is verstuurd op {emailed[d]}; het papieren exemplaar nog "
            "printen en posten",
        }
        for k, d in enumerate(docs, start=1)
    ]
    assert data["te_printen"] == want  # listed by the run that sent them
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["verzonden"] == [] and data["te_printen"] == want  # read back
    late = (DAY + timedelta(days=15)).isoformat()
    code, data = run(capsys, "verstuur", path, "--datum", late, "--json")
    assert code == 0 and data["te_printen"] == []  # logged more than 14 days ago

    assert main(["verstuur", str(path), "--datum", D]) == 0
    text = capsys.readouterr().out
    listed = text.split("Te printen en te posten:\n", 1)[1].splitlines()
    assert listed[0] == f"  K001 Klant 001 BV: {docs[0]}"
    assert listed[1] == f"    {want[0]['reden']}"
    assert listed[6].startswith("  Papieren exemplaar gepost? Zet dan de dag en 'post' achter")
    assert len(listed) == 7  # not the Kanaal Brief advice to fill in Verzonden

    # --markeer-verzonden appends the post; the e-mail's day and the journal's id stay
    code, marked = run(capsys, "verstuur", path, "--markeer-verzonden", docs[0], "--json")
    assert code == 0 and marked["gepost"] is True
    assert marked["verzonden"].startswith(cells[docs[0]] + "; ")
    assert marked["verzonden"].endswith(" post") and verzonden(path)[docs[0]] == marked["verzonden"]
    lines = (path.parent / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    assert last["document"] == docs[0] and last["via"] == "post"
    assert last["message_id"] == data_sent_id(lines, docs[0])
    book, _problems = read_book(path)
    first = next(c for c in book.contacts if c.document == docs[0])
    assert nl_date(first.sent) == emailed[docs[0]]

    # by hand: "; post" after the route (its day missing: still not listed to print; the
    # reader names the cell), or a plain date typed over it
    apply_patch(
        path,
        Patch(
            set_cells=(
                ("tblContacten", "Document", docs[1], {"Verzonden": cells[docs[1]] + "; post"}),
                ("tblContacten", "Document", docs[2], {"Verzonden": "05-12-2026"}),
            )
        ),
    )
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and data["te_printen"] == [] and data["verzonden"] == []
    code, marked = run(capsys, "verstuur", path, "--markeer-verzonden", docs[0], "--json")
    assert code == 0 and "al als verzonden" in marked["melding"]
    assert len(server.received) == 3


def data_sent_id(lines: list[str], document: str) -> str:
    """The Message-ID the journal's first accepted line gives the document."""
    for line in lines:
        entry = json.loads(line)
        if entry["document"] == document and entry["staat"] == "geaccepteerd":
            return str(entry["message_id"])
    raise AssertionError(document)


def test_the_journal_gets_the_mode_of_any_new_file(tmp_path, capsys, server):
    # It was made 0600: a colleague sending from the same shared workbook could not read
    # what was sent already (the proof that nothing goes twice).
    umask = os.umask(0)
    os.umask(umask)
    path = made(tmp_path, 1, server.port, capsys)
    code, _data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0
    assert (path.parent / JOURNAL_NAME).stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("damage", ["a folder", "not utf-8"])
def test_a_journal_that_cannot_be_read_or_written_sends_nothing(tmp_path, capsys, server, damage):
    """A journal that cannot be read was a traceback; read as empty, every letter it names
    would go again. One that cannot be written sends nothing either (each message is
    journaled before it leaves). A byte that is not UTF-8 spoils only its own line."""
    path = made(tmp_path, 2, server.port, capsys)
    journal = path.parent / JOURNAL_NAME
    if damage == "a folder":
        journal.mkdir()
        code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
        assert code == 2 and server.received == []
        assert f"verzendlogboek '{journal}' kan niet worden gelezen" in data["fout"]
        assert data["fout"].endswith("Er is niets verstuurd.")
        return
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(server.received) == 2
    journal.write_bytes(journal.read_bytes() + b'{"document": "x\xff"}\n')
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(server.received) == 2 and data["verzonden"] == []


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs)")
def test_a_journal_that_cannot_be_written_sends_nothing(tmp_path, capsys, server):
    """Made immutable (as root; on Windows a file another program holds does the same):
    each message is journaled before it leaves, so nothing may go."""
    import subprocess

    path = made(tmp_path, 2, server.port, capsys)
    journal = path.parent / JOURNAL_NAME
    journal.write_text("")
    if subprocess.run(["chattr", "+i", str(journal)], check=False).returncode:
        pytest.skip("this file system has no immutable flag")
    try:
        code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    finally:
        subprocess.run(["chattr", "-i", str(journal)], check=False)
    assert code == 2 and server.received == []
    assert f"verzendlogboek '{journal}' kan niet worden geschreven" in data["fout"]


def files_under(folder: Path) -> set[str]:
    """Every file below `folder`, relative, backups left out (each write makes one)."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".debiteuren-backup" not in p.parts
    }


@pytest.mark.parametrize("when", ["before the 2nd message leaves", "after the 2nd was accepted"])
def test_a_journal_that_stops_taking_lines_mid_run_stops_the_run_in_dutch(
    tmp_path, capsys, server, when
):
    """The journal is replaced by a folder while the run sends (by the server, as the 2nd
    message comes in: a real failure, also as root). Was a traceback, with the accepted
    e-mails in neither the journal nor Verzonden: the next run sent them again. Now the run
    stops (exit 2, as a refusal), sends nothing more, names the journal, what failed and the
    e-mails that went, and fills in their Verzonden, so the next run (journal or no journal)
    sends each letter once."""
    path = made(tmp_path, 4, server.port, capsys)
    journal = path.parent / JOURNAL_NAME
    handler = server.handler
    hook = "handle_MAIL" if when.startswith("before") else "handle_DATA"
    original = getattr(type(handler), hook)

    async def break_journal(server_, session, *rest):
        answer = await original(handler, server_, session, *rest)
        arrived = len(handler.received) + (hook == "handle_MAIL")
        if arrived == 2 and not journal.is_dir():
            journal.rename(journal.with_name("logboek.bewaard"))
            journal.mkdir()
        return answer

    setattr(handler, hook, break_journal)
    before = files_under(tmp_path)
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    went = 1 if hook == "handle_MAIL" else 2
    assert code == 2 and len(server.received) == went  # nothing after the failure
    fout = data["fout"]
    assert f"verzendlogboek '{journal}'" in fout and "er staat een map met die naam" in fout
    assert "Traceback" not in fout
    sent_docs = [s["document"] for s in data["verzonden"]]
    assert len(sent_docs) == went and all(doc in fout for doc in sent_docs)
    assert "Verzonden is ingevuld" in fout and "niet nog eens" in fout
    filled = {d for d, v in verzonden(path).items() if v}
    assert filled == set(sent_docs)
    assert files_under(tmp_path) - before == {"logboek.bewaard"}  # no stray output

    # The worst case: the user removes the folder and the journal is gone.
    journal.rmdir()
    setattr(handler, hook, original.__get__(handler))
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 0 and len(data["verzonden"]) == 4 - went
    received = sorted(r.recipients[0] for r in server.received)
    assert received == [customer_email(k) for k in range(1, 5)]  # each exactly once


def test_a_journal_and_a_workbook_that_both_fail_mid_run_say_what_the_user_must_fill_in(
    tmp_path, capsys, server
):
    """The journal replaced by a folder and the workbook opened in Excel, both as the 2nd
    message is accepted: neither may ever hold these two e-mails, so the message must not
    promise that the next run knows them; it names them and says to fill in Verzonden."""
    path = made(tmp_path, 3, server.port, capsys)
    journal = path.parent / JOURNAL_NAME
    handler = server.handler
    accept = type(handler).handle_DATA

    async def data_then_break(server_, session, envelope):
        answer = await accept(handler, server_, session, envelope)
        if len(handler.received) == 2:
            journal.unlink()
            journal.mkdir()
            (path.parent / f"~${path.name}").write_text("owner")
        return answer

    handler.handle_DATA = data_then_break
    code = main(["verstuur", str(path), "--datum", D])
    err = capsys.readouterr().err
    assert code == 2 and len(server.received) == 2
    assert err.startswith(f"Fout: Het verzendlogboek '{journal}' neemt geen regel meer aan")
    assert "Let op: Verzonden kon niet in de werkmap worden gezet (De werkmap" in err
    assert "geopend in Excel" in err
    # The ribbon's message box says this too: where the flag goes.
    assert "op de opdrachtregel --markeer-verzonden DOCUMENT" in err
    assert "stuurt die niet nog eens" not in err and "Traceback" not in err
    assert not any(verzonden(path).values())


def test_a_workbook_made_read_only_during_the_run_is_filled_in_next_time_and_nothing_goes_twice(
    tmp_path, capsys, server
):
    """The workbook marked read-only while the e-mails go (the write-back at the end is
    refused, as root too: the run honours the mark): all three went, the user sees that and
    why Verzonden is empty (exit 1, no traceback); the next run refuses while it stays
    read-only and, once writable, fills Verzonden from the journal, sending nothing twice."""
    path = made(tmp_path, 3, server.port, capsys)
    handler = server.handler
    accept = type(handler).handle_DATA

    async def data_then_read_only(server_, session, envelope):
        answer = await accept(handler, server_, session, envelope)
        path.chmod(0o444)
        return answer

    handler.handle_DATA = data_then_read_only
    code, data = run(capsys, "verstuur", path, "--datum", D, "--json")
    assert code == 1 and len(data["verzonden"]) == 3 and len(server.received) == 3
    assert "is alleen-lezen" in data["werkmap_niet_bijgewerkt"]
    code = main(["verstuur", str(path), "--datum", D])
    captured = capsys.readouterr()
    assert code == 2 and "is alleen-lezen" in captured.err and len(server.received) == 3
    path.chmod(0o644)
    handler.handle_DATA = accept.__get__(handler)
    code = main(["verstuur", str(path), "--datum", D])
    out = capsys.readouterr().out
    assert code == 0 and "3 eerder verstuurde e-mails zijn alsnog als Verzonden ingevuld" in out
    assert all(verzonden(path).values()) and len(server.received) == 3


@pytest.mark.skipif(sys.platform == "win32", reason="a file size limit (RLIMIT_FSIZE) is POSIX")
def test_a_journal_line_the_disk_takes_only_part_of_is_a_journal_error(tmp_path):
    """A disk that fills up takes part of a write and says so only at the next one: os.write
    returns the count it wrote. Taken as the whole line, the journal said 'handed over' and
    the message left with its line cut off (read as no line: the next run sent it again).
    A real short write: a file size limit just past the journal's end."""
    import resource
    import signal

    from addin.adapters.mail.journal import Entry, Journal, JournalError
    from addin.core.sending import JournalState

    workbook = tmp_path / "Debiteuren.xlsx"
    journal = Journal(workbook)
    journal.record(Entry("2026-11-24T10:00:00", "H-1", JournalState.ACCEPTED, "<1@b.nl>"))
    second = Entry("2026-11-24T10:00:01", "H-2", JournalState.HANDED_OVER, "<2@b.nl>")
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    # Past the limit a write gets EFBIG (with SIGXFSZ ignored, as a full disk gets ENOSPC).
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (journal.path.stat().st_size + 20, limits[1]))
    try:
        with pytest.raises(JournalError, match="neemt geen regel meer aan"):
            journal.record(second)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert [e.document for e in journal.entries()] == ["H-1"]  # the cut-off line: none
    journal.record(second)  # room again: the next line is whole
    assert [e.document for e in journal.entries()] == ["H-1", "H-2"]


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("SMTP-poort", "abc", "SMTP-poort (Instellingen!B{row}: 'abc' is geen geheel getal"),
        ("SMTP-beveiliging", "xx", "SMTP-beveiliging (Instellingen!B{row}: 'xx' is geen keuze"),
        ("SMTP-server", "localhost\nBcc: x@example.org",
         "SMTP-server (Instellingen!B{row}: 'localhost\nBcc: x@example.org' is geen servernaam"),
    ],
    ids=["port", "security", "server-two-lines"],
)  # fmt: skip
@pytest.mark.parametrize("proef", [False, True], ids=["run", "proef"])
def test_a_send_setting_the_reader_could_not_take_refuses_to_send(
    tmp_path, capsys, server, setting, value, said, proef
):
    """A port 'abc' or an unknown SMTP-beveiliging was kept at its default by the reader (a
    problem only `controleer` showed), and verstuur sent through that default, --proef
    saying the e-mails would go: a way the user did not choose. Now it refuses, naming the
    setting and its cell, and nothing leaves."""
    import openpyxl

    path = made(tmp_path, 2, server.port, capsys)
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Instellingen"].iter_rows() if r[0].value == setting)
    row[1].value = value
    wb.save(path)
    before = path.read_bytes()
    files = sorted(tmp_path.rglob("*"))
    args = ["verstuur", path, "--datum", D, "--json", *(["--proef"] if proef else [])]
    code, data = run(capsys, *args)
    assert code == 2 and set(data) == {"fout"}
    assert said.format(row=row[1].row) in data["fout"]
    assert data["fout"].startswith("Een instelling voor het versturen klopt niet: ")
    assert "blijft" not in data["fout"] and data["fout"].endswith("Er is niets verstuurd.")
    assert server.received == [] and path.read_bytes() == before
    assert sorted(tmp_path.rglob("*")) == files  # no journal, no lock left
