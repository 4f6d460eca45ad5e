"""Value strategies for every scalar of the schema, over its whole range, as GraphQL value
nodes (tests/fuzz/requests.py sends each as a literal or as a variable).

The ranges are those the issue names: text with NUL, C0 and C1 controls, lone surrogates and
lengths past the body limit; integers at and past 2^31 and 2^63; floats NaN, infinite and
past the double range; dates from 0001 to 9999 and malformed; decimals NaN, infinite,
1E+400 and -0; JSON nested past the limit and huge; IDs of every Node type with keys 0, -1,
2^31, 2^63, non-ASCII digits and leading zeros, and garbage base64.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)
from graphql.language import NameNode
from hypothesis import strategies as st

Nodes = st.SearchStrategy[ValueNode]

# Characters a form never needs, each on its own and inside ordinary text.
ODD_TEXT = [
    "\x00", "a\x00b", "\x01", "\x08", "\x0b", "\x1b[31m", "\x1f", "\x7f", "\x80", "\x85",
    "\x9f", "\ud800", "\udfff", "a\udc00b", "\ud83d", "\u2028", "\u202e", "\ufeff", "\uffff",
    "\U0010ffff", "\t\n\r", "", " ", "'; DROP TABLE cases; --", "%s%n", "{{7*7}}", "null",
]  # fmt: skip
LONG_LENGTHS = [256, 4_096, 20_000, 40_000]
EDGE_INTS = [
    0, -1, 1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**32, 2**53 + 1, 2**63 - 1, 2**63,
    -(2**63), 2**64, 10**30, -(10**30), 10**400,
]  # fmt: skip
# Float literals as sent: the text is kept, so 1e400 is not Python's inf.
EDGE_FLOATS = [
    "0.0", "-0.0", "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308",
    "NaN", "Infinity", "-Infinity", "1.5", "-1.5", "1e10", "2147483648.0",
]  # fmt: skip
EDGE_DATES = [
    "0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01",
    "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-1-1", "+002024-01-01",
    "-0001-01-01", "10000-01-01", "٢٠٢٤-٠١-٠١", "2024-01-01T00:00:00", "20240101", "", "today",
]  # fmt: skip
EDGE_DATETIMES = [
    "0001-01-01T00:00:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999",
    "9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59+00:00", "1899-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z", "2024-06-01T25:00:00", "2024-06-01T12:00:00+24:00",
    "2024-06-01T12:00:00.1234567", "2024-06-01", "2024-06-01T12:00:00 UTC", "", "now",
]  # fmt: skip
EDGE_DECIMALS = [
    "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1E+400", "-1E+400", "1E-400",
    "1E+999999999", "1E-999999999", "-0", "0E-1000", "999999999999.99", "1000000000000",
    "0.005", "12345678901234.567", "1_000", " 1", "1 ", "١٢٣", "0x10", "", "abc", "1e", "--1",
]  # fmt: skip
# Keys inside an ID: the canonical ones first (real objects), then every way to be wrong.
ID_KEYS = [
    "1", "2", "3", "5", "8", "13", "0", "-1", "01", "0001", "2147483647", "2147483648",
    "9223372036854775808", "18446744073709551616", "٣", "²", "１", "1.0", "1e3", " 1", "1 ",
    "", "+1", "0x1", "1\x00",
]  # fmt: skip


def _string(value: str) -> ValueNode:
    return StringValueNode(value=value)


def texts() -> st.SearchStrategy[str]:
    """Any code point (surrogates included) and control characters."""
    return st.one_of(
        st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
        st.sampled_from(ODD_TEXT),
        st.tuples(st.sampled_from(ODD_TEXT), st.text(max_size=10)).map("".join),
    )


def long_texts() -> st.SearchStrategy[str]:
    """Up to and past the body limit (100,000 bytes), whose refusal is then what is tested."""
    return st.tuples(st.sampled_from("a長\x00\ud800"), st.sampled_from(LONG_LENGTHS)).map(
        lambda pair: pair[0] * pair[1]
    )


def strings() -> Nodes:
    # Long text one time in twenty: a body past the limit tests nothing but the limit.
    return st.one_of(*[texts()] * 19, long_texts()).map(_string)


def ints() -> Nodes:
    return st.one_of(
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.sampled_from(EDGE_INTS),
        st.integers(min_value=-(2**70), max_value=2**70),
    ).map(lambda n: IntValueNode(value=str(n)))


def floats() -> Nodes:
    finite = st.floats(allow_nan=False, allow_infinity=False).map(repr)
    return st.one_of(finite, st.sampled_from(EDGE_FLOATS)).map(
        lambda text: FloatValueNode(value=text)
    )


def dates() -> Nodes:
    valid = st.dates().map(dt.date.isoformat)
    return st.one_of(valid, st.sampled_from(EDGE_DATES), texts()).map(_string)


def datetimes() -> Nodes:
    zones = st.sampled_from(
        [None, dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(-dt.timedelta(hours=12))]
    )
    valid = st.datetimes(timezones=zones).map(dt.datetime.isoformat)
    return st.one_of(valid, st.sampled_from(EDGE_DATETIMES), texts()).map(_string)


def decimals() -> Nodes:
    valid = st.decimals(allow_nan=True, allow_infinity=True).map(str)
    as_text = st.one_of(valid, st.sampled_from(EDGE_DECIMALS)).map(_string)
    # A decimal may come as a number too.
    return st.one_of(as_text, ints(), floats())


def deep(depth: int, leaf: ValueNode, as_object: bool) -> ValueNode:
    """`depth` arrays (or objects) around `leaf`, built without recursion."""
    node = leaf
    for _ in range(depth):
        if as_object:
            field = ObjectFieldNode(name=NameNode(value="a"), value=node)
            node = ObjectValueNode(fields=(field,))
        else:
            node = ListValueNode(values=(node,))
    return node


def _json_leaf() -> Nodes:
    return st.one_of(strings(), ints(), floats(), st.just(NullValueNode()), st.booleans().map(
        lambda b: BooleanValueNode(value=b)
    ))  # fmt: skip


def _json_object(children: st.SearchStrategy[list[tuple[str, ValueNode]]]) -> Nodes:
    # Keys are names in a literal; a variable may carry any key (tests/fuzz/requests.py).
    return children.map(
        lambda pairs: ObjectValueNode(
            fields=tuple(ObjectFieldNode(name=NameNode(value=k), value=v) for k, v in pairs)
        )
    )


def json_values() -> Nodes:
    keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
    nested = st.recursive(
        _json_leaf(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda vs: ListValueNode(values=tuple(vs))),
            _json_object(st.lists(st.tuples(keys, inner), max_size=4)),
        ),
        max_leaves=12,
    )
    depths = st.sampled_from([31, 32, 33, 100, 600, 900])
    deeply = st.builds(deep, depths, _json_leaf(), st.booleans())
    huge = st.sampled_from([1_000, 10_000]).map(
        lambda n: ListValueNode(values=tuple(IntValueNode(value="0") for _ in range(n)))
    )
    return st.one_of(nested, deeply, huge)


def global_ids(type_names: Sequence[str]) -> st.SearchStrategy[str]:
    """IDs of every Node type (and some that are none), canonical or not, and garbage."""
    names = st.sampled_from([*type_names, "Nope", "node", "", "Case ", "Ca\x00se"])
    keys = st.one_of(st.sampled_from(ID_KEYS), st.integers(-(2**70), 2**70).map(str))
    text = st.builds(lambda n, k: f"{n}:{k}", names, keys)
    plain = text.map(lambda t: base64.urlsafe_b64encode(t.encode()).decode().rstrip("="))
    padded = text.map(lambda t: base64.b64encode(t.encode()).decode())
    garbage = st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode())
    return st.one_of(plain, plain, plain, padded, garbage, texts(), st.just("A" * 5_000))


def ids(type_names: Sequence[str]) -> Nodes:
    as_int = st.sampled_from(EDGE_INTS).map(lambda n: IntValueNode(value=str(n)))
    return st.one_of(global_ids(type_names).map(_string), as_int)


def scalars(type_names: Sequence[str]) -> dict[str, Nodes]:
    """hypothesis-graphql's custom_scalars: every scalar of the schemas, built-ins included."""
    return {
        "String": strings(),
        "Int": ints(),
        "Float": floats(),
        "ID": ids(type_names),
        "Boolean": st.booleans().map(lambda b: BooleanValueNode(value=b)),
        "Date": dates(),
        "DateTime": datetimes(),
        "Decimal": decimals(),
        "JSON": json_values(),
    }
