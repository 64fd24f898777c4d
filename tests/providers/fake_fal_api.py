"""FAL's API as the fake speaks it: signed webhook headers, JWKs, error bodies, input checks."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sparkle_motion.providers.fal import DEFAULT_MODEL

TEST_KEY = "fal-test-key-0001"
USER_ID = "fake-fal-user"
# The documented input fields of the Kling image-to-video models; the fake refuses others,
# which FAL's docs leave open (it may ignore them).
KLING_FIELDS = {"prompt", "image_url", "duration", "negative_prompt", "cfg_scale"}
REJECTION_MSG = "The content could not be processed because it was flagged by a content checker."


def policy_violation(field_name: str = "prompt") -> dict[str, Any]:
    return {
        "detail": [
            {
                "loc": ["body", field_name],
                "msg": REJECTION_MSG,
                "type": "content_policy_violation",
                "url": "https://docs.fal.ai/errors/#content_policy_violation",
            }
        ]
    }


def public_jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, str]:
    raw = key.public_key().public_bytes_raw()
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid}


def sign(key: Ed25519PrivateKey, request_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers FAL sends with a webhook, signed as its docs describe."""
    digest = hashlib.sha256(body).hexdigest()
    message = "\n".join([request_id, USER_ID, str(timestamp), digest]).encode()
    return {
        "X-Fal-Webhook-Request-Id": request_id,
        "X-Fal-Webhook-User-Id": USER_ID,
        "X-Fal-Webhook-Timestamp": str(timestamp),
        "X-Fal-Webhook-Signature": key.sign(message).hex(),
        "Content-Type": "application/json",
    }


def input_problems(model: str, body: object) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be an object", "type": "dict_type"}]
    problems = []
    for name in ("prompt", "image_url"):
        if not isinstance(body.get(name), str):
            problems.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
    if not str(body.get("image_url", "")).startswith("data:image/"):
        problems.append(
            {"loc": ["body", "image_url"], "msg": "Not an image", "type": "image_load_error"}
        )
    if body.get("duration", "5") not in ("5", "10"):
        problems.append(
            {"loc": ["body", "duration"], "msg": "Input should be '5' or '10'", "type": "one_of"}
        )
    if model == DEFAULT_MODEL:
        for name in sorted(set(body) - KLING_FIELDS):
            problems.append(
                {
                    "loc": ["body", name],
                    "msg": "Extra inputs are not permitted",
                    "type": "extra_forbidden",
                }
            )
    return problems
