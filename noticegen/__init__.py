"""noticegen: YAML sources to the printed matter of a Japanese government notice.

The pipeline, one way, each stage in its own module:

    load      sources.py, project.py   YAML → values with file:line:col → typed model
                                       (model.py); every source is validated before
                                       anything is written
    check     glyphs.py, fonts.py      every character against the fonts the
                                       stylesheet declares
    plan      plan.py                  the outputs to make, each keyed by a hash of
                                       all its inputs
    render    render.py                Jinja (autoescaped) → HTML → WeasyPrint → PDF
                                       bytes; the only module that imports WeasyPrint
    write     build.py                 post-render checks (fonts embedded), atomic
                                       writes into the output folder
    cli       cli.py                   click commands; parses options, calls one
                                       function, maps known errors to exit codes
"""

__version__ = '0.1.0'
