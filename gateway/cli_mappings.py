"""``gateway mappings check`` and ``gateway mappings explain``."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr

from gateway.domain.complaint import TopicSource
from gateway.mappings.catalog import Catalogue
from gateway.storage.catalogue import CatalogueChanges, store_catalogue, synced_catalogue
from gateway.tenants import (
    MappingError,
    Shared,
    Tenant,
    build_classifier,
    load_shared,
    read_spec,
    read_specs,
)

if TYPE_CHECKING:
    from gateway.bootstrap import Container

mappings_app = typer.Typer(help="Tenants' mapping files: check and explain", no_args_is_help=True)


def _folder(directory: Path | None) -> Path:
    return directory or Path(os.environ.get("GATEWAY_MAPPINGS_DIR", "mappings"))


def _shared(folder: Path) -> Shared:
    try:
        return load_shared(folder)
    except MappingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@mappings_app.command("check")
def check(
    directory: Annotated[
        Path | None, typer.Argument(help="Mappings directory (default: GATEWAY_MAPPINGS_DIR)")
    ] = None,
) -> None:
    """Validate every mapping file and print a summary per tenant; exit 1 on any mistake."""
    folder = _folder(directory)
    if not folder.is_dir():
        typer.echo(f"{folder}: mappings directory does not exist", err=True)
        raise typer.Exit(1)
    catalogue = Catalogue.bundled()
    shared = _shared(folder)
    specs, problems = read_specs(folder, catalogue, shared)
    for path, spec, _ in specs:
        unset = [var for var in spec.secrets.names().values() if not os.environ.get(var)]
        channels = ", ".join(f"{c.id} ({c.type})" for c in spec.channels) or "none"
        own_rules = len(spec.classifier.rules)
        threshold = spec.classifier.threshold
        typer.echo(f"{spec.tenant}: {spec.name} (region {spec.region_code}) [{path}]")
        if spec.parent:
            typer.echo(f"  parent: {spec.parent} (its operators see this tenant's complaints)")
        typer.echo(f"  channels: {channels}")
        typer.echo(
            f"  categories: {len(spec.categories)} mapped; routing: {len(spec.routing)} topics; "
            f"default topic {spec.default_topic_id} "
            f"({catalogue.topics[spec.default_topic_id]}), agency {spec.default_agency_code}"
        )
        typer.echo(
            f"  classifier: {own_rules} own keyword rules (overrides, min score "
            f"{spec.classifier.min_score:g}), then the topic model (review below "
            f"{'its default threshold' if threshold is None else f'{threshold:g}'}); "
            "replies: every status, id and en"
        )
        typer.echo(
            "  secrets: "
            + (f"not set here: {', '.join(unset)}" if unset else "all environment variables set")
        )
    for problem in problems:
        typer.echo(problem, err=True)
    if problems or not specs:
        typer.echo(
            f"{len(problems)} problem(s) in {folder}" if problems else f"{folder}: no tenants",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{len(specs)} tenant(s) OK")


@mappings_app.command("explain")
def explain(
    tenant: Annotated[str, typer.Argument(help="Tenant id, e.g. lampung")],
    text: Annotated[str, typer.Argument(help="The complaint's free text")],
    region: Annotated[
        str | None, typer.Option(help="Region code of the complaint (default: the tenant's)")
    ] = None,
    directory: Annotated[Path | None, typer.Option(help="Mappings directory")] = None,
) -> None:
    """Which national topic and agency ``text`` would get for ``tenant``, and why."""
    folder = _folder(directory)
    catalogue = Catalogue.bundled()
    shared = _shared(folder)
    path = folder / f"{tenant}.yaml"
    if not path.exists():
        typer.echo(f"{folder}: no mapping file for tenant {tenant!r}", err=True)
        raise typer.Exit(1)
    try:
        spec, _ = read_spec(path, catalogue, shared)
    except MappingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    result = build_classifier(spec, shared.keywords).classify(text)
    view = Tenant(spec, SecretStr(""), SecretStr(""), path)  # no secrets: routing only
    where = region or spec.region_code
    agency = view.agency_for(result.topic, where)
    name = catalogue.topics.get(result.topic, "?")
    typer.echo(f"topic: {result.topic} {name}")
    typer.echo(
        f"agency: {agency or '-'} {catalogue.agencies.get(agency or '', '')} (region {where})"
    )
    typer.echo(f"decided by: {result.source.value}")
    if result.source is TopicSource.KEYWORDS:
        typer.echo(f"score: {result.score:.2f} (min {spec.classifier.min_score:g})")
        for match in result.matches:
            typer.echo(f"  matched {match.keyword!r} -> {match.topic} (+{match.weight:.2f})")
    for topic, probability in result.candidates:
        typer.echo(f"  likely: {topic} {catalogue.topics.get(topic, '?')} {probability:.2f}")
    if not result.confident:
        typer.echo(f"flagged for review: {result.reason or 'the classifier is unsure'}")


catalog_app = typer.Typer(help="The national catalogue: topics and agencies", no_args_is_help=True)


@catalog_app.command("sync")
def catalog_sync() -> None:
    """Pull topics and agencies from the registry, store them, and check every mapping.

    A topic or agency the registry no longer lists is marked withdrawn, never dropped;
    a mapping that still uses one is reported with its file and line (exit 1).
    """
    from gateway.cli import _container  # the CLI's own start-up (settings, logging)

    # the mappings are checked below, against what the registry lists now
    container = _container(catalogue=Catalogue.unchecked())
    changes = asyncio.run(_pull_catalogue(container))
    catalogue = synced_catalogue(container.factory)
    assert catalogue is not None
    typer.echo(
        f"catalogue: {len(catalogue.topics)} topics, {len(catalogue.agencies)} agencies; "
        f"topics +{len(changes.topics_added)} -{len(changes.topics_withdrawn)} "
        f"(restored {len(changes.topics_restored)}), agencies +{len(changes.agencies_added)} "
        f"-{len(changes.agencies_withdrawn)} (restored {len(changes.agencies_restored)})"
    )
    for topic in changes.topics_withdrawn:
        typer.echo(f"withdrawn nationally: topic {topic} {catalogue.withdrawn_topics[topic]}")
    for code in changes.agencies_withdrawn:
        typer.echo(f"withdrawn nationally: agency {code}")
    folder = Path(container.settings.mappings_dir)
    shared = _shared(folder)
    _, problems = read_specs(folder, catalogue, shared)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{len(problems)} mapping problem(s) against the national catalogue", err=True)
        raise typer.Exit(1)
    typer.echo("every mapping matches the national catalogue")


async def _pull_catalogue(container: Container) -> CatalogueChanges:
    sandbox = container.sandbox
    if sandbox is not None:
        await sandbox.state.sandbox.start()
    try:
        # the catalogue is national: any tenant's account reads the same one
        registry = container.registries.for_tenant(next(iter(container.tenants)))
        topics, agencies = await registry.topics(), await registry.agencies()
        return store_catalogue(container.factory, topics, agencies, datetime.now(UTC))
    finally:
        if sandbox is not None:
            await sandbox.state.sandbox.stop()
        await container.aclose()
