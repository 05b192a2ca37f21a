"""Build of netsurv's one compiled module (everything else is in pyproject.toml).

``netsurv.counting._runs`` (``netsurv/counting/_runs.c``) counts continuous times about twice
as fast as numpy can (the measurement is in that file). It is optional: where no C compiler is
found the package installs without it and counts through numpy's index sort instead (same
counts, slower at millions of rows).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "netsurv.counting._runs",
            ["netsurv/counting/_runs.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
