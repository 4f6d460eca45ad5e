"""Where Donghong's feed is and how long to wait for it: every value an admin may change."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

NAME = "dongguan_donghong"  # the entry point's name: city config, settings, errors


class DonghongSettings(BaseModel):
    feed_url: str = Field(
        "",
        max_length=500,
        title="Feed URL of the company's managed projects",
        description="http(s) URL answering JSON (docs/donghong.md). Empty: no sync.",
    )
    token: SecretStr = Field(
        SecretStr(""), title="Access token", description="Sent as `Authorization: Bearer`."
    )
    timeout_seconds: float = Field(10.0, gt=0, le=120, title="Timeout of one request (s)")
    company_registration_number: str = Field(
        "914419009000000013",
        min_length=18,
        max_length=18,
        title="The company's unified social credit code",
        description="The firm in the city's directory the feed's projects are managed by.",
    )
