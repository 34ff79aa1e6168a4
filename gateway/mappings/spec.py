"""What a tenant's mapping file says, as pydantic models.

One file per tenant (``mappings/<tenant>.yaml``): its region and name, the names
of the environment variables holding its secrets, its channels and how their
fields map to the canonical complaint, its own categories and the national topic
each maps to, which agency a topic goes to in which region, the keyword rules that
classify free text, the reply texts for every status (Indonesian and English) and
its SLA. :mod:`gateway.tenants` reads the files and names ``file:line`` for every
mistake.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.domain.complaint import REGION_CODE
from gateway.domain.status import Status

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
CHANNEL_TYPES = ("api", "callcenter", "sms", "telegram", "whatsapp", "webform", "open311")
#: canonical fields a channel's own field names may map to
CANONICAL_FIELDS = frozenset(
    {
        "source_ref",
        "title",
        "content",
        "category",
        "agency_code",
        "classification",
        "region_code",
        "incident_date",
        "incident_time",
        "anonymous",
        "confidential",
        "reporter.name",
        "reporter.phone",
        "reporter.email",
        "reporter.nik",
        "location.text",
        "location.latitude",
        "location.longitude",
    }
)
#: what a reply template may say
PLACEHOLDERS = frozenset(
    {"tracking_id", "status", "agency", "response", "due_date", "title", "reason", "ref"}
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        # never repeat the value: it may be the secret itself
        raise ValueError(
            "must be the NAME of an environment variable (upper case, e.g. "
            "GATEWAY_LAMPUNG_API_KEY), not the secret itself; put the value in that variable"
        )
    return value


class Secrets(BaseModel):
    """Environment variable NAMES; more may be added (bot tokens, webhook secrets)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    national_token: str
    api_key: str

    @model_validator(mode="after")
    def _all_env_names(self) -> Secrets:
        for key, value in {**self.__dict__, **(self.model_extra or {})}.items():
            if not isinstance(value, str):
                raise ValueError(f"{key}: must be the name of an environment variable")
            try:
                env_name(value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return self

    def names(self) -> dict[str, str]:
        """Every secret: its key here -> the environment variable's name."""
        return {**dict(self.__dict__), **(self.model_extra or {})}


class Channel(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=32)
    type: Literal["api", "callcenter", "sms", "telegram", "whatsapp", "webform", "open311"]
    enabled: bool = True
    #: the channel's own field name for each canonical field it carries
    fields: dict[str, str] = {}
    #: keys of ``secrets`` this channel uses (e.g. telegram_bot_token)
    secrets: list[str] = []
    #: channel-specific settings (numbers, URLs, languages); each adapter checks its own
    settings: dict[str, object] = {}

    @field_validator("fields")
    @classmethod
    def _canonical(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - CANONICAL_FIELDS)
        if unknown:
            known = ", ".join(sorted(CANONICAL_FIELDS))
            raise ValueError(f"unknown canonical field {unknown[0]!r}; one of {known}")
        return value


class Category(Strict):
    """One of the tenant's own categories and the national topic it maps to."""

    topic: int = Field(gt=0)
    label: str | None = None


class TopicRoute(Strict):
    """Which agency a national topic goes to: by region code (longest prefix), else default."""

    agency: str | None = None
    regions: dict[str, str] = {}

    @field_validator("regions")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not REGION_CODE.match(code):
                raise ValueError(f"{code!r} is not a Kemendagri region code such as 18.71")
        return value


class Rule(Strict):
    topic: int = Field(gt=0)
    keywords: list[str] = Field(min_length=1)
    weight: float = Field(1.0, gt=0)


class Classifier(Strict):
    """Free text to a topic: the tenant's keyword rules as overrides, else the learned model.

    A rule reaching ``min_score`` decides. Otherwise the model's likeliest topic is
    taken; below ``threshold`` the complaint is flagged for review with the likely topics.
    """

    #: one of the tenant's rules needs at least this score to decide
    min_score: float = Field(1.0, gt=0)
    #: the model's probability below which a complaint is flagged (structured channels)
    #: or the citizen is offered the likely topics (chat); default: the model's own,
    #: chosen on its dev split
    threshold: float | None = Field(None, gt=0, lt=1)
    #: the tenant's rules read the shared synonyms of ``mappings/_shared/keywords-id.yaml``
    #: (the shared file's own rules, if any, no longer decide: the model does)
    shared_rules: bool = True
    #: the tenant's own spellings on top of the shared ones (``yg: yang``)
    synonyms: dict[str, str] = {}
    #: explicit overrides: local names the model cannot know (a hospital, a bus line)
    rules: list[Rule] = []


class SharedKeywords(Strict):
    """``mappings/_shared/keywords-id.yaml``: the synonyms every tenant starts from.

    ``rules`` is still read, so an older file loads, but no shared rule decides a topic.
    """

    synonyms: dict[str, str] = {}
    rules: list[Rule] = []


class SharedReplies(Strict):
    """``mappings/_shared/replies.yaml``: reply texts a tenant's own override."""

    replies: dict[Status, Reply]


class Reply(Strict):
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("id", "en")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        for _, name, _, _ in string.Formatter().parse(value):
            if name is not None and name not in PLACEHOLDERS:
                raise ValueError(
                    f"unknown placeholder {{{name}}}; one of "
                    + ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
                )
        return value


class Sla(Strict):
    verify_days: int = Field(3, ge=1, le=30)
    follow_up_days: int = Field(5, ge=1, le=60)
    auto_close_days: int = Field(10, ge=1, le=60)


class Limits(Strict):
    """How hard this tenant may push the national registry."""

    concurrency: int | None = Field(None, gt=0)
    rate: float | None = Field(None, ge=0, description="requests per second; 0 = no limit")


class TenantSpec(Strict):
    tenant: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: str
    region_code: str
    #: the tenant above this one (a regency's or city's province): its operators see
    #: this tenant's complaints too (:mod:`gateway.hierarchy`)
    parent: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    language: Literal["id", "en"] = "id"
    secrets: Secrets
    channels: list[Channel] = []
    #: the tenant's own categories (call-centre codes, web-form options) -> national topic
    categories: dict[str, Category] = {}
    #: catch-all categories (``Lain-lain``, ``Umum``): such a complaint is routed by its
    #: text, as one without a category, and flagged only when the text cannot be classified
    fallback_categories: list[str] = []
    #: national topic id -> the agency it goes to (by region)
    routing: dict[int, TopicRoute] = {}
    #: what cannot be classified goes here, flagged for the national admin
    default_topic_id: int = Field(46, gt=0)
    default_agency_code: str | None = None
    classifier: Classifier = Classifier()
    #: merged over ``mappings/_shared/replies.yaml`` unless ``shared_replies`` is false
    shared_replies: bool = True
    replies: dict[Status, Reply] = {}
    sla: Sla = Sla()
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _fallbacks_unmapped(self) -> TenantSpec:
        mapped = {" ".join(code.split()).casefold() for code in self.categories}
        for code in self.fallback_categories:
            if " ".join(code.split()).casefold() in mapped:
                raise ValueError(
                    f"fallback_categories: {code!r} is also under categories; a catch-all "
                    "is routed by its text, so leave it out of one of them"
                )
        return self

    @field_validator("region_code", mode="before")
    @classmethod
    def _region(cls, value: object) -> str:
        text = str(value)
        if not REGION_CODE.match(text):
            raise ValueError("must be a Kemendagri region code such as 18 or 18.71")
        return text
