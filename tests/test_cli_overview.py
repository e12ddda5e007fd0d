"""`debiteuren overzicht`: the figures as JSON (the contract of issue 10), the sheet written
through the safe write-back (nothing with --proef), and the two charts as PNG."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from addin.cli import main

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-11-24"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Debiteuren.xlsm"
    shutil.copy(ROOT / "workbook" / "Debiteuren.xlsm", path)
    return path


def _run(capsys, *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_text_and_json_give_the_key_figures_of_the_sheet(workbook, capsys):
    """The sheet's Kerncijfers (disputed, agreed, handed over, bank lines to review, ...)
    were on the sheet alone: the text and --json gave only the two DSO of them."""
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY, "--json")
    assert code == 0
    got = [(f["kerncijfer"], f["aantal"], f["bedrag"]) for f in json.loads(out)["kerncijfers"]]
    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Overzicht").to_python()
    first = next(i for i, row in enumerate(rows) if row[0] == "Kerncijfer") + 3  # past the DSO
    sheet = []
    for row in rows[first:]:
        if row[0] == "":
            break
        sheet.append((row[0], None if row[1] == "" else int(row[1]), f"{row[2]:.2f}"))
    assert got == sheet and len(got) == 8
    assert got[4] == ("In geschil (geschil of bijzonderheid)", 5, "19514.90")
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY, "--proef")
    text = out.split("\nKerncijfers\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [" ".join(line.split()) for line in text][3:5] == [
        "Open creditnota's (nog te verrekenen) 2 € -635,00",
        "In geschil (geschil of bijzonderheid) 5 € 19.514,90",
    ]
    assert len(text) == 8


def test_json_is_the_contract_and_proef_writes_nothing(workbook, capsys):
    before = workbook.read_bytes()
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY, "--json", "--proef")
    assert code == 0 and workbook.read_bytes() == before
    got = json.loads(out)
    assert set(got) == {"datum", "ouderdom", "dso", "dso_countback", "grootste_debiteuren",
                        "goede_betalers", "kerncijfers", "meldingen", "problemen"}  # fmt: skip
    assert got["problemen"] == []
    assert got["datum"] == DAY
    assert [b["emmer"] for b in got["ouderdom"]] == [
        "Niet vervallen", "1-30 dagen", "31-60 dagen", "61-90 dagen", "Meer dan 90 dagen"]  # fmt: skip
    assert got["ouderdom"][0] == {"emmer": "Niet vervallen", "facturen": 12, "bedrag": "78692.82"}
    assert (got["dso"], got["dso_countback"]) == (41, 48)
    top = got["grootste_debiteuren"]
    assert len(top) == 10 and set(top[0]) == {
        "klant", "naam", "open", "vervallen", "oudste_vervaldatum", "actie"}  # fmt: skip
    assert top[0] == {
        "klant": "K001", "naam": "Bouwbedrijf Van der Meer B.V.", "open": "56268.28",
        "vervallen": "14874.30", "oudste_vervaldatum": "2026-11-19", "actie": "bellen",
    }  # fmt: skip
    assert {"klant": "K030", "naam": "Supermarkt Van Dam"} in got["goede_betalers"]


def test_writes_the_overzicht_and_the_pngs(workbook, tmp_path, capsys):
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY, "--png", tmp_path / "png")
    assert code == 0
    assert "DSO countback (teruggeteld over de omzet per maand): 48 dagen" in out
    assert "4 waarschuwingen: zie bovenaan de Werklijst." in out
    sheet = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Overzicht").to_python()
    assert sheet[0][0] == "Overzicht 24-11-2026"
    labels = [row[0] for row in sheet]
    assert "Goede betalers (betalen op tijd)" in labels
    for name in ("ouderdom.png", "grootste-debiteuren.png"):
        with Image.open(tmp_path / "png" / name) as image:
            assert image.size[0] > 400
    # the workbook's other parts are as they were: only the owned ones changed
    with zipfile.ZipFile(ROOT / "workbook" / "Debiteuren.xlsm") as z:
        old = {i.filename: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(workbook) as z:
        new = {i.filename: z.read(i) for i in z.infolist()}
    changed = {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)}
    assert {"xl/vbaProject.bin", "customUI/customUI14.xml"}.isdisjoint(changed)


@pytest.mark.parametrize("proef", [False, True], ids=["writing", "proef"])
def test_a_png_folder_that_cannot_be_made_is_a_message_and_changes_nothing(
    workbook, tmp_path, capsys, proef
):
    """--png under a file: a Dutch message and exit 2, no traceback, and the workbook as it
    was (the sheet was written before the charts failed)."""
    before = workbook.read_bytes()
    listing = sorted(tmp_path.rglob("*"))
    args = ["overzicht", workbook, "--datum", DAY, "--json", "--png", workbook / "png"]
    code, out = _run(capsys, *args, *(["--proef"] if proef else []))
    message = json.loads(out)["fout"]
    assert code == 2 and str(workbook / "png") in message and "Errno" not in message, message
    assert workbook.read_bytes() == before and sorted(tmp_path.rglob("*")) == listing


def test_a_refused_workbook_write_leaves_no_pngs(workbook, tmp_path, capsys):
    """The sheet cannot be written (a table of the workbook is broken): the charts of this
    run are taken away again, so nothing is left of a run that failed."""
    with zipfile.ZipFile(workbook) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(workbook, "w") as z:  # the same workbook without its styles part
        for name, data in parts.items():
            if name != "xl/styles.xml":
                z.writestr(name, data)
    code, out = _run(
        capsys, "overzicht", workbook, "--datum", DAY, "--json", "--png", tmp_path / "png"
    )
    assert code == 2 and json.loads(out)["fout"], out
    assert not (tmp_path / "png").exists()


def test_charts_are_added_once_and_follow_the_cells(workbook, capsys):
    assert _run(capsys, "overzicht", workbook, "--datum", DAY)[0] == 0
    first = workbook.read_bytes()
    with zipfile.ZipFile(workbook) as z:
        names = set(z.namelist())
        charts = sorted(n for n in names if n.startswith("xl/charts/chart"))
        assert len(charts) == 2 and "xl/drawings/drawing1.xml" in names
        ageing = z.read(charts[0]).decode()
        types = z.read("[Content_Types].xml").decode()
    assert "<c:f>'Overzicht'!$A$5:$A$9</c:f>" in ageing
    assert "<c:f>'Overzicht'!$C$5:$C$9</c:f>" in ageing and "78692.82" in ageing
    assert all(f'PartName="/{c}"' in types for c in charts)
    # a second run finds its charts again: nothing changes
    assert _run(capsys, "overzicht", workbook, "--datum", DAY)[0] == 0
    assert workbook.read_bytes() == first


def test_a_new_empty_workbook_gets_the_second_chart_when_there_are_debtors(tmp_path, capsys):
    """`nieuw` writes the ageing chart (no debtors yet, so no second chart); the first
    overzicht with a debtor adds the second one into the same drawing, once."""
    from datetime import date
    from decimal import Decimal

    from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
    from tests.ooxml import assert_valid

    path = tmp_path / "leeg.xlsm"
    assert main(["nieuw", str(path), "--json"]) == 0
    with zipfile.ZipFile(path) as z:
        assert [n for n in z.namelist() if n.startswith("xl/charts/")] == ["xl/charts/chart1.xml"]
    invoice = {"Factuurnummer": "F1", "Klantnummer": "K1", "Factuurdatum": date(2026, 10, 1),
               "Vervaldatum": date(2026, 10, 31), "Bedrag": Decimal("100.00")}  # fmt: skip
    apply_patch(
        path,
        Patch(
            append=(
                ("tblKlanten", ({"Klantnummer": "K1", "Naam": "Alfa BV"},)),
                ("tblFacturen", (invoice,)),
            )
        ),
        backup=False,
    )
    capsys.readouterr()
    for _ in range(2):
        assert _run(capsys, "overzicht", path, "--datum", DAY)[0] == 0
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/"))
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        top = z.read("xl/charts/chart2.xml").decode()
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert drawing.count("<xdr:graphicFrame") == 2 and "Alfa BV" in top
    assert_valid(path)


def _ledger_book(tmp_path: Path, customers: list[tuple[str, str, str]]) -> Path:
    """A workbook with one overdue invoice per (number, name, amount) customer."""
    from addin.adapters.workbook.book_writer import write_book
    from tests.core.booktext import book

    rows = "\n".join(f"| {n} | {name} | Zakelijk |" for n, name, _ in customers)
    invoices = "\n".join(
        f"| F{n} | {n} | 2026-09-01 | 2026-10-01 | {amount} |" for n, _, amount in customers
    )
    path = tmp_path / "boek.xlsx"
    text = f"""
    [klanten]
    | klant | naam | soort |
    {rows}
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    {invoices}
    """
    write_book(book(text, company_name="Test BV"), path)
    return path


BAR = (0x1F, 0x4E, 0x78)  # the charts' bar colour


def _bars(png: Path) -> list[int]:
    """The widths in pixels of the horizontal bars of a PNG chart, top to bottom."""
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        pixels = rgb.load()
        rows = [sum(1 for x in range(width) if pixels[x, y] == BAR) for y in range(height)]
    bars, inside = [], False
    for count in rows:
        if count and not inside:
            bars.append(count)
        elif count:
            bars[-1] = max(bars[-1], count)
        inside = bool(count)
    return bars


def test_the_top_debtors_png_has_a_bar_per_customer_and_room_for_the_bars(tmp_path, capsys):
    """Two customers of the same name were drawn as one bar (matplotlib joins equal
    category names), and a long name took the width: the largest bar was a sixth of the
    picture."""
    long_name = "Stichting Woningcorporatie en Vastgoedbeheer Midden-Nederland Regio Oost"
    path = _ledger_book(
        tmp_path,
        [
            ("K1", long_name, "9000.00"),
            ("K2", "Bakkerij Jansen", "500.00"),
            ("K3", "Bakkerij Jansen", "400.00"),
        ],
    )
    code, _ = _run(capsys, "overzicht", path, "--datum", DAY, "--png", tmp_path / "png", "--proef")
    assert code == 0
    png = tmp_path / "png" / "grootste-debiteuren.png"
    bars = _bars(png)
    with Image.open(png) as image:
        width = image.size[0]
    assert len(bars) == 3, bars
    assert bars[0] > 0.4 * width, (bars, width)


def test_chart_axes_are_in_euros_the_dutch_way_and_an_empty_chart_says_so():
    from datetime import date

    from addin.cli.overview import NOTHING_OPEN, chart_figures
    from addin.core.overview import overview
    from addin.core.plan import plan_book
    from tests.core.booktext import book

    big = book("""
    [klanten]
    | klant | naam    | soort    |
    | K1    | Alfa BV | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag     |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 1234567.89 |
    """)
    day = date(2026, 11, 24)
    for name, fig in chart_figures(overview(plan_book(big, day), big)).items():
        fig.canvas.draw()
        ax = fig.axes[0]
        axis = ax.yaxis if name == "ouderdom.png" else ax.xaxis
        got = [t.get_text() for t in axis.get_ticklabels()]
        assert got[0] == "€ 0" and "€ 1.000.000" in got, (name, got)
    empty = book("""
    [klanten]
    | klant | naam    | soort    |
    | K1    | Alfa BV | Zakelijk |
    """)
    for name, fig in chart_figures(overview(plan_book(empty, day), empty)).items():
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts == [NOTHING_OPEN], name


def test_a_book_with_nothing_open_says_so_under_grootste_debiteuren(tmp_path, capsys):
    path = _ledger_book(tmp_path, [("K1", "Alfa BV", "0.00")])
    assert _run(capsys, "overzicht", path, "--datum", DAY)[0] == 0
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Overzicht").to_python()
    labels = [row[0] for row in sheet]
    at = labels.index("Grootste debiteuren")
    assert labels[at + 1] == "Geen openstaande facturen."  # not a header over no rows


def test_the_summary_keeps_its_columns_in_line_after_a_long_name(tmp_path, capsys):
    long_name = "Stichting Woningcorporatie en Vastgoedbeheer Midden-Nederland Regio Oost"
    path = _ledger_book(tmp_path, [("K1", long_name, "9000.00"), ("K2", "Alfa BV", "500.00")])
    code, out = _run(capsys, "overzicht", path, "--datum", DAY, "--proef")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith(("  K1 ", "  K2 "))]
    assert len(lines) == 2 and lines[0].index(" open ") == lines[1].index(" open "), lines
    assert "  K1     Stichting Woningcorporatie en Vas… open" in lines[0]


def test_a_debtor_whose_oldest_invoice_is_at_the_agency_says_so(workbook, capsys):
    # K014's oldest invoice was handed over on 12-8-2026: its action is "geen", which beside
    # EUR 5,742.40 overdue read as if it were forgotten; text, JSON and sheet say where it is.
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY, "--json", "--proef")
    row = next(r for r in json.loads(out)["grootste_debiteuren"] if r["klant"] == "K014")
    assert (row["vervallen"], row["actie"]) == ("5742.40", "overgedragen")
    others = {r["actie"] for r in json.loads(out)["grootste_debiteuren"] if r["klant"] != "K014"}
    assert "overgedragen" not in others and "geen" not in others
    code, out = _run(capsys, "overzicht", workbook, "--datum", DAY)
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("K014"))
    assert line.split()[-1] == "overgedragen"
    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Overzicht").to_python()
    sheet_row = next(r for r in rows if r and r[0] == "K014")
    assert "overgedragen" in sheet_row


def test_a_dso_of_one_day_is_singular():
    """'DSO ...: 1 dagen' on a book whose open amount is one day of its revenue."""
    from datetime import date
    from decimal import Decimal

    from addin.cli.overview import overview_text
    from addin.core.overview import Overview

    zero = ("Totaal", 0, Decimal("0"))
    o = Overview(date(2026, 11, 24), (), zero, 1, 1, (), (), ())
    got = [line for line in overview_text(o) if line.startswith("DSO")]
    assert got == [
        "DSO (openstaand / omzet 12 maanden x 365): 1 dag",
        "DSO countback (teruggeteld over de omzet per maand): 1 dag",
    ]
