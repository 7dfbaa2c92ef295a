"""text: build a synthetic corpus, count words and bigrams in dicts, format a report."""

import zlib

import _harness

SENTENCES = 40_000
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "qu", "ex", "an", "zel")
PUNCTUATION = (".", "!", "?", ";")
TOP = 25


def lcg(state: int) -> int:
    return (state * 1103515245 + 12345) & 0x7FFF_FFFF


def vocabulary(size: int) -> list[str]:
    words = []
    state = 7
    for _ in range(size):
        state = lcg(state)
        parts = 1 + state % 3
        word = ""
        for _ in range(parts):
            state = lcg(state)
            word += SYLLABLES[(state >> 8) % len(SYLLABLES)]
        words.append(word)
    return words


def corpus(sentences: int, words: list[str]) -> str:
    """Sentences of 4-15 words, skewed towards the start of the vocabulary (Zipf-like)."""
    out = []
    state = 99
    for _ in range(sentences):
        state = lcg(state)
        length = 4 + state % 12
        chosen = []
        for _ in range(length):
            state = lcg(state)
            rank = (state >> 4) % len(words)
            chosen.append(words[rank * rank // len(words)])
        sentence = " ".join(chosen).capitalize()
        out.append(sentence + PUNCTUATION[state % len(PUNCTUATION)])
    return " ".join(out)


def tokenize(text: str) -> list[str]:
    for mark in PUNCTUATION:
        text = text.replace(mark, " ")
    return text.lower().split()


def count(tokens: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    words: dict[str, int] = {}
    bigrams: dict[str, int] = {}
    previous = ""
    for token in tokens:
        words[token] = words.get(token, 0) + 1
        if previous:
            key = f"{previous} {token}"
            bigrams[key] = bigrams.get(key, 0) + 1
        previous = token
    return words, bigrams


def top(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def report(words: dict[str, int], bigrams: dict[str, int], total: int) -> str:
    lines = [f"{'word':<12}{'count':>8}{'share':>9}"]
    for word, n in top(words, TOP):
        lines.append(f"{word:<12}{n:>8}{n / total:>9.3%}")
    lines.append("-" * 29)
    for pair, n in top(bigrams, TOP):
        lines.append(f"{pair.title():<20}{n:>9}")
    longest = max(words, key=lambda w: (len(w), w))
    lines.append(f"distinct={len(words)} bigrams={len(bigrams)} longest={longest.upper()}")
    return "\n".join(lines)


def main() -> str:
    text = corpus(SENTENCES, vocabulary(600))
    tokens = tokenize(text)
    words, bigrams = count(tokens)
    summary = report(words, bigrams, len(tokens))
    leader = top(words, 1)[0]
    return f"text tokens={len(tokens)} top={leader} report_crc={zlib.crc32(summary.encode()):08x}"


if __name__ == "__main__":
    _harness.run(main)
