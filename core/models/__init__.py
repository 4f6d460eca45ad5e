"""Every model of the core, in the tortoise app named "models"."""

from core.models.cases import Case
from core.models.firms import Firm, ManagementContract
from core.models.organisations import Organisation
from core.models.people import Person
from core.models.places import Building, City, Community, Compound, Grid, Street

__all__ = [
    "Building",
    "Case",
    "City",
    "Community",
    "Compound",
    "Firm",
    "Grid",
    "ManagementContract",
    "Organisation",
    "Person",
    "Street",
]
