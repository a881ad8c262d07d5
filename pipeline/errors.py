"""Domain exceptions: what can go wrong, said in one line."""

from __future__ import annotations


class DeckmillError(Exception):
    """Base class: the CLI turns these into one `Error: ...` line and exit 1."""


class ConfigError(DeckmillError):
    """A rule file, meta file, ledger or overrides file is invalid; the message names file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, int | None, str]]:
        return type(self), (self.path, self.line, self.message)  # raised in a worker process, re-raised here


class SkipPage(DeckmillError):
    """A raw page cannot be used (empty, binary, no questions); the build goes on without it."""
