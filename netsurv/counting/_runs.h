/* The passes of netsurv.counting._runs defined in _ties.c (the module's table is in _runs.c). */

#ifndef NETSURV_RUNS_H
#define NETSURV_RUNS_H

#include <Python.h>

extern const char runs_fix_doc[], runs_distinct_doc[], runs_ties_doc[];
PyObject *runs_fix(PyObject *self, PyObject *args);
PyObject *runs_distinct(PyObject *self, PyObject *args);
PyObject *runs_ties(PyObject *self, PyObject *args);

#endif
