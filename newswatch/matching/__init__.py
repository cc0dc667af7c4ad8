"""Finding the rules' names in an article: pure, no I/O.

folding (text → folded text with offsets) → forms (a name → the patterns and checks that find
it) ← aliases (an entity → every name it is looked for by: gazetteer, transliteration) →
matcher (one scan, conditions) → hits.
"""
