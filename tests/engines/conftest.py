"""Fixtures for the engine tests: one OPA server shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import opa_binary
from tests.engines.servers import OpaServer


@pytest.fixture(scope="session")
def opa_server() -> Iterator[OpaServer]:
    """One empty OPA server for the session; the OPA engine uploads checker's policies.

    Session-scoped, so it cannot take the function-scoped ``opa`` fixture: it calls the
    same ``opa_binary()``, which skips (or fails under CHECKER_REQUIRE_OPA=1) without OPA.
    """
    binary = opa_binary()
    assert binary
    server = OpaServer(binary)
    yield server
    server.stop()
