"""Hand-written templated sentences that turn on negation and contrast (our own text, CC0), for sentiment training.

Movie-review sentences rarely say "not bad at all"; a few hundred sentences built from these templates teach the
classifier that a negated negative word is praise ("never boring"), a negated positive word is criticism ("hardly
worth it"), and that after "but", "yet" or "although … ," the last clause carries the verdict. In :data:`TEMPLATES`
"not", "never", "at all" and "not really" come as often with either label (a negator alone is no cue: the word it
negates decides); the list keeps the order the committed models were trained on.
"""

from __future__ import annotations

import random

SUBJECTS = ["the film", "the movie", "the story", "the acting", "the script", "the ending", "the soundtrack",
            "the sequel", "the book", "the show", "the meal", "the hotel", "the service", "the game", "the album",
            "the lecture", "the trip", "the concert", "this phone", "the dialogue"]
POSITIVE = ["good", "great", "funny", "moving", "brilliant", "enjoyable", "clever", "charming", "gripping",
            "wonderful", "worth it", "fun", "beautiful", "smart", "exciting"]
NEGATIVE = ["bad", "boring", "dull", "awful", "terrible", "predictable", "painful", "tedious", "a waste of time",
            "disappointing", "clumsy", "forgettable", "bland", "annoying", "a mess"]
POSITIVE_CLAUSES = ["i loved every minute", "it made me smile", "i would happily see it again", "it won me over",
                    "the ending is lovely", "i left in a great mood", "it is well worth your time",
                    "i enjoyed it a lot"]
NEGATIVE_CLAUSES = ["i was bored stiff", "i wanted my money back", "it fell apart at the end",
                    "i would not recommend it", "it left me cold", "i almost walked out", "it wasted my evening",
                    "the ending ruined it"]

# (template, label): {s} subject, {p}/{n} a positive/negative word, {pc}/{nc} a positive/negative clause.
TEMPLATES = [
    ("{s} was not {n} at all.", 1),
    ("{s} was never {n}.", 1),
    ("{s} is anything but {n}.", 1),
    ("honestly, {s} was not {n} in the least.", 1),
    ("i did not find {s} {n}.", 1),
    ("nothing about {s} was {n}.", 1),
    ("{s} was not {p} at all.", 0),
    ("{s} was never {p}.", 0),
    ("{s} was hardly {p}.", 0),
    ("{s} is far from {p}.", 0),
    ("i did not find {s} {p}.", 0),
    ("nothing about {s} was {p}.", 0),
    ("{s} was far from perfect, yet {pc}.", 1),
    ("{s} was {n} at times, but {pc}.", 1),
    ("although {s} was {n} at first, {pc}.", 1),
    ("{s} had its flaws, but overall {pc}.", 1),
    ("{s} was {p} at first, but {nc}.", 0),
    ("although {s} looked {p}, {nc}.", 0),
    ("{s} had a few {p} moments, yet {nc}.", 0),
    ("{s} was not {n}, and {pc}.", 1),
    ("{s} was not {p}, and {nc}.", 0),
    # Balancing: each negation pattern as often with each label ("not" 8/8, "at all" 3/3, "not really" 1/1).
    ("honestly, {s} was not {p} in the least.", 0),
    # A denied question, both ways, so that "not at all" / "not really" is no cue by itself: the verdict follows it.
    ("{n}? not at all, {s} was {p}.", 1),
    ("{p}? not at all, {s} was {n}.", 0),
    ("was {s} {n}? not at all, {pc}.", 1),
    ("was {s} {p}? not at all, {nc}.", 0),
    ("was {s} {n}? not really, {pc}.", 1),
    ("was {s} {p}? not really, {nc}.", 0),
    ("{s} was {p}.", 1),
    ("{s} was {n}.", 0),
]


def template_sentences(count: int = 1200, seed: int = 0) -> list[tuple[str, int]]:
    """``count`` distinct (sentence, label) pairs, 1 = positive, drawn reproducibly from :data:`TEMPLATES`."""
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    while len(seen) < count:
        template, label = rng.choice(TEMPLATES)
        text = template.format(s=rng.choice(SUBJECTS), p=rng.choice(POSITIVE), n=rng.choice(NEGATIVE),
                               pc=rng.choice(POSITIVE_CLAUSES), nc=rng.choice(NEGATIVE_CLAUSES))
        seen.setdefault(text, label)
    return list(seen.items())
