"""Questions put to the lexical index (`ingest.lexical`): BM25 top-k of passages and of
documents (optionally among given ids only), the documents an outlet, author or date names,
the names it knows, and a fixed pseudo-random sample for collection statistics.

Every call reads a searcher as last committed; none reads every entry.
"""

from __future__ import annotations

from ingest.lexical import LexicalIndex, draw

SAMPLE = 10_000  # entries in the statistics sample (the whole index when it is smaller)


def _words_query(schema, words: list[str]):
    import tantivy

    terms = sorted(set(words))
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "words", word)) for word in terms]
    )


def _among(schema, field: str | None, values, scored, matching: bool = False):
    """`scored` restricted to entries whose `field` is one of `values` (adding no score); every
    such entry, or with `matching` only those `scored` matches. Field None means the entry's
    own key (passage id, document id), found by its draw: Tantivy looks up numbers about five
    times faster than as many strings."""
    import tantivy

    if field is None:
        only = _keyed(schema, values)
    else:
        only = tantivy.Query.term_set_query(schema, field, sorted(values))
    occur = tantivy.Occur.Must if matching else tantivy.Occur.Should
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.const_score_query(only, 0.0)), (occur, scored)])


def _keyed(schema, keys):
    """Entries whose own key (passage or document id) is one of `keys`, by its draw."""
    import tantivy

    return tantivy.Query.term_set_query(schema, "draw", sorted({draw(key) for key in keys}))


def _scored(searcher, query, limit: int, key: str) -> dict[str, float]:
    if limit <= 0:
        return {}
    found = searcher.search(query, limit=limit, count=False)
    return {searcher.doc(address).get_first(key): float(score) for score, address in found.hits}


def _rescored(searcher, query, keys) -> dict[str, float]:
    """Scores of a query restricted to `keys`, every one present (0 for no match); hits are
    told apart by their draw (a fast field), so no stored document is read."""
    by_draw = {draw(key): key for key in keys}
    found = searcher.search(query, limit=max(1, len(by_draw)), count=False)
    draws = searcher.fast_field_values("draw", [address for _, address in found.hits])
    scores = dict.fromkeys(keys, 0.0)
    for (score, _), value in zip(found.hits, draws):
        if value in by_draw:
            scores[by_draw[value]] = float(score)
    return scores


def passages(lexical: LexicalIndex, words: list[str], limit: int, doc_ids=None) -> dict[str, float]:
    """Tantivy's BM25 of the best `limit` passages, of the documents `doc_ids` only when given
    (the candidates' own scores come from `ingest.termcounts`)."""
    searcher = lexical.searchers()[0]
    schema = lexical.schemas[0]
    if not words:
        return {}
    query = _words_query(schema, words)
    if doc_ids is not None:
        query = _among(schema, "doc_id", doc_ids, query, matching=True)
    return _scored(searcher, query, limit, "id")


def documents(lexical: LexicalIndex, words: list[str], limit: int, doc_ids=None) -> dict[str, float]:
    """BM25 of the best `limit` whole documents (among `doc_ids` when given, as `passages`)."""
    searcher = lexical.searchers()[1]
    schema = lexical.schemas[1]
    if not words:
        return {} if doc_ids is None else dict.fromkeys(doc_ids, 0.0)
    query = _words_query(schema, words)
    if doc_ids is None:
        return _scored(searcher, query, limit, "doc_id")
    return _rescored(searcher, _among(schema, None, doc_ids, query), doc_ids)


def passages_of(lexical: LexicalIndex, doc_ids) -> dict[str, str]:
    """The passage ids of these documents, with their document."""
    import tantivy

    searcher, schema = lexical.searchers()[0], lexical.schemas[0]
    query = tantivy.Query.term_set_query(schema, "doc_id", sorted(doc_ids))
    found = searcher.search(query, limit=max(1, searcher.num_docs), count=False)
    rows = (searcher.doc(address) for _, address in found.hits)
    return {row.get_first("id"): row.get_first("doc_id") for row in rows}


def owners_of(lexical: LexicalIndex, ids) -> dict[str, tuple[str, bytes]]:
    """The document and packed term counts of each of these passages (ids the index lacks
    are left out)."""
    searcher, schema = lexical.searchers()[0], lexical.schemas[0]
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = searcher.search(_keyed(schema, ids), limit=len(ids), count=False)
    rows = (searcher.doc(address) for _, address in found.hits)
    wanted = set(ids)
    return {row.get_first("id"): (row.get_first("doc_id"), row.get_first("counts")) for row in rows if row.get_first("id") in wanted}


def aliases(lexical: LexicalIndex) -> list[str]:
    """Every outlet and author name the documents carry (lower-cased)."""
    return [term for term, _ in lexical.searchers()[1].terms_with_prefix("alias", "")]


def named(lexical: LexicalIndex, alias: str) -> set[str]:
    """The documents whose outlet or author is called `alias`."""
    import tantivy

    return _matching(lexical, tantivy.Query.term_query(lexical.schemas[1], "alias", alias))


def on(lexical: LexicalIndex, year: int | None, month: int, day: int | None) -> set[str]:
    """The documents published on that day (or in that month; any year when None)."""
    import tantivy

    schema = lexical.schemas[1]
    parts = [("year", year), ("month", month), ("day", day)]
    query = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value)) for name, value in parts if value is not None]
    )
    return _matching(lexical, query)


def _matching(lexical: LexicalIndex, query) -> set[str]:
    searcher = lexical.searchers()[1]
    found = searcher.search(query, limit=max(1, searcher.num_docs), count=False)
    return {searcher.doc(address).get_first("doc_id") for _, address in found.hits}


def sample_scores(lexical: LexicalIndex, which: int, words: list[str], size: int = SAMPLE) -> dict[int, float]:
    """BM25 of `words` over the entries of the statistics sample (`sample`) that match one,
    by their draw; the other members score 0."""
    import tantivy

    searcher, schema = lexical.searchers()[which], lexical.schemas[which]
    if not words or not searcher.num_docs:
        return {}
    within = tantivy.Query.const_score_query(_within(schema, searcher.num_docs, size), 0.0)
    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, within), (tantivy.Occur.Must, _words_query(schema, words))])
    found = searcher.search(query, limit=2 * size, count=False)
    draws = searcher.fast_field_values("draw", [address for _, address in found.hits])
    return {value: float(score) for (score, _), value in zip(found.hits, draws)}


def _within(schema, total: int, size: int):
    """The entries whose draw lies in the lowest `size`/`total` of its range."""
    import tantivy

    below = min((1 << 64) - 1, ((1 << 64) * size) // max(1, total))
    return tantivy.Query.range_query(schema, "draw", tantivy.FieldType.Unsigned, 0, below)


def sample(lexical: LexicalIndex, size: int = SAMPLE) -> dict[str, tuple[str, bytes]]:
    """The statistics sample of passages, with their documents and packed term counts: about
    `size` passages, those whose draw (a hash of the id) is lowest, the same ones until the
    index changes."""
    searcher, schema = lexical.searchers()[0], lexical.schemas[0]
    if not searcher.num_docs:
        return {}
    found = searcher.search(_within(schema, searcher.num_docs, size), limit=2 * size, count=False)
    rows = (searcher.doc(address) for _, address in found.hits)
    return {row.get_first("id"): (row.get_first("doc_id"), row.get_first("counts")) for row in rows}


def frequencies(lexical: LexicalIndex, terms) -> tuple[dict[str, int], int]:
    """How many passages hold each term, and how many passages there are."""
    searcher = lexical.searchers()[0]
    return {term: searcher.doc_freq("words", term) for term in set(terms)}, searcher.num_docs
