from tests.provider_api.harness import connect, emulators, http, resolver, transport  # noqa: F401
