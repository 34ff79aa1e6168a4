"""Tenants (a province, regency or city) as described by ``mappings/<tenant>.yaml``.

Each file is validated into :class:`gateway.mappings.spec.TenantSpec` and checked
against the national catalogue; every mistake is reported as ``file:line: what``.
Secrets are the NAMES of environment variables; their values are read from the
environment at start-up. Files under ``mappings/_shared/`` are not tenants: they
hold the synonyms and reply texts every tenant starts from. Free text is classified by
the learned topic model (:mod:`gateway.classifier`, loaded once per process), with the
tenant's own keyword rules as overrides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from gateway import hierarchy
from gateway.classifier.decide import TopicClassifier
from gateway.classifier.model import TopicModel, bundled_model
from gateway.domain.status import Status
from gateway.mappings import yaml_lines
from gateway.mappings.catalog import Catalogue
from gateway.mappings.checks import cross_check
from gateway.mappings.classify import Classification, KeywordClassifier, KeywordRule
from gateway.mappings.spec import (
    ENV_NAME,
    Reply,
    SharedKeywords,
    SharedReplies,
    TenantSpec,
)
from gateway.settings import is_placeholder

SHARED_DIR = "_shared"
SHARED_KEYWORDS = "keywords-id.yaml"
SHARED_REPLIES = "replies.yaml"


class MappingError(ValueError):
    """A mapping file is wrong; each line of the message is ``file:line: what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Tenant:
    spec: TenantSpec
    national_token: SecretStr
    api_key: SecretStr
    source: Path
    secrets: Mapping[str, SecretStr] = field(default_factory=dict)
    replies: Mapping[Status, Reply] = field(default_factory=dict)
    classifier: TopicClassifier | None = None

    @property
    def id(self) -> str:
        return self.spec.tenant

    def agency_for(self, topic: int, region_code: str) -> str | None:
        """The agency ``topic`` goes to in ``region_code``: the longest region prefix wins."""
        route = self.spec.routing.get(topic)
        if route is not None:
            for code in sorted(route.regions, key=len, reverse=True):
                if region_code == code or region_code.startswith(code + "."):
                    return route.regions[code]
            if route.agency:
                return route.agency
        return self.spec.default_agency_code

    def classify(self, text: str) -> Classification:
        if self.classifier is None:
            raise RuntimeError(f"tenant {self.id} was loaded without its classifier")
        return self.classifier.classify(text)

    def reply(self, status: Status, language: str, /, **values: object) -> str:
        """The text telling the citizen about ``status``; unknown values show as ``-``."""
        template = self.replies[status]
        text = template.en if language == "en" else template.id
        return text.format_map(_Blank({k: v for k, v in values.items() if v is not None}))


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "-"


@dataclass(frozen=True)
class Shared:
    """What every tenant starts from (``mappings/_shared``)."""

    keywords: SharedKeywords
    replies: Mapping[Status, Reply]


def load_shared(folder: Path) -> Shared:
    base = folder / SHARED_DIR
    keywords = _read_model(base / SHARED_KEYWORDS, SharedKeywords, missing_ok=True)
    replies = _read_model(base / SHARED_REPLIES, SharedReplies, missing_ok=True)
    return Shared(
        keywords=keywords if isinstance(keywords, SharedKeywords) else SharedKeywords(),
        replies=replies.replies if isinstance(replies, SharedReplies) else {},
    )


def load_tenants(
    directory: str | Path,
    environ: Mapping[str, str] | None = None,
    *,
    production: bool = False,
    catalogue: Catalogue | None = None,
) -> dict[str, Tenant]:
    """Every tenant in ``directory``; a :class:`MappingError` lists every mistake."""
    env = os.environ if environ is None else environ
    folder = Path(directory)
    if not folder.is_dir():
        raise MappingError([f"{folder}: mappings directory does not exist"])
    shared = load_shared(folder)
    catalogue = catalogue or Catalogue.bundled()
    tenants: dict[str, Tenant] = {}
    specs, problems = read_specs(folder, catalogue, shared)
    for path, spec, located in specs:
        secrets: dict[str, SecretStr] = {}
        for key, var in spec.secrets.names().items():
            line = located.line_of(("secrets", key))
            value = env.get(var)
            if not value:
                problems.append(
                    f"{path}:{line}: secrets.{key}: environment variable {var} is not set"
                )
            elif production and is_placeholder(value):
                problems.append(
                    f"{path}:{line}: secrets.{key}: {var} holds a placeholder value; "
                    "set a real secret in production"
                )
            else:
                secrets[key] = SecretStr(value)
        if len(secrets) < len(spec.secrets.names()):
            continue
        tenants[spec.tenant] = Tenant(
            spec=spec,
            national_token=secrets["national_token"],
            api_key=secrets["api_key"],
            source=path,
            secrets=secrets,
            replies={**shared.replies, **spec.replies} if spec.shared_replies else spec.replies,
            classifier=build_classifier(spec, shared.keywords),
        )
    if problems:
        raise MappingError(problems)
    if not tenants:
        raise MappingError([f"{folder}: no tenant mapping files (*.yaml)"])
    return tenants


def read_specs(
    folder: Path, catalogue: Catalogue, shared: Shared
) -> tuple[list[tuple[Path, TenantSpec, yaml_lines.Located]], list[str]]:
    """Every tenant file in ``folder``, checked; and every problem, as ``file:line: what``.

    Parents are checked across the files (:func:`gateway.hierarchy.problems`): an
    unknown parent, a cycle, a region outside the parent's."""
    specs: list[tuple[Path, TenantSpec, yaml_lines.Located]] = []
    problems: list[str] = []
    first: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            spec, located = read_spec(path, catalogue, shared)
        except MappingError as exc:
            problems += exc.problems
            continue
        if spec.tenant in first:
            problems.append(
                f"{path}:{located.line_of(('tenant',))}: tenant {spec.tenant!r} "
                f"is also defined in {first[spec.tenant]}"
            )
            continue
        first[spec.tenant] = path
        specs.append((path, spec, located))
    tree = hierarchy.problems({spec.tenant: spec for _, spec, _ in specs})
    problems += [
        _problem(path, located, ("parent",), tree[spec.tenant])
        for path, spec, located in specs
        if spec.tenant in tree
    ]
    return specs, problems


def build_classifier(
    spec: TenantSpec, shared: SharedKeywords, model: TopicModel | None = None
) -> TopicClassifier:
    """The tenant's keyword rules (overrides) over the learned model (the bundled one)."""
    synonyms = {**(shared.synonyms if spec.classifier.shared_rules else {})}
    synonyms.update(spec.classifier.synonyms)
    rules = KeywordClassifier(
        [KeywordRule(r.topic, r.keywords, r.weight) for r in spec.classifier.rules],
        spec.default_topic_id,
        min_score=spec.classifier.min_score,
        synonyms=synonyms,
    )
    return TopicClassifier(
        rules,
        model or bundled_model(),
        default_topic=spec.default_topic_id,
        threshold=spec.classifier.threshold,
    )


def read_spec(
    path: Path, catalogue: Catalogue, shared: Shared
) -> tuple[TenantSpec, yaml_lines.Located]:
    """One tenant file, validated and checked; :class:`MappingError` names file and line."""
    located = _located(path)
    data = located.data
    if not isinstance(data, dict):
        raise MappingError([f"{path}:1: must be a mapping (tenant: ..., name: ...) at the top"])
    problems = [f"{path}:{line}: {text}" for line, text in _inline_secrets(data, located)]
    if problems:
        raise MappingError(problems)
    try:
        spec = TenantSpec.model_validate(data)
    except ValidationError as exc:
        raise MappingError(_validation_problems(path, located, exc)) from None
    problems = [
        _problem(path, located, loc, text)
        for loc, text in cross_check(spec, data, catalogue, shared.replies)
    ]
    if problems:
        raise MappingError(problems)
    return spec, located


def _problem(path: Path, located: yaml_lines.Located, loc: tuple[str | int, ...], text: str) -> str:
    where = f"{path}:{located.line_of(loc) or 1}"
    return f"{where}: {'.'.join(map(str, loc))}: {text}" if loc else f"{where}: {text}"


def _located(path: Path) -> yaml_lines.Located:
    try:
        return yaml_lines.load_file(path)
    except yaml_lines.YamlError as exc:
        raise MappingError([f"{path}:{exc.line or 1}: {exc}"]) from None
    except OSError as exc:
        raise MappingError([f"{path}: cannot read: {exc.strerror}"]) from None


def _inline_secrets(data: dict[str, Any], located: yaml_lines.Located) -> list[tuple[int, str]]:
    """Secrets written into the file instead of the names of environment variables."""
    secrets = data.get("secrets")
    if not isinstance(secrets, dict):
        return []
    found = []
    for key, value in secrets.items():
        if not isinstance(value, str) or not ENV_NAME.match(value):
            # never repeat the value: it may be the secret itself
            found.append(
                (
                    located.line_of(("secrets", key)) or 1,
                    f"secrets.{key}: must be the NAME of an environment variable (upper "
                    "case, e.g. GATEWAY_LAMPUNG_API_KEY), not the secret itself; put the "
                    "value in that variable",
                )
            )
    return found


def _validation_problems(
    path: Path, located: yaml_lines.Located, exc: ValidationError
) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        problems.append(_problem(path, located, loc, message))
    return problems


def _read_model(path: Path, model: type[BaseModel], *, missing_ok: bool) -> BaseModel | None:
    if missing_ok and not path.exists():
        return None
    located = _located(path)
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise MappingError(_validation_problems(path, located, exc)) from None
