"""Checks a mapping passes beyond its shape: against the national catalogue and itself.

Each problem is ``(location in the file, what is wrong)``; the loader turns the
location into a line number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.domain.status import Status
from gateway.mappings.catalog import Catalogue
from gateway.mappings.spec import Reply, TenantSpec

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def cross_check(
    spec: TenantSpec,
    data: Mapping[str, Any],
    catalogue: Catalogue,
    shared_replies: Mapping[Status, Reply],
) -> list[Problem]:
    national = [*_topics(spec, catalogue), *_agencies(spec, catalogue)]
    return [
        *_channels(spec),
        *(national if catalogue.enforced else []),
        *_regions(spec),
        *_replies(spec, data, shared_replies),
    ]


def _channels(spec: TenantSpec) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    secrets = spec.secrets.names()
    for index, channel in enumerate(spec.channels):
        if channel.id in seen:
            problems.append(
                (
                    ("channels", index, "id"),
                    f"channel id {channel.id!r} is used twice (first: channels.{seen[channel.id]})",
                )
            )
        seen.setdefault(channel.id, index)
        check = channel_checks().get(channel.type)
        if check is not None and channel.enabled:
            problems += [(("channels", index, *loc), text) for loc, text in check(channel, spec)]
        for position, key in enumerate(channel.secrets):
            if key not in secrets:
                problems.append(
                    (
                        ("channels", index, "secrets", position),
                        f"no secret {key!r} in the secrets section",
                    )
                )
    return problems


def channel_checks() -> Mapping[str, Any]:
    """Each channel type's own check of its ``settings`` and secrets (its adapter's)."""
    from adapters.registry import all_adapters  # adapters build on the core, not the reverse

    return {a.channel: a.check_channel for a in all_adapters() if a.check_channel is not None}


def _topic_problem(topic: int, catalogue: Catalogue) -> str:
    if topic in catalogue.withdrawn_topics:
        return (
            f"national topic {topic} ({catalogue.withdrawn_topics[topic]}) has been withdrawn "
            "from the national catalogue: map it to another topic"
        )
    return f"unknown national topic {topic} (not in the national catalogue)"


def _topics(spec: TenantSpec, catalogue: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    if spec.default_topic_id not in catalogue.topics:
        problems.append((("default_topic_id",), _topic_problem(spec.default_topic_id, catalogue)))
    for code, category in spec.categories.items():
        if category.topic not in catalogue.topics:
            problems.append(
                (("categories", code, "topic"), _topic_problem(category.topic, catalogue))
            )
    for topic in spec.routing:
        if topic not in catalogue.topics:
            problems.append((("routing", topic), _topic_problem(topic, catalogue)))
    for index, rule in enumerate(spec.classifier.rules):
        if rule.topic not in catalogue.topics:
            problems.append(
                (("classifier", "rules", index, "topic"), _topic_problem(rule.topic, catalogue))
            )
    return problems


def _agencies(spec: TenantSpec, catalogue: Catalogue) -> list[Problem]:
    def unknown(code: str) -> str:
        return f"unknown agency {code!r} (not in the national catalogue)"

    problems: list[Problem] = []
    if spec.default_agency_code and spec.default_agency_code not in catalogue.agencies:
        problems.append((("default_agency_code",), unknown(spec.default_agency_code)))
    for topic, route in spec.routing.items():
        if route.agency and route.agency not in catalogue.agencies:
            problems.append((("routing", topic, "agency"), unknown(route.agency)))
        for region, agency in route.regions.items():
            if agency not in catalogue.agencies:
                problems.append((("routing", topic, "regions", region), unknown(agency)))
    return problems


def _regions(spec: TenantSpec) -> list[Problem]:
    """Routing by region only within the tenant's own region."""
    own = spec.region_code
    problems: list[Problem] = []
    for topic, route in spec.routing.items():
        for region in route.regions:
            if region != own and not region.startswith(own + "."):
                problems.append(
                    (
                        ("routing", topic, "regions", region),
                        f"region {region} is outside this tenant's region {own}",
                    )
                )
    return problems


def _replies(
    spec: TenantSpec, data: Mapping[str, Any], shared: Mapping[Status, Reply]
) -> list[Problem]:
    have = set(spec.replies) | (set(shared) if spec.shared_replies else set())
    missing = [status.value for status in Status if status not in have]
    if not missing:
        return []
    loc: Loc = ("replies",) if "replies" in data else ()
    return [(loc, f"no reply text for status {', '.join(missing)}: every status needs one")]
