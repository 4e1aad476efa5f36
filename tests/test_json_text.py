"""The fast indented JSON writer gives exactly ``json.dumps``'s text (issue 16)."""

from __future__ import annotations

import json
from enum import IntEnum

from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.report.json_report import _reference as reference_document
from citetrack.report.json_text import dumps_indented, dumps_plain, dumps_plain_items
from tests.test_report import sample

# Without floats: what dumps_plain is for.  Integers beyond 64 bits and lone surrogates
# included: orjson refuses them, dumps_indented writes them.
_plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()  # any code point, lone surrogates, control characters, quotes
)
_scalars = _plain_scalars | st.floats()  # NaN and infinities included: handed to json.dumps


def _nested(scalars: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=30,
    )


_documents = _nested(_scalars)
_plain_documents = _nested(_plain_scalars)


def _reference(value: object, indent: int) -> str:
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False, allow_nan=True)


@settings(max_examples=400, deadline=None)
@given(_documents, st.sampled_from([1, 2, 4]))
def test_same_text_as_json_dumps(value: object, indent: int) -> None:
    assert dumps_indented(value, indent) == _reference(value, indent)


@settings(max_examples=100, deadline=None)
@given(_documents, st.sampled_from(["", "  ", "    "]))
def test_margin_indents_every_following_line(value: object, margin: str) -> None:
    expected = _reference(value, 2).replace("\n", "\n" + margin)
    assert dumps_indented(value, 2, margin=margin) == expected


class _Level(IntEnum):
    HIGH = 3


def test_values_it_does_not_lay_out_itself_give_json_dumps_text() -> None:
    for value in (
        {"a": [1, {"b": _Level.HIGH}]},  # an int subclass: json.dumps writes int.__repr__
        {1: "x", 2: "y"},  # non-string keys: json.dumps turns them into "1", "2"
        [float("nan"), float("-inf")],
        {"nested": {"deep": [[], {}, [()]]}},
    ):
        assert dumps_indented(value, 2, margin="  ") == _reference(value, 2).replace("\n", "\n  ")


def test_what_json_dumps_refuses_is_refused_alike() -> None:
    with_error = {1: "x", "y": 2}  # keys of two types cannot be sorted
    try:
        _reference(with_error, 2)
    except TypeError:
        pass
    else:  # pragma: no cover - the premise of this test
        raise AssertionError("json.dumps accepted mixed keys")
    try:
        dumps_indented(with_error)
    except TypeError:
        return
    raise AssertionError("mixed keys were laid out")


# ----------------------------------------------------------- dumps_plain (no floats, orjson)


@settings(max_examples=400, deadline=None)
@given(_plain_documents, st.sampled_from(["", "    "]))
def test_plain_documents_give_json_dumps_text(value: object, margin: str) -> None:
    assert dumps_plain(value, margin) == _reference(value, 2).replace("\n", "\n" + margin)


@settings(max_examples=300, deadline=None)
@given(st.lists(_plain_documents, max_size=5), st.sampled_from(["", "    "]))
def test_items_written_at_once_give_each_items_text(values: list[object], margin: str) -> None:
    # issue 16: a report's references written by one orjson call per batch.
    joined = (",\n" + margin).join(dumps_plain(v, margin) for v in values)
    assert dumps_plain_items(values, margin) == joined


def test_items_orjson_refuses_are_written_one_by_one() -> None:
    values: list[object] = [{"a": ["x", {"b": []}]}, {"t": "lone \ud800"}, 2**70, {}]
    joined = ",\n  ".join(dumps_plain(v, "  ") for v in values)
    assert dumps_plain_items(values, "  ") == joined
    assert json.loads("[" + joined + "]") == values


def test_a_reports_reference_holds_no_float() -> None:
    # dumps_plain's promise, kept by the report: every kind of value a reference's
    # document can hold, none of them a float.
    def floats(value: object) -> int:
        if isinstance(value, dict):
            return sum(floats(v) for v in value.values())
        if isinstance(value, list | tuple):
            return sum(floats(v) for v in value)
        return int(isinstance(value, float))

    docs = [reference_document(rr) for rr in sample().results]
    assert any(doc["links"] and doc["archives"] for doc in docs)  # the sample is rich
    assert sum(floats(doc) for doc in docs) == 0
