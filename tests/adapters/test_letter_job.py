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
