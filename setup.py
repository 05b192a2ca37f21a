"""Build of netsurv's two compiled modules (everything else is in pyproject.toml).

``netsurv.counting._runs`` counts continuous times and ``netsurv.results._scan`` computes the
product-limit terms, each several times faster than numpy can (the measurements are in the C
files). Both are optional: where no C compiler is found the package installs without them and
numpy computes the same numbers (slower at millions of rows).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            name,
            sources,
            include_dirs=["netsurv"],  # _buffers.h, shared by both
            depends=["netsurv/_buffers.h", "netsurv/counting/_runs.h"],
            extra_compile_args=["-O2"],
            optional=True,
        )
        for name, sources in [
            ("netsurv.counting._runs", ["netsurv/counting/_runs.c", "netsurv/counting/_ties.c"]),
            ("netsurv.results._scan", ["netsurv/results/_scan.c"]),
        ]
    ]
)
