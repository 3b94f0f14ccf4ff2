"""Personal-data protection: authenticated encryption, keyed look-up digests and masks.

Each protected value is stored three ways: ciphertext (AES-256-GCM, the field name bound in as
associated data so a ciphertext cannot be moved to another column), a keyed HMAC-SHA256 digest
for exact look-up, and a masked form for display. Keys are derived with HKDF from the one master
key in settings (``JICENG_FIELD_KEY``), so encryption and look-up never share a key. SM4 (国密)
can replace AES-GCM behind the same ``v1.`` envelope where a deployment requires it; see
docs/personal-data.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    master = base64.urlsafe_b64decode(master_b64)
    if len(master) < 32:
        raise ValueError("JICENG_FIELD_KEY must decode to at least 32 bytes")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"jiceng-field-encryption"), derive(b"jiceng-field-lookup")


def _enc_key() -> bytes:
    return _keys(settings.JICENG_FIELD_KEY)[0]


def _mac_key() -> bytes:
    return _keys(settings.JICENG_FIELD_KEY)[1]


def encrypt(plaintext: str, *, field: str) -> str:
    if not plaintext:
        return ""
    nonce = os.urandom(12)
    ct = AESGCM(_enc_key()).encrypt(nonce, plaintext.encode(), field.encode())
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, field: str) -> str:
    if not token:
        return ""
    version, _, body = token.partition(".")
    if version != _VERSION:
        raise ValueError(f"unknown ciphertext version {version!r}")
    raw = base64.urlsafe_b64decode(body)
    return AESGCM(_enc_key()).decrypt(raw[:12], raw[12:], field.encode()).decode()


def digest(value: str, *, field: str) -> str:
    """Keyed digest for exact look-up; empty for an empty value."""
    if not value:
        return ""
    return hmac.new(_mac_key(), f"{field}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """430724********1234: region visible, birth date hidden, last four kept for recognition."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
