"""User-facing errors. Every failure a user can cause is a ``DegsdkError`` subclass whose
message names the thing (file, field, tensor, plugin) and what was expected; the CLI prints
these without a traceback."""

from __future__ import annotations

from ._quote import cap_message


class DegsdkError(Exception):
    """Base class of every error degsdk raises on purpose. Its message prints at most about a
    screen (``degsdk._quote.cap_message``), however long the text it was given."""

    def __str__(self) -> str:
        return cap_message(super().__str__())


class InputError(DegsdkError, ValueError):
    """A tensor or value handed to degsdk does not meet the documented contract."""


class ConfigError(DegsdkError, ValueError):
    """A component's parameters or a config dict/YAML file is invalid."""


class UnknownComponentError(DegsdkError, KeyError):
    """No component is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return cap_message(str(self.args[0])) if self.args else ""


class PluginError(DegsdkError):
    """A plugin failed to load or to register its components."""


class ImageReadError(DegsdkError, OSError):
    """An image file is missing, unsupported, corrupt or truncated."""


class WriteError(DegsdkError, OSError):
    """An output file or folder could not be written (no space, no permission, a file where a
    folder should be); names the path."""


class ImageWriteError(WriteError):
    """An image could not be written (unsupported format, bad tensor, I/O failure)."""


class PairingError(DegsdkError, ValueError):
    """A paired HR/LR folder has mismatched names or sizes."""


class WeightsError(DegsdkError):
    """Weights cannot be resolved, downloaded, verified or loaded (names the ref/file/tensor)."""


class TrainingError(DegsdkError):
    """A training run cannot go on (for example the loss stayed non-finite)."""
