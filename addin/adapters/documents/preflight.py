"""Before the first letter: every template the run will use, rendered once.

A template that goes over a limit (adapters/documents/template_limits.py) or fails would
otherwise be found only at its first letter, after other letters were written. So the run
first renders, per distinct template (step, action and language), the first letter that
uses it, with that letter's real content; a template that cannot be loaded (missing, a
syntax error, blocks missing) or goes over a limit refuses the whole run before any file
exists. A template that fails only on one letter's data is tried on the next letters of the
same template (up to PROBES): if one of them renders, the template is sound and the letter
run itself deals with the letter that fails; if none does, the template is refused.

Example::

    check_templates(book, as_of, plan.letters, letter_templates(workbook))
    -> None, or LetterTemplateError / TemplateLimitError / TemplateSyntaxError naming it
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from jinja2 import TemplateNotFound

from addin.adapters.documents.letters import LetterTemplateError, Templates, render_letter
from addin.adapters.documents.template_limits import TemplateLimitError
from addin.core.ledger import Ledger
from addin.core.letter_content import compose
from addin.core.model import Book, LetterTask

PROBES = 3  # letters tried per template before a render error counts as the template's


def check_templates(
    book: Book,
    as_of: date,
    tasks: Sequence[LetterTask],
    templates: Templates,
    ledger: Ledger | None = None,
) -> None:
    """Render one letter of each distinct template among `tasks` (see the module)."""
    if not tasks:
        return
    languages = {c.number: c.language.strip().upper() for c in book.customers}
    by_template: dict[tuple[str, str, str], list[LetterTask]] = {}
    for task in tasks:
        key = (task.step, task.action.value, languages.get(task.customer, ""))
        probes = by_template.setdefault(key, [])
        if len(probes) < PROBES:
            probes.append(task)
    ledger = ledger if ledger is not None else Ledger.build(book, as_of)
    for probes in by_template.values():
        first_error: Exception | None = None
        for task in probes:
            try:
                content = compose(task, book, as_of, ledger=ledger)
            except Exception:  # this letter's data, not the template: the run reports it
                continue
            try:
                render_letter(content, templates)
            except LetterTemplateError as exc:
                if exc.__cause__ is None or isinstance(exc.__cause__, TemplateNotFound):
                    raise  # not found, or blocks missing: the same for every letter
                first_error = first_error or exc
                continue
            except TemplateLimitError:
                raise
            break
        else:
            if first_error is not None:
                raise first_error
