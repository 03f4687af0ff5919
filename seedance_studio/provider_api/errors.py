"""Failures, each saying what the caller may do next.

- `ProviderError.permanent`: True means "do not try this again as it is" (a validation 4xx, a moderation
  refusal, an expired link); False means "later may work" (429, 5xx, network, provider out of credits, and a
  create status the provider documents as "not created, try again": HiAPI's 503, the Seedance2 API's 500).
- `OutcomeUnknown`: a create that may or may not have made a task (timeout after sending, an undocumented 5xx).
  It is NOT a ProviderError on purpose: code that retries non-permanent ProviderErrors must never resend a create.
"""

from __future__ import annotations


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
        provider_message: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        # Safe to repeat right away inside the HTTP layer (network, 408, 429, 5xx); a narrower idea than
        # "not permanent" (a 402 is not permanent, but retrying it this second is pointless).
        self.retryable = retryable
        self.provider_message = provider_message  # the provider's own words, when it gave any

    def __str__(self) -> str:
        return self.message


class OutcomeUnknown(Exception):
    """The create request left, but no usable answer came back: the task may exist, so it is confirmed
    (the provider has to name it), never sent again."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class CallbackRejected(ProviderError):
    """A callback whose secret or signature does not verify: answer 403 and believe nothing in it."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


class UnsafeResultLink(ProviderError):
    """A result URL the studio refuses to fetch (scheme, host, address, redirect, size)."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


class ResultLinkExpired(ProviderError):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message, permanent=True, status=status)
