"""The pipeline's steps, one function each, called by the state machine's Lambda tasks.

Each takes the execution document (the state machine's JSON), its
collaborators (an object store, a Glue client) and its settings, and returns
what the next state needs. Errors that retrying cannot fix are raised as
``InputContractError`` / ``DataQualityFailed`` / ``ObjectNotFound``, names
the definition's Retry lists as non-retryable.

One module per step (``validate_input``, ``process``, ``quality``, ``catalog``,
``fraud``, ``failure``); ``settings`` holds their ``Settings`` (read from the
functions' environment) and ``common`` what several steps share.
"""
