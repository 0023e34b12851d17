"""The one error type for bad input, so callers (CLI, runner) can report it uniformly."""


class ConfigError(ValueError):
    """Invalid input: the message names where (file/parameter), the value given and what is allowed."""

    def __init__(self, where: str, value, allowed: str):
        self.where, self.value, self.allowed = where, value, allowed
        super().__init__(f"{where}: got {value!r}; allowed: {allowed}")


def check_keys(table: dict, allowed, where: str, what: str) -> None:
    """Reject the first key of ``table`` not in ``allowed`` (typos in input files fail loudly).

    The error names ``where.<key>``, the key's value and the allowed keys, e.g. "a sweep key: …".
    """
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(f"{where}.{key}", value, f"{what}: " + ", ".join(allowed))
