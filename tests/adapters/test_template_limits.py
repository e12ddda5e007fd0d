"""Limits on the user's letter templates (adapters/documents/template_limits.py), in the
process: each runaway template from the fault run is refused within 10 s (run in a child
process, so a hang fails the test instead of hanging it) with a Dutch message naming the
template; a runaway template in the `sjablonen` folder refuses the letter run before any
letter is made; the shipped templates are well inside every limit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from addin.adapters.documents.letters import LetterTemplateError, letter_templates
from addin.adapters.documents.preflight import check_templates
from addin.adapters.documents.template_limits import LimitedSandbox, limits
from addin.adapters.workbook.reader import read_book
from addin.core.plan import plan_book

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
DAY = "2026-11-24"

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
RUNAWAY = [
    # (id, template, what the message says)
    ("range-100000-genest", NESTED, "range() over meer dan 10.000 getallen (100.000)"),
    ("macht-9-9-9", "{{ 9 ** (9 ** 9) }}", "een getal groter dan 10^100 (9 ** 387420489)"),
    ("x-maal-1e9", "{{ 'x' * 1000000000 }}", "een tekst of lijst groter dan 1 MB"),
    ("10-tot-100000", "{{ 10 ** 100000 }}", "een getal groter dan 10^100 (10 ** 100000)"),
    ("constante-10-tot-100000", "{{ 10 ** 100000 }}{{ 1 }}", "10^100"),
    (
        "lussen-10000-genest",
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "meer dan 100.000 herhalingen in één brief",
    ),
    (
        "macro-2-tot-40",
        "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
        "meer dan 10.000 aanroepen",
    ),
    (
        "verdubbelen-met-tilde",
        "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}",
        "groter dan 1 MB",
    ),
    ("center-1e9", "{{ 'x'|center(1000000000) }}", "groter dan 1 MB"),
    ("ljust-1e9", "{{ 'x'.ljust(1000000000) }}", "groter dan 1 MB"),
    ("printf-breedte", "{{ '%0999999999d' % 1 }}", "een opmaakbreedte groter dan 1 MB"),
    ("format-breedte", "{{ '{:>999999999}'.format(1) }}", "een opmaakbreedte groter dan 1 MB"),
    ("join-groot", "{{ range(10000)|join('x' * 999999) }}", "groter dan 1 MB"),
    ("map-center", "{{ range(10000)|map('center', 999999)|list|length }}", "1 MB"),
    (
        "uitvoer-2mb",
        "{% for i in range(10000) %}" + "y" * 200 + "{% endfor %}",
        "meer dan 1 MB tekst",
    ),
    ("lipsum", "{{ lipsum(n=1000000000) }}", "lipsum"),
    (
        "lijst-groeien",
        "{% set l = [] %}{% for i in range(9) %}{{ l.append(i) }}{% endfor %}",
        "append",
    ),
]

_RENDER = """
import sys
from addin.adapters.documents.letters import LetterTemplateError, letter_templates
from addin.adapters.workbook.reader import read_book
from addin.core.plan import plan_book
from addin.adapters.documents.preflight import check_templates
from addin.adapters.documents.template_limits import LimitedSandbox, limits
try:
    with limits("nl/proef.txt.j2"):
        LimitedSandbox().from_string(sys.argv[1]).render()
except Exception as exc:
    print(type(exc).__name__, exc)
else:
    print("geen fout")
"""


@pytest.mark.parametrize("source, message", [r[1:] for r in RUNAWAY], ids=[r[0] for r in RUNAWAY])
def test_a_runaway_template_is_refused_within_10_seconds(source, message):
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, source], capture_output=True, text=True, timeout=10
    )
    assert done.returncode == 0, done.stderr
    assert message in done.stdout
    if "Sjabloon" in done.stdout:
        assert done.stdout.startswith("TemplateLimitError Sjabloon nl/proef.txt.j2 gaat over")


@pytest.mark.parametrize(
    "source, exp",
    [
        ("{% for i in range(10000) %}{% endfor %}{{ range(3)|join(',') }}", "0,1,2"),
        (
            "{{ 10 ** 100 > 0 }} {{ 2 ** 0.5 > 1 }} {{ 'ab' * 3 }} {{ 'a' ~ 1 }}",
            "True True ababab a1",
        ),
        (
            "{{ '%05.1f' % 3.14159 }} {{ '{:>4}'.format(7) }} {{ 'x'.center(5) }}|",
            "003.1    7   x  |",
        ),
        (
            "{{ 'a b'|replace(' ', '-') }} {{ [3, 1, 2]|sort|sum }} {{ 'x'|indent(2, true) }}",
            "a-b 6   x",
        ),
        (
            "{% set ns = namespace(n=0) %}{% for i in range(5) %}{% set ns.n = ns.n + i %}"
            "{% endfor %}{{ ns.n }}",
            "10",
        ),
    ],
)
def test_ordinary_template_code_still_works(source, exp):
    with limits("proef"):
        assert LimitedSandbox().from_string(source).render() == exp


def test_each_letter_has_its_own_budget():
    template = LimitedSandbox().from_string("{% for i in range(9000) %}{% endfor %}ok")
    for _ in range(30):  # 270,000 iterations in all, 9,000 per letter
        with limits("proef"):
            assert template.render() == "ok"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def test_a_runaway_template_refuses_the_run_before_any_letter(workbook):
    # The example's run makes herinnering letters before its laatste-herinnering ones; the
    # runaway is in the latter, and still no letter at all is made.
    own = workbook.parent / "sjablonen" / "nl"
    own.mkdir(parents=True)
    shipped = (ROOT / "templates" / "nl" / "laatste-herinnering.txt.j2").read_text("utf-8")
    own.joinpath("laatste-herinnering.txt.j2").write_text(
        shipped.replace("{% block body %}", "{% block body %}{{ 9 ** (9 ** 9) }}", 1), "utf-8"
    )
    before = workbook.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "addin.cli", "herinneringen", str(workbook), "--datum", DAY,
         "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    message = json.loads(done.stdout)["fout"]
    assert "Sjabloon nl/laatste-herinnering.txt.j2 gaat over een grens: een getal groter dan " \
        "10^100 (9 ** 387420489)" in message  # fmt: skip
    assert "Traceback" not in done.stderr
    assert workbook.read_bytes() == before
    assert not list(workbook.parent.rglob("*.pdf")) and not list(workbook.parent.rglob("*.eml"))


def _example_run(tmp_path: Path, body: str):
    """The example's letters and its templates, with `body` put into herinnering's body."""
    tmp_path.mkdir(exist_ok=True)
    workbook = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, workbook)
    own = tmp_path / "sjablonen" / "nl"
    own.mkdir(parents=True)
    shipped = (ROOT / "templates" / "nl" / "herinnering.txt.j2").read_text("utf-8")
    own.joinpath("herinnering.txt.j2").write_text(
        shipped.replace("{% block body %}", "{% block body %}" + body, 1), "utf-8"
    )
    book, _problems = read_book(workbook)
    as_of = date.fromisoformat(DAY)
    tasks = plan_book(book, as_of).letters
    return book, as_of, tasks, letter_templates(workbook)


def test_the_check_refuses_a_template_that_fails_for_every_letter(tmp_path):
    book, as_of, tasks, templates = _example_run(tmp_path, "{{ nergens }}")
    with pytest.raises(LetterTemplateError, match=r"nl/herinnering\.txt\.j2"):
        check_templates(book, as_of, tasks, templates)


def test_the_check_leaves_a_letter_whose_own_data_fails_to_the_run(tmp_path):
    book, as_of, tasks, templates = _example_run(tmp_path, "")
    first = next(t for t in tasks if t.action.value == "herinnering")
    book, as_of, tasks, templates = _example_run(
        tmp_path / "b",
        f"{{% if customer_number == '{first.customer}' %}}{{{{ nergens }}}}{{% endif %}}",
    )
    check_templates(book, as_of, tasks, templates)  # the other herinnering letters render
