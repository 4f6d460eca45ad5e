"""The hostile-input fuzzer (issue 17): every scalar's full range, every Node type's IDs,
both cities' whole schemas, queries and mutations, several callers, over real HTTP and
over WebSocket. Used by tests/schema/api/test_fuzz.py and by `civicgraph fuzz`."""
