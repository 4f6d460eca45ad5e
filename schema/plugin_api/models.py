"""The door's tables: the core's models a plugin reads or writes, the base of a plugin's own
city-owned models, and the row-level security its first migration applies.

GraphQL types of the same names (Firm, Compound, ...) are in `schema.plugin_api` itself.
"""

from core.models import (
    Case,
    City,
    Community,
    Compound,
    Firm,
    ManagementContract,
    Organisation,
    Person,
    ResidentRating,
    ServicePurchaseRecord,
    Street,
)
from core.models.base import CityModel
from core.security.rls import secure_city_tables

__all__ = [
    "Case",
    "City",
    "CityModel",
    "Community",
    "Compound",
    "Firm",
    "ManagementContract",
    "Organisation",
    "Person",
    "ResidentRating",
    "ServicePurchaseRecord",
    "Street",
    "secure_city_tables",
]
