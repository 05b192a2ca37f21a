/* Buffer arguments of netsurv's compiled modules (counting/_runs, results/_scan).

Arrays come in through the buffer protocol (no numpy headers at build time): C-contiguous,
with their item size checked; each function checks lengths and ranges itself. */

#ifndef NETSURV_BUFFERS_H
#define NETSURV_BUFFERS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static inline int
get(PyObject *obj, Py_buffer *view, int writable, Py_ssize_t itemsize, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    if (itemsize && view->itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: items of %zd bytes expected, got %zd", name,
                     itemsize, view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

struct spec { /* one buffer argument: its name, whether written, its item size (0: any) */
    const char *name;
    int writable;
    Py_ssize_t itemsize;
};

static inline void
release_all(Py_buffer *views, int count)
{
    while (count-- > 0)
        PyBuffer_Release(&views[count]);
}

/* every buffer of ``objs`` as ``spec`` says, or none (an exception set) */
static inline int
get_all(PyObject **objs, Py_buffer *views, const struct spec *spec, int count)
{
    for (int i = 0; i < count; i++)
        if (get(objs[i], &views[i], spec[i].writable, spec[i].itemsize, spec[i].name) < 0) {
            release_all(views, i);
            return -1;
        }
    return 0;
}

static inline char
kind(const Py_buffer *view)
{
    const char *f = view->format ? view->format : "B";
    size_t len = strlen(f);
    return len ? f[len - 1] : 'B';
}

/* stratum bounds: from 0 to n, never decreasing (k + 1 values) */
static inline int
check_bounds(const int64_t *b, Py_ssize_t k, Py_ssize_t n)
{
    if (b[0] != 0 || b[k] != n)
        return -1;
    for (Py_ssize_t s = 0; s < k; s++)
        if (b[s + 1] < b[s])
            return -1;
    return 0;
}

#endif
