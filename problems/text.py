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
    # English function words (the usual information-retrieval list, three letters or more) ...
    [
        "about",
        "above",
        "across",
        "after",
        "afterwards",
        "again",
        "against",
        "all",
        "almost",
        "alone",
        "along",
        "already",
        "also",
        "although",
        "always",
        "among",
        "amongst",
        "and",
        "another",
        "any",
        "anyhow",
        "anyone",
        "anything",
        "anyway",
        "anywhere",
        "are",
        "around",
        "back",
        "became",
        "because",
        "become",
        "becomes",
        "becoming",
        "been",
        "before",
        "beforehand",
        "behind",
        "being",
        "below",
        "beside",
        "besides",
        "between",
        "beyond",
        "both",
        "but",
        "can",
        "cannot",
        "could",
        "did",
        "does",
        "doing",
        "done",
        "down",
        "due",
        "during",
        "each",
        "either",
        "else",
        "elsewhere",
        "enough",
        "etc",
        "even",
        "ever",
        "every",
        "everyone",
        "everything",
        "everywhere",
        "except",
        "few",
        "for",
        "former",
        "formerly",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "hence",
        "her",
        "here",
        "hereafter",
        "hereby",
        "herein",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "into",
        "its",
        "itself",
        "just",
        "last",
        "latter",
        "least",
        "less",
        "many",
        "may",
        "meanwhile",
        "might",
        "mine",
        "more",
        "moreover",
        "most",
        "mostly",
        "much",
        "must",
        "myself",
        "neither",
        "never",
        "nevertheless",
        "next",
        "nobody",
        "none",
        "nor",
        "not",
        "nothing",
        "now",
        "nowhere",
        "off",
        "often",
        "once",
        "one",
        "only",
        "onto",
        "other",
        "others",
        "otherwise",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "perhaps",
        "please",
        "quite",
        "rather",
        "really",
        "same",
        "seem",
        "seemed",
        "seeming",
        "seems",
        "several",
        "she",
        "should",
        "since",
        "some",
        "somehow",
        "someone",
        "something",
        "sometime",
        "sometimes",
        "somewhere",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "thence",
        "there",
        "thereafter",
        "thereby",
        "therefore",
        "therein",
        "thereupon",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "throughout",
        "thru",
        "thus",
        "together",
        "too",
        "toward",
        "towards",
        "under",
        "until",
        "upon",
        "very",
        "via",
        "was",
        "were",
        "what",
        "whatever",
        "when",
        "whence",
        "whenever",
        "where",
        "whereafter",
        "whereas",
        "whereby",
        "wherein",
        "whereupon",
        "wherever",
        "whether",
        "which",
        "while",
        "whither",
        "who",
        "whoever",
        "whole",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
    # ... and help-desk chatter that says nothing about a cause.
    + """
    help urgent asap issue issues problem problems error errors today yesterday morning tomorrow
    get gets got getting need needs needed work works working worked keep keeps kept anyone someone
    thanks thank advance hello regards dear team colleague colleagues tried try trying again
    happens happened happening sure right know thing things see seeing check able unable
    """.split()  # noqa: SIM905
)

Vector = dict[str, float]


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, stop words removed, a light plural strip."""
    found = []
    for word in WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        found.append(stem(word))
    return found


def stem(word: str) -> str:
    """A light English plural and third-person strip: crashes → crash, entries → entry, drops → drop."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1]


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


def typo_fixes(df: Counter, *, rare: int = 2, common: int = 5, shortest: int = 5) -> dict[str, str]:
    """Map rare words to the common word they are one slip away from ("attachmnet" → "attachment").

    One slip is a dropped, doubled, swapped or changed letter: two words are one slip apart when
    deleting at most one letter from each makes them equal (symmetric deletion, as spelling
    correctors do), so the cost is a few dictionary look-ups per rare word. Only words seen at
    most `rare` times are corrected, only towards words seen at least `common` times, and only
    words of `shortest` letters or more (short words are too close to each other to guess).
    """
    keys: dict[str, tuple[int, str]] = {}
    for word, n in df.items():
        if n >= common and len(word) >= shortest:
            for key in _deletions(word):
                if keys.get(key, (0, ""))[0] < n:
                    keys[key] = (n, word)
    fixes = {}
    for word, n in df.items():
        if n <= rare and len(word) >= shortest:
            matches = [keys[key] for key in _deletions(word) if key in keys]
            if matches:
                fixes[word] = max(matches)[1]
    return fixes


def _deletions(word: str) -> set[str]:
    return {word} | {word[:at] + word[at + 1 :] for at in range(len(word))}
