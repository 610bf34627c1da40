"""rank_bm25's Okapi BM25 scores, to the last bit: every document's from postings, or one's."""

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi


class PostedBM25(BM25Okapi):
    """BM25Okapi whose get_scores reads each term's postings. rank_bm25 looks every query
    term up in every document's dictionary (a Python loop over all lessons, or all steps,
    per term): that was most of the time a question took to answer (issue 18)."""

    def __init__(self, corpus: Sequence[Sequence[str]]) -> None:
        super().__init__(corpus)
        terms = list(self.idf)
        at = {term: n for n, term in enumerate(terms)}
        term_of: list[int] = []
        docs: list[int] = []
        freqs: list[int] = []
        for doc, counts in enumerate(self.doc_freqs):  # a document at a time, not a term
            term_of += map(at.__getitem__, counts)
            docs += [doc] * len(counts)
            freqs += counts.values()
        order = np.argsort(np.array(term_of, dtype=np.int64), kind="stable")
        self._docs = np.array(docs, dtype=np.int64)[order]
        q_freq = np.array(freqs, dtype=np.int64)[order]
        doc_len = np.array(self.doc_len)[self._docs]
        idf = np.array([self.idf[term] or 0 for term in terms])[np.array(term_of)[order]]
        # rank_bm25's expression, operation by operation, on the documents holding each term:
        # the others add 0.0 there, which leaves a score as it is.
        self._parts = idf * (q_freq * (self.k1 + 1) /
                             (q_freq + self.k1 * (1 - self.b + self.b * doc_len / self.avgdl)))
        ends = np.cumsum(np.bincount(np.array(term_of, dtype=np.int64),
                                     minlength=len(terms))).tolist()
        # Each term's postings start where the term before ends (the starts run one longer).
        self._spans = {term: (start, end) for term, start, end in
                       zip(terms, [0, *ends], ends, strict=False)}

    def _initialize(self, corpus: Sequence[Sequence[str]]) -> dict[str, int]:
        """rank_bm25's: each document's length and term counts, the corpus's size and mean
        length; how many documents hold each term, returned. The same dictionaries, in the
        same order, each counted in C: rank_bm25's loop over every term of every document
        was a fifth of building the question index at each start (issue 18)."""
        held: Counter[str] = Counter()
        for document in corpus:
            counts = dict(Counter(document))
            self.doc_len.append(len(document))
            self.doc_freqs.append(counts)
            held.update(counts.keys())
        self.corpus_size = len(self.doc_freqs)
        self.avgdl = sum(self.doc_len) / self.corpus_size
        return dict(held)

    def get_scores(self, query: Sequence[str]) -> Any:
        """Every document's score for `query` (its terms repeated count again), as
        BM25Okapi.get_scores gives it."""
        score = np.zeros(self.corpus_size)
        for term in query:
            span = self._spans.get(term)
            if span is not None:
                start, end = span
                score[self._docs[start:end]] += self._parts[start:end]
        return score

    def score_of(self, query: Sequence[str], i: int) -> float:
        """Document `i`'s score alone, as get_batch_scores gives it, without arrays: the parts
        of a long message are scored against one lesson, dozens a message, and rank_bm25 spent
        0.6 ms on each."""
        freqs, k1 = self.doc_freqs[i], self.k1
        norm = k1 * (1 - self.b + self.b * self.doc_len[i] / self.avgdl)
        # rank_bm25's operations in its order, so the same float to the last bit.
        return sum((self.idf.get(term) or 0) * (freq * (k1 + 1) / (freq + norm))
                   for term in query if (freq := freqs.get(term)))
