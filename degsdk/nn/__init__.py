"""Reusable network building blocks for plugin authors (imported on demand, never by
``import degsdk``): ``degsdk.nn.flow`` holds SRFlow-style conditional normalizing-flow layers,
``degsdk.nn.rrdb`` a residual-in-residual dense-block condition encoder."""
