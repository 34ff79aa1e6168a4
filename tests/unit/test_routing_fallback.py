"""Fallback categories: a call centre's catch-all (``Lain-lain``, ``Umum``) is routed by
the complaint's text and flagged only when the classifier is unsure of the text; a
category the mapping does not know at all is still flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.domain.complaint import ComplaintDraft, TopicSource
from gateway.routing import route
from gateway.tenants import MappingError, Tenant, load_tenants
from tests.support import ROOT, TENANT_ENV

ROAD = "Pelapor menyampaikan jalan berlubang besar di depan pasar, aspal rusak parah."
VAGUE = "Pelapor ingin menyampaikan sesuatu kepada pemerintah, mohon ditindaklanjuti."


@pytest.fixture(scope="module")
def lampung() -> Tenant:
    return load_tenants(ROOT / "mappings", TENANT_ENV)["lampung"]


def draft(category: str | None, content: str) -> ComplaintDraft:
    return ComplaintDraft(
        tenant="lampung",
        channel="callcenter",
        source_ref="CC-1",
        title=content[:40],
        content=content,
        category=category,
        region_code="18.71",
    )


def test_the_sample_mapping_lists_its_catch_all_categories(lampung: Tenant) -> None:
    assert lampung.spec.fallback_categories == ["Lain-lain", "Umum"]


@pytest.mark.parametrize("category", ["Lain-lain", "UMUM", " lain-lain ", "Lain-Lain"])
def test_a_catch_all_with_a_clear_text_is_routed_by_it_and_not_flagged(
    lampung: Tenant, category: str
) -> None:
    routed = route(lampung, draft(category, ROAD))
    by_text = route(lampung, draft(None, ROAD))
    assert routed.topic_source == TopicSource.MODEL
    assert (routed.topic_id, routed.agency_code) == (by_text.topic_id, by_text.agency_code)
    assert routed.topic_id == 2 and routed.agency_code == "1871-DPU"  # the city's roads
    assert routed.review_reason is None


def test_a_catch_all_whose_text_the_classifier_is_unsure_of_is_flagged(lampung: Tenant) -> None:
    routed = route(lampung, draft("Umum", VAGUE))
    found = lampung.classify(f"{VAGUE[:40]}\n{VAGUE}")
    assert not found.confident  # nothing in the text says what it is about
    assert (routed.topic_source, routed.topic_id) == (TopicSource.MODEL, found.topic)
    assert routed.review_reason is not None
    assert "catch-all category 'Umum'" in routed.review_reason
    assert "unsure topic" in routed.review_reason


def test_a_catch_all_with_nothing_to_read_gets_the_default_topic(lampung: Tenant) -> None:
    routed = route(lampung, draft("Lain-lain", "... ??? !!! ..."))
    assert routed.topic_source == TopicSource.DEFAULT
    assert routed.topic_id == lampung.spec.default_topic_id
    assert routed.review_reason is not None
    assert "catch-all category 'Lain-lain'" in routed.review_reason


def test_an_unknown_category_is_still_flagged_even_with_a_clear_text(lampung: Tenant) -> None:
    routed = route(lampung, draft("PARKIR", ROAD))
    assert routed.topic_id == 2  # the text still routes it
    assert routed.review_reason is not None and "'PARKIR' is not in" in routed.review_reason


def test_a_catch_all_also_mapped_as_a_category_is_a_mapping_mistake(tmp_path: Path) -> None:
    text = (ROOT / "mappings" / "lampung.yaml").read_text(encoding="utf-8")
    (tmp_path / "lampung.yaml").write_text(
        text.replace("[Lain-lain, Umum]", "[Lain-lain, lainnya]"), encoding="utf-8"
    )
    with pytest.raises(MappingError, match="lainnya"):
        load_tenants(tmp_path, TENANT_ENV)
