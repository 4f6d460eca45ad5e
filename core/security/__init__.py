"""Principals, access rules, the audit log, idempotency, personal data and tenancy in depth."""
