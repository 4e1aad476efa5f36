"""Inputs: reading user files as text (textio) and .bib files into references (bib)."""
