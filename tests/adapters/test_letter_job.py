"""The letter run's process use: many letters go to worker processes, unless the caller asks
for one process (the Excel ribbon does: inside Excel, Python may be xlwings' COM server).
Checked on a real workbook file by looking at the live child processes while letters are
made."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from addin.adapters.documents.letter_job import PARALLEL_FROM, run_letters
from addin.adapters.workbook.book_writer import write_book
from benchmarks.generate import AS_OF, generate_book


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    book = generate_book(600, 150, 10, 100)  # 21 letters on AS_OF
    path = tmp_path_factory.mktemp("brieven") / "Veel.xlsx"
    write_book(book, path)
    return book, path


def _children_while_making(book, path, **options) -> list[int]:
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(len(multiprocessing.active_children()))

    job = run_letters(book, path, AS_OF, dry_run=True, progress=progress, **options)
    assert len(job.made) == len(seen) >= PARALLEL_FROM
    assert len(list(job.folder.glob("*.pdf"))) == len(job.made)
    return seen


def test_one_process_when_asked(many):
    book, path = many
    assert set(_children_while_making(book, path, parallel=False)) == {0}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="één kern: altijd in één proces")
def test_worker_processes_for_many_letters(many):
    book, path = many
    assert max(_children_while_making(book, path)) > 0


@pytest.mark.parametrize(
    "action, step, language, exp",
    [
        ("herinnering", "Herinnering", "NL", "2026-11-24 Herinnering K1"),
        ("herinnering", "Herinnering", "EN", "2026-11-24 Reminder K1"),
        ("herinnering", " herinnering ", "EN", "2026-11-24 Reminder K1"),  # typed by hand
        ("regeling-aanbieden", "Regeling aanbieden", "EN", "2026-11-24 Payment proposal K1"),
        ("laatste-herinnering", "Laatste herinnering", "EN", "2026-11-24 Final reminder K1"),
        ("veertiendagenbrief", "Veertiendagenbrief", "EN", "2026-11-24 Payment demand K1"),
        ("bevestigen", "Bevestiging", "EN", "2026-11-24 Confirmation K1"),
        ("bedanken", "Bedankje", "EN", "2026-11-24 Thank you K1"),
        # the user's own step is the user's words; a shipped name under another action too
        ("herinnering", "Eerste herinnering", "EN", "2026-11-24 Eerste herinnering K1"),
        ("laatste-herinnering", "Herinnering", "EN", "2026-11-24 Herinnering K1"),
    ],
)
def test_letter_name_follows_the_letters_language_for_shipped_steps(action, step, language, exp):
    from datetime import date
    from decimal import Decimal

    from addin.adapters.documents.letter_job import letter_name
    from addin.core.model import Action, LetterTask

    task = LetterTask("K1", Action(action), step, date(2026, 11, 24), ("F1",), (), Decimal(1))
    got = letter_name(task, date(2026, 11, 24), language)
    assert got == exp
