"""The district's own Ed25519 signing key: made at first use under ``.tianbao/`` (mode
0600), never leaving the district; the city holds only the public key."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tianbao.errors import EnvironmentFault
from tianbao.workspace import STATE_DIR

KEY_FILE = "package_signing.pem"  # not secret.key: that one signs the templates


def key_path(root: Path) -> Path:
    return Path(root) / STATE_DIR / KEY_FILE


def signing_key(root: Path) -> Ed25519PrivateKey:
    """The district's key, made (0600, exclusively) when there is none yet."""
    path = key_path(root)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:  # O_EXCL: two first uses at once keep one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise EnvironmentFault(
            f"签名密钥 {path} 无法读取：请从备份恢复 | the package signing key {path} "
            "cannot be read: restore it from a backup"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise EnvironmentFault(f"{path} 不是 Ed25519 密钥 | {path} is not an Ed25519 key")
    return key


def public_text(key: Ed25519PrivateKey) -> str:
    """The public key as the city plan holds it: base64 of its 32 raw bytes."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def verifies(public: str, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` over ``data`` was made by the key whose public half is
    ``public`` (a malformed public key verifies nothing)."""
    try:
        raw = base64.b64decode(public.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
