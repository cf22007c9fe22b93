"""The HTTP edge: the only code that imports httpx.

``transport`` makes one attempt (sync and async pools), ``responses`` reads what comes back,
``wire`` holds the pure helpers both use, ``download`` fetches remote attachments, and
``drive`` runs the engine's flows: one sync and one async driver, the only twins.
"""
