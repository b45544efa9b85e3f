"""The OpenSearch engine (``KB_ENGINE=opensearch``): the only package importing ``opensearchpy``.

* :mod:`.client` — the connection (URL, credentials, TLS) and the index template;
* :mod:`.compile` — plans (:mod:`kb.engine.plan`) as query DSL;
* :mod:`.reader` — searching and browsing;
* :mod:`.writer` — bulk writes, source replacement, rebuild by alias swap;
* :mod:`.check` — ``kb check``.
"""
