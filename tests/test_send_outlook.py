"""The Outlook ways (classic Outlook through COM) and the ribbon's "Verstuur e-mails",
against a stand-in with the same COM surface as Outlook.Application: CreateItem(0) gives a
MailItem with Recipients (Add, Type, ResolveAll), Subject, Body, HTMLBody, Attachments.Add
(a file path, read when added, as Outlook copies it) and Save / Send.

What only a real Outlook shows (the draft in Concepten, the message leaving, Outlook's own
security prompts) is not checked here; the README says so. Also the SMTP password from the
system's credential store, through keyring with an in-memory backend (keyring.set_keyring)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import openpyxl
import pytest
from keyring.backend import KeyringBackend

from addin import ribbon
from addin.adapters.mail.job import run_send
from addin.adapters.mail.outlook import OL_BCC, OL_TO, OutlookTransport
from addin.adapters.mail.password import PASSWORD_ENV, SERVICE, account, smtp_password
from addin.adapters.mail.smtp import CA_ENV
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from tests.adapters.live_openpyxl import OpenpyxlWorkbook
from tests.mailserver import PASSWORD, USER, MailServer, make_certificate
from tests.sendbook import DAY, customer_email, send_book, write_send_book
from tests.test_cli_send import made, verzonden, without_verzonden

D = DAY.isoformat()


# --- the stand-in ------------------------------------------------------------------------


class Recipient:
    def __init__(self, address: str) -> None:
        self.Address = address
        self.Type = OL_TO


class Recipients:
    def __init__(self) -> None:
        self.items: list[Recipient] = []

    def Add(self, address: str) -> Recipient:
        recipient = Recipient(address)
        self.items.append(recipient)
        return recipient

    def ResolveAll(self) -> bool:
        return all("@" in r.Address for r in self.items)

    @property
    def Count(self) -> int:
        return len(self.items)


class Attachments:
    def __init__(self) -> None:
        self.files: list[tuple[str, bytes]] = []

    def Add(self, path: str) -> None:
        file = Path(path)
        self.files.append((file.name, file.read_bytes()))  # Outlook copies the file in


class MailItem:
    def __init__(self, app: FakeOutlook) -> None:
        self.app = app
        self.Recipients = Recipients()
        self.Attachments = Attachments()
        self.Subject = ""
        self.Body = ""
        self.HTMLBody = ""

    def Save(self) -> None:
        if self.app.fail_on_save:
            raise OSError("(-2147352567, 'Uitzondering opgetreden.')")
        self.app.drafts.append(self)

    def Send(self) -> None:
        self.app.sent.append(self)


class FakeOutlook:
    """Outlook.Application as far as the adapter uses it."""

    def __init__(self) -> None:
        self.drafts: list[MailItem] = []
        self.sent: list[MailItem] = []
        self.fail_on_save = False

    def CreateItem(self, kind: int) -> MailItem:
        assert kind == 0, "olMailItem"
        return MailItem(self)


# --- Outlook concepten / versturen ------------------------------------------------------


@pytest.mark.parametrize(
    ("via", "send", "label"),
    [("Outlook concepten", False, "Outlook concept"), ("Outlook versturen", True, "Outlook")],
)
def test_outlook_draft_or_send_once_each(tmp_path, capsys, via, send, label):
    path = made(tmp_path, 3, 25, capsys, via=via, bcc_self=True)
    outlook = FakeOutlook()
    book, _ = read_book(path)
    transport = OutlookTransport(send=send, application=lambda: outlook)
    job = run_send(book, path, DAY, transport=transport)
    items = outlook.sent if send else outlook.drafts
    assert len(items) == 3 and (outlook.drafts if send else outlook.sent) == []
    assert [s.via for s in job.sent] == [label] * 3
    for k, item in enumerate(items, start=1):
        to = [(r.Address, r.Type) for r in item.Recipients.items]
        assert to == [(customer_email(k), OL_TO), ("info@bakkerij.nl", OL_BCC)]
        assert f"2026-{k:04d}" in item.Subject
        assert "Bakkerij De Korenschoof" in (item.HTMLBody or item.Body)
        ((name, data),) = item.Attachments.files
        pdf = path.parent / job.sent[k - 1].document
        assert name == pdf.name and data == pdf.read_bytes()
    assert all(v.endswith(label) for v in verzonden(path).values())

    # a second run makes no second draft
    book, _ = read_book(path)
    again = run_send(
        book, path, DAY, transport=OutlookTransport(send=send, application=lambda: outlook)
    )
    assert again.sent == [] and len(items) == 3


def test_outlook_error_while_saving_is_unsure(tmp_path, capsys):
    path = made(tmp_path, 2, 25, capsys, via="Outlook concepten")
    outlook = FakeOutlook()
    outlook.fail_on_save = True
    book, _ = read_book(path)
    job = run_send(
        book, path, DAY, transport=OutlookTransport(send=False, application=lambda: outlook)
    )
    assert job.sent == [] and len(job.unsure) == 2
    assert "onbekend" in job.unsure[0].reason
    book, _ = read_book(path)
    outlook.fail_on_save = False
    job = run_send(
        book, path, DAY, transport=OutlookTransport(send=False, application=lambda: outlook)
    )
    assert job.sent == [] and len(job.unsure) == 2 and outlook.drafts == []


def test_outlook_without_pywin32_says_so(tmp_path, capsys):
    path = made(tmp_path, 1, 25, capsys, via="Outlook versturen")
    code = main(["verstuur", str(path), "--datum", D, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["verzonden"] == []
    (failed,) = data["niet_verzonden"]
    assert "klassieke Outlook" in failed["reden"]


# --- the ribbon --------------------------------------------------------------------------


def _drafts_by_ribbon(path: Path, outlook: FakeOutlook) -> tuple[OpenpyxlWorkbook, ribbon.Outcome]:
    """The ribbon's Verstuur e-mails on the workbook at `path`, as Outlook drafts."""
    excel = OpenpyxlWorkbook(path)
    transport = OutlookTransport(send=False, application=lambda: outlook)
    return excel, ribbon.verstuur_emails(excel, DAY, transport=transport)


def test_ribbon_verstuur_emails(tmp_path, capsys):
    path = made(tmp_path, 2, 25, capsys, via="Outlook concepten")
    outlook = FakeOutlook()
    excel, outcome = _drafts_by_ribbon(path, outlook)
    excel.save()
    assert outcome.ok, outcome.message
    assert outcome.message.startswith("2 e-mails verstuurd via Outlook (concepten)")
    ((_message, title, critical),) = excel.alerts
    assert title == "Debiteuren: Verstuur e-mails" and not critical
    assert len(outlook.drafts) == 2
    assert all(v.endswith("Outlook concept") for v in verzonden(path).values())

    _, again = _drafts_by_ribbon(path, outlook)
    assert again.ok and "Geen e-mails te versturen" in again.message and len(outlook.drafts) == 2
    # Brief en e-mail: both paper copies are still to post, said by the run that sent them
    # and by the next, which reads Verzonden ("... Outlook concept") from the open workbook
    for message in (outcome.message, again.message):
        listed = message.split("Te printen en te posten:\n", 1)[1].splitlines()
        assert [line.startswith("  K00") for line in listed] == [True, False, True, False, False]
        assert listed[1].endswith("; het papieren exemplaar nog printen en posten")
        assert listed[4].startswith("  Papieren exemplaar gepost? Zet dan de dag en 'post' achter")


def test_ribbon_gives_an_older_workbook_the_verzonden_column(tmp_path, capsys):
    """As `verstuur` does on the file: Contacten without Verzonden gets the column at its
    right edge, in the table, filled for the messages sent."""
    path = made(tmp_path, 2, 25, capsys, via="Outlook concepten")
    without_verzonden(path)
    outlook = FakeOutlook()
    excel, outcome = _drafts_by_ribbon(path, outlook)
    excel.save()
    assert outcome.ok, outcome.message
    assert len(outlook.drafts) == 2
    table = openpyxl.load_workbook(path)["Contacten"].tables["tblContacten"]
    assert table.ref.split(":")[1].startswith("L")
    assert table.tableColumns[-1].name == "Verzonden"
    assert all(v.endswith("Outlook concept") for v in verzonden(path).values())


def test_ribbon_with_concept_map_says_how_to_choose(tmp_path, capsys):
    path = made(tmp_path, 1, 25, capsys, via="Concept-map")
    excel = OpenpyxlWorkbook(path)
    outcome = ribbon.verstuur_emails(excel, DAY)
    assert outcome.ok and "Verzenden via" in outcome.message


# --- the password from the credential store -----------------------------------------------


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_password_from_the_keyring_and_the_environment_wins(memory_keyring, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert smtp_password(USER, "smtp.example.nl") is None
    memory_keyring.set_password(SERVICE, account(USER, "SMTP.example.nl"), "uit-de-kluis")
    assert smtp_password(USER, "smtp.example.nl") == "uit-de-kluis"
    monkeypatch.setenv(PASSWORD_ENV, "uit-de-omgeving")
    assert smtp_password(USER, "smtp.example.nl") == "uit-de-omgeving"


def test_verstuur_logs_in_with_the_password_from_the_keyring(
    tmp_path, capsys, memory_keyring, monkeypatch
):
    cert, key = make_certificate(tmp_path)
    monkeypatch.setenv(CA_ENV, str(cert))
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with MailServer(cert, key) as srv:
        path = made(tmp_path, 1, srv.port, capsys)
        code = main(["verstuur", str(path), "--datum", D, "--json"])
        data = json.loads(capsys.readouterr().out)
        assert code == 2 and "debiteuren wachtwoord" in data["fout"] and srv.received == []
        memory_keyring.set_password(SERVICE, account(USER, "127.0.0.1"), PASSWORD)
        code = main(["verstuur", str(path), "--datum", D, "--json"])
        assert code == 0 and len(srv.received) == 1
        assert srv.handler.logins == ["PLAIN:info@bakkerij.nl:True"]


def test_wachtwoord_needs_server_and_user(tmp_path, capsys):
    path = write_send_book(send_book(1, user=""), tmp_path / "B.xlsx")
    code = main(["wachtwoord", str(path), "--json"])
    assert code == 2 and "SMTP-gebruiker" in json.loads(capsys.readouterr().out)["fout"]


def test_wachtwoord_stores_the_typed_password_in_the_keyring(
    tmp_path, capsys, memory_keyring, monkeypatch
):
    """With no terminal, getpass reads the line from standard input (as when piped)."""
    import io

    path = write_send_book(send_book(1, 2525, user=USER), tmp_path / "B.xlsx")
    monkeypatch.setattr("sys.stdin", io.StringIO("typ-het-maar-1\n"))
    code = main(["wachtwoord", str(path)])
    captured = capsys.readouterr()
    assert code == 0 and "wachtwoordkluis" in captured.out
    assert "typ-het-maar-1" not in captured.out + captured.err
    # only the Dutch prompt, not getpass's English fallback warnings
    assert captured.err.startswith("Wachtwoord voor ") and "Warning" not in captured.err
    assert memory_keyring.store == {(SERVICE, account(USER, "127.0.0.1")): "typ-het-maar-1"}
    assert b"typ-het-maar-1" not in path.read_bytes()


def test_wachtwoord_ended_without_a_line_stores_nothing_and_says_so(
    tmp_path, capsys, memory_keyring, monkeypatch
):
    """Ctrl-D at the prompt (standard input ends): a Dutch message and exit 2, not an
    EOFError traceback; nothing in the keyring."""
    import io

    path = write_send_book(send_book(1, 2525, user=USER), tmp_path / "B.xlsx")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["wachtwoord", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "Geen wachtwoord ingevoerd; er is niets bewaard" in err, err
    assert memory_keyring.store == {}


@pytest.fixture
def failing_keyring():
    """keyring's own backend for a computer without a credential store (Linux without a
    Secret Service): every call raises NoKeyringError with its English advice."""
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


class LockedKeyring(MemoryKeyring):
    """A credential store the user did not unlock (the Secret Service after login without
    its password): keyring raises KeyringLocked."""

    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)


def test_a_computer_without_a_credential_store_is_told_in_dutch(
    tmp_path, capsys, failing_keyring, monkeypatch
):
    # Both showed keyring's English "No recommended backend was available. Install a
    # recommended 3rd party backend package; or, install the keyrings.alt package ..."
    import io

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    path = write_send_book(send_book(1, 2525, user=USER), tmp_path / "B.xlsx")
    monkeypatch.setattr("sys.stdin", io.StringIO("typ-het-maar-1\n"))
    code = main(["wachtwoord", str(path), "--json"])
    fout = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2
    assert fout == (
        "Het wachtwoord kan niet worden bewaard: deze computer heeft geen wachtwoordkluis "
        "die het programma kan gebruiken. Zet het wachtwoord in de omgevingsvariabele "
        f"{PASSWORD_ENV}."
    )
    path = made(tmp_path, 1, 2525, capsys)
    code = main(["verstuur", str(path), "--datum", D])
    err = capsys.readouterr().err
    assert code == 2
    assert "recommended" not in err and "keyring" not in err, err
    assert "deze computer heeft geen wachtwoordkluis die het programma kan gebruiken" in err


def test_a_locked_credential_store_is_told_in_dutch(tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        path = write_send_book(send_book(1, 2525, user=USER), tmp_path / "B.xlsx")
        monkeypatch.setattr("sys.stdin", io.StringIO("typ-het-maar-1\n"))
        assert main(["wachtwoord", str(path), "--json"]) == 2
        fout = json.loads(capsys.readouterr().out)["fout"]
        path = made(tmp_path, 1, 2525, capsys)
        assert main(["verstuur", str(path), "--datum", D, "--json"]) == 2
        sent = json.loads(capsys.readouterr().out)["fout"]
    finally:
        keyring.set_keyring(before)
    assert fout.startswith("Het wachtwoord kan niet worden bewaard: de wachtwoordkluis van ")
    assert "vergrendeld" in fout and "Failed" not in fout, fout
    assert (
        "vergrendeld" in sent and "Failed" not in sent and sent.endswith("Er is niets verstuurd.")
    )


def test_ribbon_says_in_dutch_when_the_journal_stops_taking_lines(tmp_path, capsys, monkeypatch):
    """The journal replaced by a folder as Outlook saves the 2nd draft: the ribbon's message
    names the journal and the e-mail that went (its Verzonden filled in), not a traceback;
    the 2nd e-mail is in Outlook and in Verzonden, nothing after it."""
    from addin.adapters.mail.journal import JOURNAL_NAME

    path = made(tmp_path, 3, 25, capsys, via="Outlook concepten")
    journal = path.parent / JOURNAL_NAME
    outlook = FakeOutlook()
    save = MailItem.Save

    def save_then_break(item: MailItem) -> None:
        save(item)
        if len(outlook.drafts) == 2:
            journal.unlink()
            journal.mkdir()

    monkeypatch.setattr(MailItem, "Save", save_then_break)
    excel, outcome = _drafts_by_ribbon(path, outlook)
    excel.save()
    assert not outcome.ok and len(outlook.drafts) == 2
    assert outcome.message.startswith(f"Het verzendlogboek '{journal}' neemt geen regel meer aan")
    assert "Wel verstuurd vóór de fout: 2 e-mails:" in outcome.message
    assert "Verzonden is ingevuld in Contacten" in outcome.message
    assert sum(1 for v in verzonden(path).values() if v) == 2


def test_ribbon_refuses_a_send_setting_the_reader_could_not_take(tmp_path, capsys):
    """As `verstuur` does: a Max e-mails per minuut of 'veel' was kept at its default and the
    e-mails went; the ribbon now refuses, names the setting and its cell, and sends none."""
    import openpyxl

    path = made(tmp_path, 2, 25, capsys, via="Outlook concepten")
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Instellingen"].iter_rows() if r[0].value == "Max e-mails per minuut")
    row[1].value = "veel"
    wb.save(path)
    outlook = FakeOutlook()
    _excel, outcome = _drafts_by_ribbon(path, outlook)
    assert not outcome.ok and outlook.drafts == []
    assert f"Max e-mails per minuut (Instellingen!B{row[1].row}: 'veel'" in outcome.message
    assert "Er is niets verstuurd." in outcome.message
