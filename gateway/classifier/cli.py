"""``gateway classifier train`` and ``gateway classifier eval``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from gateway.classifier.data import DATA_DIR, DataError, Example, read_examples
from gateway.classifier.evaluate import LABELS, evaluate, render
from gateway.classifier.model import BUNDLED_MODEL, ModelError, TopicModel, load_model
from gateway.mappings.catalog import Catalogue
from gateway.mappings.classify import SHARED_SYNONYMS
from gateway.tenants import MappingError, build_classifier, load_shared, read_spec

classifier_app = typer.Typer(
    help="The learned topic classifier: train and evaluate", no_args_is_help=True
)

#: the report's first line after the file name: without, with --tenant
HEADER = {
    "id": (
        "{n} pengaduan, model saja",
        "{n} pengaduan, tenant {t} (aturan kata kuncinya, lalu model)",
    ),
    "en": (
        "{n} complaints, model alone",
        "{n} complaints, tenant {t} (its keyword rules, then the model)",
    ),
}

MappingsOption = Annotated[
    Path | None, typer.Option("--mappings", help="Mappings directory (GATEWAY_MAPPINGS_DIR)")
]


def _mappings(directory: Path | None) -> Path:
    return directory or Path(os.environ.get("GATEWAY_MAPPINGS_DIR", "mappings"))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@classifier_app.command("train")
def train_command(
    out: Annotated[Path, typer.Option(help="Where to write the model")] = BUNDLED_MODEL,
    data: Annotated[Path, typer.Option(help="Labelled data directory")] = DATA_DIR,
    with_corrections: Annotated[
        bool, typer.Option("--with-corrections", help="Add operators' corrections to train")
    ] = False,
    mappings: MappingsOption = None,
    intent: Annotated[
        bool,
        typer.Option(
            "--intent/--no-intent",
            help="Also train the intent model (beside the bundled topic model) from the "
            "topic pool and intent-train.jsonl in the data directory's parent",
        ),
    ] = True,
) -> None:
    """Train the topic model (and the intent model) on the labelled data; the same data
    gives the same files."""
    from gateway.classifier.train import train  # scikit-learn: only for training

    try:
        shared = load_shared(_mappings(mappings))
    except MappingError as exc:
        raise _fail(str(exc)) from None
    corrections: list[Example] = []
    if with_corrections:
        from sqlalchemy.exc import SQLAlchemyError

        from gateway.bootstrap import load_settings
        from gateway.classifier.corrections import load_corrections
        from gateway.storage.engine import make_engine

        engine = make_engine(load_settings().database_url)
        try:
            corrections = load_corrections(engine)
        except SQLAlchemyError as exc:
            raise _fail(
                f"cannot read the corrections from the database ({type(exc).__name__}); "
                "is its schema current (gateway db upgrade)?"
            ) from None
        finally:
            engine.dispose()
        typer.echo(f"corrections: {len(corrections)}")
    try:
        result = train(
            data,
            out,
            topics=Catalogue.bundled().topics,
            synonyms={**SHARED_SYNONYMS, **shared.keywords.synonyms},
            corrections=corrections,
        )
    except (DataError, ValueError) as exc:
        raise _fail(str(exc)) from None
    model = result.model
    typer.echo(
        f"train {len(result.splits.train)}, dev {len(result.splits.dev)} complaints; "
        f"{len(model.topics)} topics, {len(model.featuriser.vocabulary)} features"
    )
    typer.echo(f"C {result.c:g}, temperature {model.temperature:g}, threshold {model.threshold:g}")
    for name, report in (("train", result.train), ("dev", result.dev)):
        hard = "-" if report.hard_accuracy is None else f"{report.hard_accuracy:.3f}"
        lowest = report.min_recall()
        low = "-" if lowest is None else f"{lowest[1]:.3f} (topic {lowest[0]})"
        typer.echo(f"{name}: accuracy {report.accuracy:.3f}, hard {hard}, lowest recall {low}")
    typer.echo(f"model: {out} ({out.stat().st_size:,} bytes), data sha256 {model.data_sha256}")
    if intent:
        _train_intent(data.parent, out.parent / "intent.npz")


def _train_intent(data: Path, out: Path) -> None:
    """The intent model (:mod:`gateway.classifier.intent_train`), written to ``out``."""
    from gateway.classifier import intent_train

    if not (data / "intent-train.jsonl").exists():
        typer.echo(f"intent model: not trained ({data / 'intent-train.jsonl'} does not exist)")
        return
    try:
        pairs = intent_train.training_texts(data)
    except (OSError, KeyError, ValueError) as exc:
        raise _fail(f"intent model: cannot read its data under {data}: {exc}") from None
    names, weights, bias = intent_train.train(pairs)
    intent_train.write(out, names, weights, bias)
    typer.echo(f"intent model: {out} ({len(pairs)} texts, {len(names)} features)")


@classifier_app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="Labelled complaints, one JSON object a line")],
    tenant: Annotated[
        str | None,
        typer.Option(help="Route as this tenant does (its keyword rules, then the model)"),
    ] = None,
    model_path: Annotated[
        Path | None, typer.Option("--model", help="A model file (default: the bundled one)")
    ] = None,
    mappings: MappingsOption = None,
    lang: Annotated[
        str, typer.Option(help="Language of the report: id (Bahasa Indonesia) or en")
    ] = "id",
) -> None:
    """Accuracy, per-topic precision and recall and the confusions on a labelled file.

    Each line: {"text": "...", "topic": 27} or "topic": "Pemadaman Listrik" (any case),
    optionally "hard": true. Without --tenant the bundled model alone is measured.
    """
    if lang not in LABELS:
        raise _fail(f"--lang must be one of {', '.join(LABELS)}")
    catalogue = Catalogue.bundled()
    try:
        examples = read_examples(file, catalogue.topics)
        model = load_model(model_path or BUNDLED_MODEL)
    except (DataError, ModelError) as exc:
        raise _fail(str(exc)) from None
    if not examples:
        raise _fail(f"{file}: no labelled complaints")
    classify = _model_only(model) if tenant is None else _tenant(tenant, mappings, model)
    report = evaluate(examples, classify)
    typer.echo(f"{file}: {HEADER[lang][tenant is not None].format(n=report.total, t=tenant)}")
    for line in render(report, catalogue.topics, language=lang):
        typer.echo(line)


def _model_only(model: TopicModel) -> Callable[[str], int]:
    def classify(text: str) -> int:
        ranked = model.probabilities(text)
        return ranked[0][0] if ranked else 0

    return classify


def _tenant(tenant: str, mappings: Path | None, model: TopicModel) -> Callable[[str], int]:
    folder = _mappings(mappings)
    path = folder / f"{tenant}.yaml"
    if not path.is_file():
        raise _fail(f"{folder}: no mapping file for tenant {tenant!r}")
    try:
        shared = load_shared(folder)
        spec, _ = read_spec(path, Catalogue.bundled(), shared)
    except MappingError as exc:
        raise _fail(str(exc)) from None
    classifier = build_classifier(spec, shared.keywords, model)
    return lambda text: classifier.classify(text).topic
