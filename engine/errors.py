"""The engine's own exceptions: every failure a user can cause surfaces as an :class:`EngineError` with a message."""


class EngineError(Exception):
    """Invalid input or an impossible request, with a message meant for the user."""


class Cancelled(EngineError):
    """The caller asked to stop a long computation."""


class TooLarge(EngineError):
    """The request would need more memory or time than allowed; the message names the numbers."""
