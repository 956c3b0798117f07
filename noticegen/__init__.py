"""noticegen: YAML sources to the printed matter of a Japanese government notice.

The pipeline, one way; each stage a package that imports only the ones above it:

    model      the typed sources (pydantic), dates, numbering, languages, addressing;
               which facts print (status, dated source, age limit) and what texts claim
    load       YAML with file:line:col → the validated project; nothing is written
               before every source is valid
    render     Jinja (autoescaped) → HTML → WeasyPrint → PDF bytes, page budgets;
               the only package that imports WeasyPrint, and it knows no kind
    assemble   pikepdf: stamps, merges, page counts, the embedded-font audit
    output     atomic files and the manifest
    recipients medical institutions' lists → a checked recipients file; Japan Post's
               customer barcode (extraction, encoding, drawing)
    plan       jobs (one file each, keyed by a hash of its inputs) and the registry of
               document kinds
    check      every character against the fonts (keyed by the jobs' own inputs),
               data quality and coverage, research notes, translation coverage
    documents  one module per kind: what it makes, from which inputs, how
    build      the scheduler: workers, incremental builds, failures, the manifest
    merge      the institution mail merge: shared pages laid out once, addressee blocks
               placed as Form XObjects, print batches on a process pool or Dask
    preview    page images, gallery, visual diff, live server
    confirm    the 照会 round: forms out (with proofs), answers back into the data
    api, cli   one Options object; the CLI parses, calls one API function, exits
"""

__version__ = '0.1.0'
