"""The 照会 round: each prefecture confirms or corrects what is printed about it.

``confirm export`` writes, per prefecture, its proof sheet and an XLSX form listing every
fact its documents print or withhold (``rows``, ``form``); ``confirm import`` reads the
answered forms, checks every row (``answers``), and applies the answers to
``prefectures/*.yaml`` by editing the text in place (``edit``, ``apply``). ``round`` ties
them to the project and the build. The click group is ``command``.

This stage comes after ``api``: it builds the proof sheets through it.
"""
