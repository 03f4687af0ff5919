"""Secret tokens the studio hands out (sign-in links, share links, provider callback URLs) are never stored:
only their hash is, and a token that comes back is found by the hash of what it brings."""

import hashlib


def hash_token(token: str) -> str:
    """SHA-256, hex: a database copy alone gives nobody a working token."""
    return hashlib.sha256(token.encode()).hexdigest()
