from tests.providers.harness import connect, emulators, http, resolver, transport  # noqa: F401
