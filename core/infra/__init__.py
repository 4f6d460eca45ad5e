"""What every domain stands on: database, tenancy, settings, calendar, paging, errors, messages."""
