"""degsdk's default plugins: the built-in components, registered through the ``degsdk``
entry-point group exactly like a third-party plugin (``builtin`` → ``builtin.py``). They import
only the public API; the core never imports them."""
