"""`debiteuren bouw` and `debiteuren nieuw` through the real command line (a new Python
process running addin.cli), with and without --json."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import warnings
import zipfile
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from addin import schema
from addin.adapters.workbook.reader import read_book
from addin.cli.excel import open_line, python_line
from addin.excel.build import interpreter_rows
from tests.excel.conftest import SHIPPED


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "addin.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def _conf(path) -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)[schema.XLWINGS_CONF_SHEET]
    rows = {}
    for key, value in ws.iter_rows(max_col=2, values_only=True):
        if key is None:
            break
        rows[key] = value
    return rows


def _formula(path, header: str) -> str:
    """The table's calculated-column formula (what Excel puts in every new row)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)[schema.FACTUREN.sheet]
    table = ws.tables[schema.FACTUREN.name]
    (column,) = [c for c in table.tableColumns if c.name == header]
    return "=" + column.calculatedColumnFormula.attr_text


def test_nieuw_empty_points_xlwings_at_this_python(tmp_path):
    path = tmp_path / "Debiteuren.xlsm"
    result = run("nieuw", str(path), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    exp_interpreter = dict(interpreter_rows(sys.executable))
    assert got == {
        "bestand": str(path),
        "voorbeeld": False,
        "klassiek": False,
        "mac": sys.platform == "darwin",
        "facturen": 0,
        "peildatum": date.today().isoformat(),
        "interpreter": exp_interpreter,
        "factuur_pdfs": 0,
    }
    assert _conf(path) == {**exp_interpreter, "UDF Modules": "addin.udfs"}
    book, problems = read_book(path)
    assert problems == () and book.invoices == ()
    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" in z.namelist() and "customUI/customUI14.xml" in z.namelist()


def test_nieuw_voorbeeld_holds_the_example(tmp_path, book):
    path = tmp_path / "Voorbeeld.xlsm"
    result = run("nieuw", str(path), "--voorbeeld")
    assert result.returncode == 0, result.stderr
    assert f"Nieuwe werkmap {path} gemaakt (met het voorbeeld" in result.stdout
    got, problems = read_book(path)
    assert problems == () and got == book
    assert _formula(path, "Status").startswith("=DUESTATUS(")


def test_nieuw_klassiek_writes_the_plain_lookups(tmp_path):
    path = tmp_path / "Klassiek.xlsm"
    result = run("nieuw", str(path), "--klassiek", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["klassiek"] is True
    assert _formula(path, "Volgende actie").startswith("=IFERROR(INDEX(Plan!$C:$C,MATCH(")


def test_nieuw_adds_the_extension(tmp_path):
    result = run("nieuw", str(tmp_path / "Werkmap"), "--json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Werkmap.xlsm").is_file()


def test_nieuw_refuses_an_existing_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "Debiteuren.xlsm"
    path.write_bytes(b"mijn eigen werkmap")
    result = run("nieuw", str(path))
    assert result.returncode == 2
    assert "bestaat al; er is niets overschreven" in result.stderr
    assert path.read_bytes() == b"mijn eigen werkmap"
    result = run("nieuw", str(path), "--json")
    assert result.returncode == 2
    assert "bestaat al" in json.loads(result.stdout)["fout"]


@pytest.mark.parametrize("name", ["Debiteuren.xlsx", "map-bestaat-niet/D.xlsm"])
def test_nieuw_refuses_a_wrong_extension_or_folder(tmp_path, name):
    result = run("nieuw", str(tmp_path / name), "--json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["fout"]
    assert not (tmp_path / name).exists()


def test_bouw_writes_the_shipped_workbook(tmp_path):
    out = tmp_path / "Debiteuren.xlsm"
    result = run("bouw", "--uit", str(out), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["bestand"] == str(out) and got["bytes"] == out.stat().st_size
    assert got["peildatum"] == "2026-11-24"
    assert _conf(out) == {"UDF Modules": "addin.udfs"}  # machine-independent
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(SHIPPED) as b:
        assert a.namelist() == b.namelist()


@pytest.mark.parametrize("earlier", [None, b"PK eerdere werkmap"], ids=["new", "earlier"])
def test_bouw_whose_invoices_fail_leaves_the_folder_as_it_was(tmp_path, earlier):
    """A file named facturen where the example's invoices go: the workbook was written
    first (over an earlier one), and the message blamed the workbook ('er staat al een
    bestand met die naam'). Now it names facturen and nothing changed."""
    (tmp_path / "facturen").write_text("geen map")
    out = tmp_path / "Debiteuren.xlsm"
    if earlier is not None:
        out.write_bytes(earlier)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run("bouw", "--uit", str(out), "--json")
    assert result.returncode == 2, result.stderr
    message = json.loads(result.stdout)["fout"]
    assert f"'{tmp_path / 'facturen'}': er staat al een bestand" in message, message
    assert f"De werkmap '{out}' is niet geschreven." in message
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _file_size_limit(limit: int):
    """For the child process: files may grow to `limit` bytes, and a write past it fails
    (EFBIG) instead of killing the process (SIGXFSZ): a disk that fills up mid-write."""

    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (["nieuw"], 40_000),  # openpyxl's sheets fit, the workbook not
        # The example's sheets do not fit: the write-only sheets stop half-way, and their
        # writers, closed at exit, failed again with a traceback on stderr.
        (["nieuw", "--voorbeeld"], 60_000),
        (["bouw", "--uit"], 100_000),
    ],
    ids=["nieuw", "nieuw-voorbeeld", "bouw"],
)
def test_a_full_disk_during_the_build_is_a_dutch_message(tmp_path, command, limit):
    """The disk fills up while the workbook is built (openpyxl and pyOpenVBA write it to
    temp files first): a Python traceback; now a Dutch message, nothing on stderr, and no
    file."""
    path = tmp_path / "Debiteuren.xlsm"
    name, *options = command
    result = subprocess.run(
        [sys.executable, "-m", "addin.cli", name, *options, str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(limit),
    )
    assert result.returncode == 2, result.stderr
    message = json.loads(result.stdout)["fout"]
    assert str(path) in message and "het bestand wordt te groot" in message, message
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == []


# 100,000 bytes go past the file object's buffer and fail in write(); 5,000 wait in the
# buffer and fail when the file is closed (as a network share reports a full disk late):
# that half file stayed.
@pytest.mark.parametrize("size", [100_000, 5_000], ids=["in-write", "at-close"])
def test_write_new_that_fails_half_way_leaves_no_file(tmp_path, size):
    """The disk fills up while the new workbook is written: half a file stayed behind,
    which Excel cannot open and the next `nieuw` refused to overwrite."""
    path = tmp_path / "Debiteuren.xlsm"
    code = (
        "import sys; from addin.excel.build import write_new\n"
        "try:\n    write_new(sys.argv[1], bytes(int(sys.argv[2])))\n"
        "except OSError as exc:\n    sys.exit(exc.errno)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path), str(size)],
        capture_output=True,
        timeout=60,
        preexec_fn=_file_size_limit(4096),
    )
    assert result.returncode == errno.EFBIG, result.stderr
    assert list(tmp_path.iterdir()) == []


# Run in the child: the limit on file size drops to LIMIT bytes as the 2nd file is opened
# for writing in FOLDER, so that file's write stops at LIMIT bytes. With HOW "kill" SIGXFSZ
# gets its default action back (Python ignores it), and the kernel ends the process in the
# middle of that write: a stop half-way at a real write. With "fail" the write fails
# (EFBIG), as on a full disk. With "mkdir=PATH" the limit stays and a folder takes the name
# PATH instead (as another nieuw, or the user, could in the meantime).
_STOPPED_AT_SECOND_WRITE = """
import os, resource, signal, sys
from addin.cli import main
folder, limit, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if how == "kill":
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
opened = 0
def hook(event, args):
    global opened
    if event == "open" and str(args[0]).startswith(folder + os.sep) and (
        (args[1] or "").startswith(("w", "x", "a")) or args[2] & (os.O_WRONLY | os.O_RDWR)
    ):
        opened += 1
        if opened == 2 and how.startswith("mkdir="):
            os.mkdir(how[len("mkdir="):])
        elif opened == 2:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.addaudithook(hook)
sys.exit(main(sys.argv[4:]))
"""


@pytest.mark.parametrize("how", ["kill", "fail"])
def test_bouw_stopped_while_writing_an_invoice_leaves_every_file_whole(tmp_path, how):
    """bouw over an earlier build, stopped half-way through the 2nd invoice PDF (the kernel
    ends the process, or the write fails as on a full disk): that PDF was opened over the
    earlier one and stayed cut off at 1,000 bytes. Now each file is written whole under a
    temp name and renamed: every invoice and the workbook are the earlier ones, and a temp
    file a killed run leaves is taken away by the next bouw."""
    out = tmp_path / "Debiteuren.xlsm"
    assert run("bouw", "--uit", str(out)).returncode == 0
    out.write_bytes(b"PK eerdere werkmap")
    invoices = tmp_path / "facturen"
    before = {p.name: p.read_bytes() for p in invoices.iterdir()}
    child = [sys.executable, "-c", _STOPPED_AT_SECOND_WRITE, str(invoices), "1000", how]
    stopped = subprocess.run(
        [*child, "bouw", "--uit", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if how == "kill":
        assert stopped.returncode == -signal.SIGXFSZ, stopped.stderr
        assert list(tmp_path.rglob(".debiteuren-*.tmp"))  # its temp files, whole or not
    else:
        assert stopped.returncode == 2 and stopped.stderr == ""
        message = json.loads(stopped.stdout)["fout"]
        assert "het bestand wordt te groot" in message and "is niet geschreven" in message
        assert not list(tmp_path.rglob(".debiteuren-*"))
    assert out.read_bytes() == b"PK eerdere werkmap"
    after = {p.name: p.read_bytes() for p in invoices.iterdir() if p.suffix == ".pdf"}
    assert after == before
    assert run("bouw", "--uit", str(out)).returncode == 0
    assert not list(tmp_path.rglob(".debiteuren-*"))
    assert {p.name: p.read_bytes() for p in invoices.iterdir()} == before


def test_bouw_through_a_link_writes_the_file_it_points_to(tmp_path):
    """--uit naming a symbolic link: the link became a regular file and the file it points
    to kept the old workbook. Now the real file gets the workbook, with the example's
    invoices beside it (where its Factuurmap is read), and the link stays."""
    real = tmp_path / "echt" / "Debiteuren.xlsm"
    real.parent.mkdir()
    real.write_bytes(b"PK eerdere werkmap")
    link = tmp_path / "elders" / "Werkmap.xlsm"
    link.parent.mkdir()
    link.symlink_to(real)
    result = run("bouw", "--uit", str(link), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["bestand"] == str(link) and got["bytes"] == real.stat().st_size
    assert link.is_symlink() and link.resolve() == real
    assert read_book(real)[1] == ()
    assert len(list((real.parent / "facturen").glob("*.pdf"))) == got["facturen"]
    assert sorted(p.name for p in link.parent.iterdir()) == ["Werkmap.xlsm"]
    assert not list(tmp_path.rglob(".debiteuren-*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux line")
def test_nieuw_on_linux_says_what_the_python_setting_means_there(tmp_path):
    """On Linux nieuw printed 'Python voor Excel: /usr/bin/python3 (Interpreter_Mac).': a
    Mac setting, with no word on why or what to do where Excel runs."""
    path = tmp_path / "Debiteuren.xlsm"
    result = run("nieuw", str(path))
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if "Interpreter_Mac" in x]
    assert line == (
        "Geen Excel op Linux: xlwings.conf krijgt Interpreter_Mac "
        f"{sys.executable}; maak de werkmap voor Windows of de Mac daar met 'debiteuren "
        "nieuw', of vul Interpreter_Win of Interpreter_Mac in op het blad xlwings.conf."
    )
    assert _conf(path)["Interpreter_Mac"] == sys.executable
    # Right after "Geen Excel op Linux", the last line says where to open it.
    assert result.stdout.splitlines()[-1] == (
        "Open hem in Excel op Windows of de Mac en schakel macro's in."
    )


@pytest.mark.parametrize(
    ("platform", "setting", "exp"),
    [
        ("win32", ("Interpreter_Win", r"C:\Py\pythonw.exe"),
         r"Python voor Excel: C:\Py\pythonw.exe (Interpreter_Win)."),
        ("darwin", ("Interpreter_Mac", "/opt/py/bin/python3"),
         "Python voor Excel: /opt/py/bin/python3 (Interpreter_Mac)."),
        ("linux", ("Interpreter_Mac", "/opt/py/bin/python3"),
         "Geen Excel op Linux: xlwings.conf krijgt Interpreter_Mac /opt/py/bin/python3; maak "
         "de werkmap voor Windows of de Mac daar met 'debiteuren nieuw', of vul "
         "Interpreter_Win of Interpreter_Mac in op het blad xlwings.conf."),
    ],
    ids=["windows", "mac", "linux"],
)  # fmt: skip
def test_python_line(platform, setting, exp):
    got = python_line(setting, platform)
    assert got == exp
    where = "Excel op Windows of de Mac" if platform == "linux" else "Excel"
    assert open_line(platform) == f"Open hem in {where} en schakel macro's in."


def test_bouw_whose_workbook_cannot_be_put_in_place_leaves_no_invoices(tmp_path):
    """The workbook's name taken by a folder (as the workbook open in Excel on Windows
    refuses the rename): bouw stopped in Dutch after writing all the invoices, and a new
    facturen folder of 264 PDFs stayed beside no workbook. Now it is taken away as after an
    invoice that fails: nothing of the run stays."""
    out = tmp_path / "Debiteuren.xlsm"
    out.mkdir()
    result = run("bouw", "--uit", str(out), "--json")
    assert result.returncode == 2 and result.stderr == ""
    message = json.loads(result.stdout)["fout"]
    assert message == (
        f"De werkmap '{out}' kon niet worden geschreven: er staat een map met die naam "
        "(Is a directory)."
    )
    assert [p.name for p in tmp_path.iterdir()] == ["Debiteuren.xlsm"]
    assert list(out.iterdir()) == []


def test_nieuw_takes_away_what_a_killed_nieuw_left(tmp_path):
    """A nieuw --voorbeeld ended by the kernel in the middle of its 2nd invoice PDF left that
    PDF's temp file in facturen/; only bouw and the writing commands cleared such files, so
    it stayed. The next nieuw in that folder takes it away."""
    invoices = tmp_path / "facturen"
    child = [sys.executable, "-c", _STOPPED_AT_SECOND_WRITE, str(invoices), "1000", "kill"]
    stopped = subprocess.run(
        [*child, "nieuw", str(tmp_path / "Eerste.xlsm"), "--voorbeeld"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stopped.returncode == -signal.SIGXFSZ, stopped.stderr
    assert list(invoices.glob(".debiteuren-*.tmp"))
    result = run("nieuw", str(tmp_path / "Tweede.xlsm"))
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob(".debiteuren-*"))


@pytest.mark.parametrize("how", ["kill", "fail"])
def test_nieuw_voorbeeld_stopped_at_an_invoice_leaves_no_workbook(tmp_path, how):
    """nieuw --voorbeeld stopped in the middle of its 2nd invoice PDF (the kernel ends the
    process, or the write fails as on a full disk). Killed, it left the whole workbook,
    written first, beside one invoice: it looked done, and the next nieuw refused its name.
    Now the workbook comes last: a killed run leaves none, and the invoice it wrote is a
    whole PDF that the same nieuw run again keeps; a failing run leaves nothing at all."""
    path = tmp_path / "Debiteuren.xlsm"
    invoices = tmp_path / "facturen"
    child = [sys.executable, "-c", _STOPPED_AT_SECOND_WRITE, str(invoices), "1000", how]
    stopped = subprocess.run(
        [*child, "nieuw", str(path), "--voorbeeld", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not path.exists()
    if how == "fail":
        assert stopped.returncode == 2 and stopped.stderr == ""
        message = json.loads(stopped.stdout)["fout"]
        assert "het bestand wordt te groot" in message, message
        assert message.endswith(f"Er is niets gemaakt: ook de werkmap '{path}' niet."), message
        assert list(tmp_path.iterdir()) == []
        return
    assert stopped.returncode == -signal.SIGXFSZ, stopped.stderr
    (first,) = invoices.glob("*.pdf")
    assert len(PdfReader(first).pages) == 1
    result = run("nieuw", str(path), "--voorbeeld", "--json")
    assert result.returncode == 0, result.stderr
    assert read_book(path)[1] == ()
    pdfs = sorted(invoices.glob("*.pdf"))
    assert len(pdfs) == json.loads(result.stdout)["factuur_pdfs"] + 1  # the first was kept
    assert not list(tmp_path.rglob(".debiteuren-*"))


def test_nieuw_voorbeeld_whose_workbook_name_is_taken_meanwhile_leaves_no_invoices(tmp_path):
    """The workbook's name taken by a folder while the example's invoices are written: the
    workbook, put in place last, is refused as the name of any existing file is, and the
    invoices the run wrote are taken away with their folder."""
    path = tmp_path / "Debiteuren.xlsm"
    child = [sys.executable, "-c", _STOPPED_AT_SECOND_WRITE, str(tmp_path / "facturen"), "0"]
    result = subprocess.run(
        [*child, f"mkdir={path}", "nieuw", str(path), "--voorbeeld", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stderr == ""
    message = json.loads(result.stdout)["fout"]
    assert message == f"'{path}' bestaat al; er is niets overschreven. Kies een andere naam."
    assert [p.name for p in tmp_path.iterdir()] == ["Debiteuren.xlsm"]
    assert path.is_dir() and list(path.iterdir()) == []
