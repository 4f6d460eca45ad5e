"""The manifests frontend builds write: graphql-codegen's, relay-compiler's and Apollo's,
their ids checked against their texts (core/persisted/manifests.py)."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from core.infra.errors import DomainError, ValidationErrors
from core.persisted.manifests import read_manifest

A = "query A { city { slug } }"
B = "query B { city { name } }"


def sha(text: str, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, text.encode()).hexdigest()


def test_codegen_relay_and_apollo_manifests_read() -> None:
    codegen = {sha(A): A, sha(B): B}
    assert read_manifest(orjson.dumps(codegen)) == codegen
    relay = {sha(A, "md5"): A, sha(B, "sha1"): B, "server-assigned-7": B}
    assert read_manifest(orjson.dumps(relay)) == relay
    apollo = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha(A), "body": A, "name": "A", "type": "query"}],
    }
    assert read_manifest(orjson.dumps(apollo)) == {sha(A): A}


def code_of(raw: bytes) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as refused:
        read_manifest(raw)
    return refused.value.code, refused.value.field


def test_a_bad_manifest_names_what_is_wrong() -> None:
    assert code_of(b"{not json")[0] == "MANIFEST_NOT_JSON"
    assert code_of(b"[]")[0] == "MANIFEST_NOT_AN_OBJECT"
    assert code_of(b"{}")[0] == "MANIFEST_EMPTY"
    assert code_of(orjson.dumps({sha(B): A})) == ("MANIFEST_HASH_MISMATCH", sha(B))
    assert code_of(orjson.dumps({sha(B, "md5"): A})) == ("MANIFEST_HASH_MISMATCH", sha(B, "md5"))
    assert code_of(orjson.dumps({"x": ""})) == ("MANIFEST_NO_DOCUMENT", "x")
    assert code_of(orjson.dumps({"x" * 129: A}))[0] == "MANIFEST_BAD_ID"
    apollo = {"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}
    assert code_of(orjson.dumps(apollo))[0] == "MANIFEST_VERSION"
    message = DomainError("MANIFEST_HASH_MISMATCH", "abc", algorithm="sha256").render("en")
    assert message == "id abc is not the sha256 of its document: the manifest was edited or cut"


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValidationErrors) as refused:
        read_manifest(orjson.dumps({sha(B): A, "y": 3}))
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("MANIFEST_HASH_MISMATCH", sha(B)),
        ("MANIFEST_NO_DOCUMENT", "y"),
    ]
