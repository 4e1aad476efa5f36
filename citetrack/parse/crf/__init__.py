"""The trained reference-string labeller: tokens → labelled segments → a ``Citation``.

``features.py`` turns a reference string into tokens and their features (with the
dictionary and the whole names learnt from the training strings, ``lexicon.py`` and
``phrases.py``),
``labeller.py`` loads the shipped python-crfsuite model (lazily, on first use) and labels
the tokens, ``normalise.py`` turns the labelled segments into a
:class:`~citetrack.parse.build.Citation`, and ``dataset.py`` reads the labelled training
data; ``stacked.py`` holds the features of an optional second pass (measured, not
shipped).  The model (``model.crfsuite``, ``model.lexicon.json``, ``model.phrases.json``)
is built by
``bench/train_parser.py`` from AnyStyle's labelled strings (BSD-2-Clause,
``LICENSE.anystyle`` beside it).
"""
