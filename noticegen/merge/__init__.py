"""The institution mail merge (``noticegen merge``): one letter per medical institution,
each followed by its prefecture's leaflet, in print batches.

A stage after ``build``: it plans the leaflet through the registry (so it may name kinds,
like ``documents/``), and the CLI registers its command group.

``letters`` sorts the recipients (postal code, then address), cuts the batches and writes each
addressee's block (〇〇病院 院長 〇〇 〇〇 殿, 院長 殿, 御中). ``shared`` lays out, once per
prefecture, the letter with an empty addressee area, and the leaflet. ``assembly`` is the
pikepdf boundary: it places the shared pages by reference and each recipient's block (laid
out many to a WeasyPrint document) as a Form XObject, with the customer barcode drawn as
bars. ``batch`` is the pure unit a worker makes; ``executors`` run batches on a local process
pool or a Dask cluster; ``run`` is the client, the only writer of the output folder.
"""
