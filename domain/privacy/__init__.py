"""Personal data in an immutable log: encrypted per person (crypto-shredding), erasable, and readable by its subject.

``fields`` (the one declaration of what is personal), ``personal`` (the values and the
pseudonym), ``keys`` (the key table), ``mapper`` (encryption in events and snapshots),
``access`` (what is held about a person). Import the submodules: the model imports
``personal``, and ``fields`` imports the model.
"""
