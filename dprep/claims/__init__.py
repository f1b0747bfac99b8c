"""The claims audit: what popular articles say about deliberate practice, checked against the evidence.

``evidence`` (references and the evidence the rules read), ``claim`` (what a claim asserts, parsed from
``data/raw/claims.csv``), ``describe`` (evidence rows in words, revision templates), ``rules`` (four
general rules) and ``engine`` (a verdict for every claim, counts, the verbatim check).
"""
