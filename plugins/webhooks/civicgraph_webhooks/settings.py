"""What a city's admin sets: where to post, the signing secret, which events, how to retry."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, HttpUrl, SecretStr, model_validator

from schema.plugin_api import Text

EVENTS = ("case.filed", "case.stage_changed", "meeting.held")


class WebhookSettings(BaseModel):
    urls: list[HttpUrl] = Field(
        default_factory=list,
        title="Endpoint URLs",
        description="Each event is posted to every URL here.",
        max_length=10,
    )
    secret: SecretStr | None = Field(
        None,
        title="Signing secret",
        description="HMAC-SHA256 key for the X-Civicgraph-Signature header (16+ characters).",
        min_length=16,
    )
    events: list[str] = Field(
        default_factory=lambda: list(EVENTS),
        title="Events",
        description="Which events to post: case.filed, case.stage_changed, meeting.held.",
    )
    max_attempts: int = Field(
        8, title="Attempts", description="Before a delivery fails.", ge=1, le=20
    )
    backoff_seconds: float = Field(
        30.0,
        title="First retry after (s)",
        description="Doubled after each failed attempt.",
        gt=0,
        le=3600,
    )
    timeout_seconds: float = Field(10.0, title="Timeout (s)", gt=0, le=60)

    @model_validator(mode="after")
    def _secret_with_urls(self) -> Self:
        # An unsigned webhook cannot be trusted by its receiver: no URL without a secret.
        if self.urls and self.secret is None:
            raise ValueError(
                Text(
                    "设置了 URL 就必须设置签名密钥",
                    "a signing secret is required when URLs are set",
                )
            )
        unknown = set(self.events) - set(EVENTS)
        if unknown:
            listed = ", ".join(sorted(unknown))
            raise ValueError(Text(f"未知的事件：{listed}", f"unknown events: {listed}"))
        return self
