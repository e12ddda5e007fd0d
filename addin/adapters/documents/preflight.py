"""Before the first letter: every template the run will use, rendered once.

A template that goes over a limit (adapters/documents/template_limits.py) or fails would
otherwise be found only at its first letter, after other letters were written. So the run
first renders, per distinct template (step, action and language), the first letter that
uses it, with that letter's real content, and nothing else; the first failure refuses the
whole run before any file exists.

Example::

    check_templates(book, as_of, plan.letters, letter_templates(workbook))
    -> None, or LetterTemplateError / TemplateLimitError naming the template
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from addin.adapters.documents.letters import Templates, render_letter
from addin.core.ledger import Ledger
from addin.core.letter_content import compose
from addin.core.model import Book, LetterTask


def check_templates(
    book: Book,
    as_of: date,
    tasks: Sequence[LetterTask],
    templates: Templates,
    ledger: Ledger | None = None,
) -> None:
    """Render the first letter of each distinct template among `tasks` (see the module)."""
    if not tasks:
        return
    languages = {c.number: c.language.strip().upper() for c in book.customers}
    first: dict[tuple[str, str, str], LetterTask] = {}
    for task in tasks:
        first.setdefault((task.step, task.action.value, languages.get(task.customer, "")), task)
    ledger = ledger if ledger is not None else Ledger.build(book, as_of)
    for task in first.values():
        try:
            content = compose(task, book, as_of, ledger=ledger)
        except Exception:  # the letter's own data: the run skips and reports that letter
            continue
        render_letter(content, templates)
