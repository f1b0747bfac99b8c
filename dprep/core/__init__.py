"""The foundation every layer builds on: errors, argument checks, result objects, number formatting.

Nothing here knows about statistics, files or studies; everything above imports from here.
"""
