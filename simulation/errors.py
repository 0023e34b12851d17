"""The one error type for bad input, so callers (CLI, runner) can report it uniformly."""


class ConfigError(ValueError):
    """Invalid input: the message names where (file/parameter), the value given and what is allowed."""

    def __init__(self, where: str, value, allowed: str):
        self.where, self.value, self.allowed = where, value, allowed
        super().__init__(f"{where}: got {value!r}; allowed: {allowed}")
