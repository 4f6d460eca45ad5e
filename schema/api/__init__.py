"""The GraphQL machinery every area shares: schema build, context, errors, IDs, limits, loaders."""
