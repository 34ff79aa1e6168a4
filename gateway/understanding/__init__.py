"""Reading what citizens write: what a message is (intent), where and when it happened.

- :mod:`gateway.understanding.intent`: a new complaint, more about an open one, thanks,
  a status question, or chatter;
- :mod:`gateway.understanding.place`: the place a free text names (street, gang,
  RT/RW, kelurahan, kecamatan, landmark, regency or city);
- :mod:`gateway.understanding.when`: the date and time a free text names.

Rules over word lists (``intent_words``, ``place_words``) and the regions gazetteer
(``regions_index``, ``place_names``); no model, nothing downloaded. Measured by
``bench/understanding_accuracy.py`` on ``data/labelled/intent-*`` and ``extraction-*``.
"""
