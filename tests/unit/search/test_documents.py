"""The relay's document building: cached and list-joined token fields equal the text pipeline's."""
from types import SimpleNamespace

import pytest

from search import text as tx
from search.documents import SearchDocument, from_listing
from search.labels import attribute_words


def row(**kw):
    base = dict(id="7f1c1d2e-0000-4000-8000-000000000001", revision=3, status="published",
                title="海爾冰箱 BCD-470WDPG 470L", description="九成新，One owner.", brand="Haier",
                model="BCD-470WDPG", category="appliance", kind="refrigerator", condition="good",
                price_fen=180000, region_code="440305", energy_grade=1, powertrain=None,
                emission_standard=None, year=None, mileage_km=None, storage_gb=None,
                seller_type="consumer", lat=22.5, lon=113.9, published_at=None, wipe_certificate=None)
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("kw", [
    {}, {"brand": None}, {"model": None}, {"brand": None, "model": None}, {"description": None},
    {"kind": "unknown_kind", "energy_grade": None, "description": "!!!"},
    {"category": "vehicle", "kind": "passenger_car", "powertrain": "bev", "emission_standard": "china_6b"},
])
def test_token_fields_equal_the_text_pipeline(kw):
    doc = from_listing(row(**kw))
    assert doc.title_tokens() == tx.index_text(doc.title)
    assert doc.brand_tokens() == tx.index_text(doc.brand, doc.model)
    assert doc.body_tokens() == tx.index_text(doc.labels, doc.description)
    assert doc.labels == attribute_words(doc.kind, doc.powertrain, doc.emission_standard, doc.energy_grade)
    expected = [(tx.normalize(doc.title).strip(), "title")]
    if doc.brand:
        expected.append((tx.normalize(doc.brand).strip(), "brand"))
    if doc.model:
        expected.append((tx.normalize(doc.model).strip(), "model"))
        if doc.brand:
            expected.append((tx.normalize(f"{doc.brand} {doc.model}").strip(), "model"))
    assert doc.suggest_inputs() == [(t, k) for t, k in dict.fromkeys(expected) if t]


def test_stored_strings_and_enum_members_give_the_same_document():
    import enum

    class Status(enum.Enum):
        PUBLISHED = "published"

    class Category(enum.Enum):
        APPLIANCE = "appliance"

    assert from_listing(row()) == from_listing(row(status=Status.PUBLISHED, category=Category.APPLIANCE))
    assert from_listing(row(status="draft")) == SearchDocument.tombstone(row().id, 3)


def test_a_listing_is_found_by_its_model_year_however_its_text_puts_it():
    assert "2019款" in tx.index_tokens("大众朗逸 2019款 1.5L")
    assert "2019款" in tx.index_tokens("19款 朗逸")
    assert "2019款" in tx.index_tokens("2019年上牌 朗逸")
    doc = SearchDocument(id="x", revision=1, published=True, title="BMW 325Li sedan", year=2019)
    assert "2019款" in doc.body_tokens().split()
