"""Which national topic and agency a complaint goes to, decided once, at intake.

Every channel hands its draft to :func:`route` before storing it:

1. a ``topic_id`` the channel gave wins (it must be in the national catalogue);
2. else the tenant's own ``category`` maps to a topic (``categories:`` in its mapping);
3. else the title and content are classified (:mod:`gateway.classifier.decide`): one
   of the tenant's own keyword rules decides when it reaches its ``min_score``
   (``keywords``), else the learned model's likeliest topic (``model``); when the
   model's probability is below the tenant's ``classifier.threshold`` the complaint
   still goes to that topic but gets a ``review_reason`` naming the likely topics and
   their probabilities;
4. a text with nothing to go on gets the tenant's ``default_topic_id`` and a
   ``review_reason``: it is flagged for the national admin, never dropped.

A category the mapping does not know is flagged even when the text classifies it; a
catch-all category the mapping lists under ``fallback_categories`` (``Lain-lain``,
``Umum``) is not: it is routed by its text, and flagged only when the classifier is
unsure.

The agency is the one the channel gave (it must be in the national catalogue), else
the tenant's routing for the topic in the complaint's region (longest region prefix),
else its default agency.
"""

from __future__ import annotations

from gateway.domain.complaint import ComplaintDraft, TopicSource
from gateway.domain.errors import ErrorKind, FieldError, GatewayError
from gateway.mappings.catalog import Catalogue
from gateway.tenants import Tenant

#: the classifier reads this much of a long complaint (its opening says what it is about)
CLASSIFY_CHARS = 2_000


def route(
    tenant: Tenant, draft: ComplaintDraft, catalogue: Catalogue | None = None
) -> ComplaintDraft:
    """``draft`` with its topic, agency and, when a person must look, its review reason.

    Raises :class:`GatewayError` (``invalid_input``, naming ``topic_id`` or
    ``agency_code``) when the channel gave a topic or an agency the national catalogue
    does not list: the sender can fix it, and nothing is stored.
    """
    if draft.agency_code is not None:
        _check_agency(draft.agency_code, catalogue)
    topic = draft.topic_id
    source: TopicSource = TopicSource.GIVEN
    reasons: list[str] = []
    if topic is not None:
        _check_given(topic, catalogue)
    elif draft.category is not None:
        category = _category(tenant, draft.category)
        if category is not None:
            topic, source = category, TopicSource.CATEGORY
        elif not _is_fallback(tenant, draft.category):
            reasons.append(f"category {draft.category!r} is not in the {tenant.id} mapping")
    if topic is None:
        text = f"{draft.title}\n{draft.content}"[:CLASSIFY_CHARS]
        found = tenant.classify(text)
        topic, source = found.topic, found.source
        if not found.confident:
            if draft.category is not None and _is_fallback(tenant, draft.category):
                reasons.append(f"catch-all category {draft.category!r}: the text says no more")
            reasons.append(found.reason or "the classifier is unsure")
    agency = draft.agency_code or tenant.agency_for(topic, draft.region_code)
    if agency is None:
        reasons.append(f"no agency for topic {topic} in region {draft.region_code}")
    review = "; ".join(reasons) if reasons else None
    return draft.model_copy(
        update={
            "topic_id": topic,
            "agency_code": agency,
            "topic_source": source,
            "review_reason": review,
        }
    )


def _category(tenant: Tenant, code: str) -> int | None:
    """The topic of the tenant's category ``code``; letter case and spacing do not matter."""
    categories = tenant.spec.categories
    found = categories.get(code)
    if found is None:
        wanted = " ".join(code.split()).casefold()
        for key, category in categories.items():
            if " ".join(key.split()).casefold() == wanted:
                found = category
                break
    return found.topic if found is not None else None


def _is_fallback(tenant: Tenant, code: str) -> bool:
    """Whether ``code`` is one of the tenant's catch-all categories (any case, spacing)."""
    wanted = " ".join(code.split()).casefold()
    return any(
        " ".join(key.split()).casefold() == wanted for key in tenant.spec.fallback_categories
    )


def _check_agency(code: str, catalogue: Catalogue | None) -> None:
    if catalogue is None or not catalogue.enforced or code in catalogue.agencies:
        return
    raise GatewayError(
        ErrorKind.INVALID_INPUT,
        "invalid fields: agency_code",
        [
            FieldError(
                "agency_code",
                f"national agency {code!r} does not exist; leave it out to have the "
                "gateway route by topic and region",
            )
        ],
    )


def _check_given(topic: int, catalogue: Catalogue | None) -> None:
    if catalogue is None or not catalogue.enforced or topic in catalogue.topics:
        return
    if topic in catalogue.withdrawn_topics:
        message = f"national topic {topic} ({catalogue.withdrawn_topics[topic]}) was withdrawn"
    else:
        message = f"national topic {topic} does not exist"
    raise GatewayError(
        ErrorKind.INVALID_INPUT,
        "invalid fields: topic_id",
        [FieldError("topic_id", message + "; leave it out to have the gateway classify the text")],
    )
