"""NLP stage: spaCy-based extraction of actors, positions and next steps.

Everything here is grounded in the article text: each position and next step
carries its evidence sentence verbatim.
"""
