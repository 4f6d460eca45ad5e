"""A city's plugins in GraphQL: settings fields, and the merge of plugin contributions."""
