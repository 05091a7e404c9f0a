"""Words and TF-IDF vectors for incident text, in plain Python (no external service, no numpy).

Shared by the clustering job and the known-error suggestions so both read text the same way.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable

WORD = re.compile(r"[a-z][a-z0-9]{2,}")
#: Words that say nothing about a cause: English function words and help-desk filler.
STOPWORDS = frozenset(
    [
        "about",
        "after",
        "again",
        "all",
        "also",
        "and",
        "any",
        "are",
        "because",
        "been",
        "before",
        "being",
        "but",
        "can",
        "cannot",
        "could",
        "did",
        "does",
        "doing",
        "down",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "her",
        "here",
        "his",
        "how",
        "into",
        "its",
        "just",
        "more",
        "most",
        "not",
        "now",
        "off",
        "once",
        "only",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "under",
        "until",
        "very",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "please",
        "help",
        "urgent",
        "issue",
        "problem",
        "error",
        "when",
        "since",
        "today",
        "still",
        "get",
        "gets",
        "got",
        "getting",
        "need",
        "needs",
        "needed",
        "work",
        "works",
        "working",
        "again",
        "keeps",
        "keep",
        "every",
        "anyone",
        "someone",
    ]
)

Vector = dict[str, float]


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, stop words removed, a light plural strip."""
    found = []
    for word in WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


def document_frequencies(documents: Iterable[list[str]]) -> tuple[Counter, int]:
    df: Counter = Counter()
    count = 0
    for tokens in documents:
        df.update(set(tokens))
        count += 1
    return df, count


def idf(df: Counter, count: int) -> dict[str, float]:
    """Smoothed inverse document frequency: rare words weigh more."""
    return {term: math.log((count + 1) / (n + 1)) + 1.0 for term, n in df.items()}


def tfidf(tokens: list[str], weights: dict[str, float], default: float = 1.0) -> Vector:
    """Unit-length TF-IDF vector (sub-linear term frequency)."""
    if not tokens:
        return {}
    counts = Counter(tokens)
    vector = {term: (1.0 + math.log(n)) * weights.get(term, default) for term, n in counts.items()}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(term, 0.0) for term, value in a.items())
