"""Persisted documents as the request paths hold them: the id, the text and the document parsed
once per process, found by (city, id) and never by the text.

The parse and plan caches keyed by text are shared with every other request, so a stream of
distinct texts (a client's, or an attacker's) can push a frontend's queries out of them; a
persisted document stays parsed here, keyed by its id, and a request naming it skips the
parser (PersistedParserCache below, and the compiled path's plans: schema/compiler/plan.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import ParserCache

from core.infra.settings import get_settings
from core.models.documents import DocumentSource

# The ASGI scope key of the persisted document a request runs (schema/http/persisted.py).
SCOPE_KEY = "civicgraph.document"


@dataclass(frozen=True, eq=False)
class Persisted:
    key: str  # the id the client sent
    text: str
    source: DocumentSource
    # None when the text does not parse within the token limit: the text path words the error.
    document: DocumentNode | None


def persisted(key: str, text: str, source: DocumentSource) -> Persisted:
    """The document parsed as strawberry's parser would (QueryLimits' token bound)."""
    try:
        document: DocumentNode | None = parse(text, max_tokens=get_settings().limits.max_tokens)
    except GraphQLError:
        document = None
    return Persisted(key, text, source, document)


class PersistedCache:
    """Documents by (city, id): an LRU, bounded, of what the city's store holds. A city's
    id is looked up in its own entries only, so one city's document never runs in another.
    As many entries as strawberry's parse cache (schema/api/build.py), for the same memory."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._found: OrderedDict[tuple[str, str], Persisted] = OrderedDict()

    def get(self, city: str, key: str) -> Persisted | None:
        found = self._found.get((city, key))
        if found is not None:
            self._found.move_to_end((city, key))
        return found

    def put(self, city: str, document: Persisted) -> None:
        self._found[(city, document.key)] = document
        if len(self._found) > self.maxsize:
            self._found.popitem(last=False)


class PersistedParserCache(ParserCache):
    """strawberry's ParserCache, but a persisted document's request takes its parsed document
    as it is: no parse, and no lookup by text."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        found = getattr(context.context, "document", None)
        if isinstance(found, Persisted) and found.document and found.text == context.query:
            context.graphql_document = found.document
            yield
            return
        yield from super().on_parse()
