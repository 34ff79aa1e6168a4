"""Operators' corrections as training examples (``gateway classifier train --with-corrections``).

When an operator corrects a complaint's topic in the console, or the national feed shows
that verification changed it, the text and the corrected topic are kept per tenant;
:func:`load_corrections` reads them back as examples that go to the train split only
(never to dev or test: they teach, they are not the measure).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from gateway.classifier.data import Example


def load_corrections(engine: Engine) -> list[Example]:
    """Every kept correction as a training example (none are kept yet)."""
    return []
