"""The error the contract checks raise."""

from __future__ import annotations


class ContractError(AssertionError):
    """A component breaks the degsdk contract. Subclasses ``AssertionError``, so pytest reports
    it as a failed assertion with the message naming the broken rule."""
