"""Read queries compiled to one PostgreSQL statement that builds the response JSON.

Per-field resolution, not PostgreSQL, is what a GraphQL read costs (docs/performance.md):
so for the core read types the planner turns the whole validated operation into one
statement of json_build_object / json_agg over LATERAL pages, with the city, the caller's
case visibility and the page bounds compiled in. Anything it cannot compile raises
`Unsupported` and the request goes to the resolver path unchanged.
"""

from schema.compiler.plan import Unsupported
from schema.compiler.run import compiled_response, enabled

__all__ = ["Unsupported", "compiled_response", "enabled"]
