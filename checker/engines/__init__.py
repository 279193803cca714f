"""Policy engines, picked by name from a plain registry."""

from __future__ import annotations

from collections.abc import Callable

from checker.engines.embedded import EmbeddedEngine
from checker.engines.interface import Engine, EngineOptions
from checker.engines.opa import OpaEngine

ENGINES: dict[str, Callable[[EngineOptions], Engine]] = {
    "embedded": EmbeddedEngine,
    "opa": OpaEngine,
}

__all__ = ["ENGINES", "Engine", "EngineOptions"]
