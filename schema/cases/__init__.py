"""Cases in GraphQL: types, root fields, fileCase, loaders and the caseUpdated subscription."""
