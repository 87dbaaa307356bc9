"""lemonade: multi-objective neural architecture discovery with LLMs.

Implements LeMo-NADe (Rahman & Chakraborty, arXiv 2402.18443) with an iterative feedback memory.
"""

__version__ = "0.1.0"
