"""Operators' corrections as training examples (``gateway classifier train --with-corrections``).

When an operator corrects a complaint's topic in the console, or the national feed shows
that verification changed it, the text and the corrected topic are kept per tenant
(:mod:`gateway.storage.corrections`); :func:`load_corrections` reads them back as
examples that go to the train split only (never to dev or test: they teach, they are
not the measure).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from gateway.classifier.data import Example
from gateway.mappings.catalog import Catalogue
from gateway.storage.corrections import latest_topics


def load_corrections(engine: Engine) -> list[Example]:
    """Per complaint whose topic a person corrected, its text with the latest corrected
    topic (every tenant's), oldest first; a topic the bundled catalogue no longer lists
    is left out (the model learns the catalogue's topics only)."""
    topics = Catalogue.bundled().topics
    return [
        Example(text=row.text, topic=row.topic_after, channel=row.channel)
        for row in latest_topics(engine)
        if row.topic_after is not None and row.topic_after in topics
    ]
