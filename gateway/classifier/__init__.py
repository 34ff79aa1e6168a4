"""The learned topic classifier: free text to a national topic, with calibrated confidence.

- :mod:`.features`: what the model reads (character n-grams and words of the
  normalised text); :mod:`.model`: the bundled model at run time (numpy only);
- :mod:`.decide`: a tenant's keyword rules as overrides, else the model, flagged below
  the tenant's threshold;
- :mod:`.data`, :mod:`.train`, :mod:`.evaluate`, :mod:`.cli`: the labelled data and its
  splits, training with scikit-learn (``gateway classifier train``), and measuring
  (``gateway classifier eval``). scikit-learn is needed to train, never to classify.
"""
