"""The engine: pure, sans-I/O machinery between a chat and the wire.

The SSE decoder (``sse``), the stream parser (``parser``), the accumulator, the history
transaction (``exchange``), retries (``retry``), routes and fallbacks (``routing``), the
toolbox, the steps a call is made of (``steps``) and **the one tool loop** (``flow``). Nothing
here imports httpx, the client, the session or the chat; the HTTP edge (``pyllm._http``) drives
the flow. See docs/architecture.md.
"""
