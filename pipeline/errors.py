"""Domain exceptions: what can go wrong, said in one line."""


class DeckmillError(Exception):
    """Base class: the CLI turns these into one `Error: ...` line and exit 1."""


class ConfigError(DeckmillError):
    """A rule file, meta file, ledger or overrides file is invalid; the message names file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class SkipPage(DeckmillError):
    """A raw page cannot be used (empty, binary, no questions); the build goes on without it."""
