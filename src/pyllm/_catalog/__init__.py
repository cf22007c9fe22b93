"""The catalog layer: what pyllm knows about models, behind the public :mod:`pyllm.registry`.

- :mod:`~pyllm._catalog.index`: ``Catalog``, the lookup structure (ids, aliases, gateway slugs
  and variants). Pure.
- :mod:`~pyllm._catalog.codec`: the compact file format of the snapshot and cached listings.
  Pure.
- :mod:`~pyllm._catalog.files`: the bundled snapshot and alias table, the user cache (atomic
  writes, keyed by provider and base URL).
- :mod:`~pyllm._catalog.merge`: combining snapshot, cached listings and refreshed listings.
- :mod:`~pyllm._catalog.directory`: what a registry is built from instead of a client: the
  ``ProviderDirectory`` (names, base URLs, live listings) and ``HttpDirectory``.

Parsing a provider's ``GET /models`` is the provider's job
(:meth:`~pyllm.providers.Provider.parse_models`, with the wire formats in
:mod:`pyllm.protocols.model_listings`). Nothing here is imported by ``import pyllm``.
"""
