/* timefix's near-ties in compiled passes (netsurv.counting.valuesort): the distinct values of
the sorted times, their chains of near-equal gaps, and the replacement of the changed values in
keys sorted by stratum. Part of the module netsurv.counting._runs (see _runs.c, which also
says why these passes are compiled); the rule itself (the threshold) is timefix.py's. */

#include "_buffers.h"
#include "_runs.h"

static const uint64_t GOLDEN = 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */

/* first index in sorted a[lo:hi] whose value is >= v, searched from lo outwards (galloping:
   the next match is usually a few hundred entries on), then a binary search without branches
   on the data (the comparison picks a pointer, so no mispredicted jumps) */
static inline Py_ssize_t
lower_bound(const uint64_t *a, Py_ssize_t lo, Py_ssize_t hi, uint64_t v)
{
    Py_ssize_t step = 1;
    while (lo + step < hi && a[lo + step] < v) {
        lo += step;
        step <<= 1;
    }
    Py_ssize_t len = (lo + step < hi ? lo + step + 1 : hi) - lo;
    if (len <= 0)
        return lo;
    const uint64_t *base = a + lo;
    while (len > 1) {
        Py_ssize_t half = len / 2;
        base = base[half] < v ? base + half : base;
        len -= half;
    }
    return (base - a) + (*base < v);
}

struct cursor { /* a stratum's place in fix(): next row, search start, last time */
    Py_ssize_t next, from;
    uint64_t prev;
};

enum { BAND = 1 << 12 }; /* changed values per band of fix(): 32 KiB */

const char runs_fix_doc[] =
"fix(keys, bounds, changed, target, first, stop) -> int\n\n"
"In strata ``first`` to ``stop - 1`` of keys (sorted within each stratum), replace every\n"
"time whose bits are in ``changed`` (sorted uint64) by the matching ``target`` (event bit\n"
"kept), and return the number of runs there: distinct (stratum, time) pairs after the\n"
"replacement. Two calls on disjoint strata may run at once (the lookups wait on memory).\n"
"A bit table of hashed values finds the candidates; each candidate is looked up by a\n"
"galloping search from its stratum's last match (a stratum's times are sorted, so the\n"
"matches move forward), the strata advancing together band by band of ``changed``.";

PyObject *
runs_fix(PyObject *self, PyObject *args)
{
    static const struct spec spec[4] = {
        {"keys", 1, 8}, {"bounds", 0, 8}, {"changed", 0, 8}, {"target", 0, 8}};
    PyObject *o[4];
    Py_buffer v[4];
    Py_ssize_t first, stop;
    if (!PyArg_ParseTuple(args, "OOOOnn", &o[0], &o[1], &o[2], &o[3], &first, &stop)
        || get_all(o, v, spec, 4) < 0)
        return NULL;
    Py_buffer keys = v[0], bounds = v[1], changed = v[2], target = v[3];
    PyObject *result = NULL;
    uint8_t *table = NULL;
    struct cursor *state = NULL;
    Py_ssize_t n = keys.len / 8, k = bounds.len / 8 - 1, nc = changed.len / 8;
    const int64_t *b = (const int64_t *)bounds.buf;
    if (k < 1 || target.len != changed.len || check_bounds(b, k, n) < 0 || first < 0
        || stop > k || first > stop) {
        PyErr_SetString(PyExc_ValueError, "fix: bounds, strata or map of mismatched size");
        goto done;
    }
    int bits = 10; /* a band's bit table: 16 bits per changed value, 8 KiB, in L1 */
    Py_ssize_t band = BAND; /* wider bands when (bands x strata) would outgrow the rows */
    while (band < nc && (nc / band) * (stop - first) > 4 * n + (1 << 20))
        band *= 2;
    while (bits < 30 && ((Py_ssize_t)1 << bits) < 16 * (nc < band ? nc : band))
        bits++;
    int shift = 64 - bits;
    size_t table_bytes = ((size_t)1 << bits) / 8;
    table = (uint8_t *)calloc(table_bytes, 1);
    if (!table) {
        PyErr_NoMemory();
        goto done;
    }
    state = (struct cursor *)malloc(((size_t)(stop - first) + 1) * sizeof(struct cursor));
    if (!state) {
        PyErr_NoMemory();
        goto done;
    }
    uint64_t *key = (uint64_t *)keys.buf;
    const uint64_t *ch = (const uint64_t *)changed.buf, *tg = (const uint64_t *)target.buf;
    Py_ssize_t runs = 0;
    Py_BEGIN_ALLOW_THREADS
    /* The strata advance together through bands of ``band`` changed values: a key can only be one
       of its band's values, so the band's bit table and values stay in the core's first-level
       cache, instead of one table of all values and each stratum walking the whole array
       (measured at 1e7 rows, 7.6e5 changed values: 0.16 -> 0.05 s). */
    for (Py_ssize_t s = first; s < stop; s++) {
        state[s - first].next = b[s];
        state[s - first].from = 0;
        state[s - first].prev = 0;
    }
    for (Py_ssize_t j = 0; j == 0 || j < nc; j += band) {
        uint64_t below = j + band < nc ? ch[j + band] : UINT64_MAX; /* this band's keys */
        int last = !(j + band < nc);
        memset(table, 0, table_bytes); /* the band's changed values, hashed */
        for (Py_ssize_t q = j; q < nc && q < j + band; q++) {
            uint64_t h = (ch[q] * GOLDEN) >> shift;
            table[h >> 3] |= (uint8_t)(1u << (h & 7));
        }
        for (Py_ssize_t s = first; s < stop; s++) {
            struct cursor *c = &state[s - first];
            Py_ssize_t i = c->next, end = b[s + 1];
            for (; i < end && (last || (key[i] >> 1) < below); i++) {
                uint64_t v = key[i] >> 1;
                if (nc) {
                    uint64_t h = (v * GOLDEN) >> shift;
                    if (table[h >> 3] & (1u << (h & 7))) {
                        Py_ssize_t at = lower_bound(ch, c->from, nc, v);
                        c->from = at; /* matches in this stratum are at or after it */
                        if (at < nc && ch[at] == v) {
                            key[i] = (tg[at] << 1) | (key[i] & 1); /* -0.0 target: +0.0 */
                            v = key[i] >> 1;
                        }
                    }
                }
                if (i == b[s] || v != c->prev)
                    runs++;
                c->prev = v;
            }
            c->next = i;
        }
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(runs);
done:
    free(table);
    free(state);
    release_all(v, 4);
    return result;
}

const char runs_distinct_doc[] =
"distinct(values) -> int\n\n"
"Move the distinct values of sorted float64 ``values`` to its front, in place (the first of\n"
"each run of equal values is kept; -0.0 equals 0.0), and return how many there are.";

PyObject *
runs_distinct(PyObject *self, PyObject *args)
{
    static const struct spec spec[1] = {{"values", 1, 8}};
    PyObject *o[1];
    Py_buffer values;
    if (!PyArg_ParseTuple(args, "O", &o[0]) || get_all(o, &values, spec, 1) < 0)
        return NULL;
    Py_ssize_t n = values.len / 8, nd = 0;
    double *u = (double *)values.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        if (nd == 0 || u[i] != u[nd - 1])
            u[nd++] = u[i];
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&values);
    return PyLong_FromSsize_t(nd);
}

const char runs_ties_doc[] =
"ties(u, threshold, changed, target) -> int\n\n"
"For sorted distinct float64 ``u``: every value whose gap to the value before is at most\n"
"``threshold`` goes to ``changed``, and the first value of its chain of such gaps to\n"
"``target`` (both float64, room for len(u) - 1 values); returns how many. The threshold\n"
"itself (R's tolerance rule) is computed by the caller.";

PyObject *
runs_ties(PyObject *self, PyObject *args)
{
    static const struct spec spec[3] = {{"u", 0, 8}, {"changed", 1, 8}, {"target", 1, 8}};
    PyObject *o[3];
    Py_buffer v[3];
    double thr;
    if (!PyArg_ParseTuple(args, "OdOO", &o[0], &thr, &o[1], &o[2]) || get_all(o, v, spec, 3) < 0)
        return NULL;
    Py_buffer u = v[0], changed = v[1], target = v[2];
    PyObject *result = NULL;
    Py_ssize_t n = u.len / 8;
    if (changed.len / 8 < n - 1 || target.len / 8 < n - 1) {
        PyErr_SetString(PyExc_ValueError, "ties: outputs shorter than len(u) - 1");
        goto done;
    }
    const double *x = (const double *)u.buf;
    double *ch = (double *)changed.buf, *tg = (double *)target.buf;
    Py_ssize_t c = 0;
    Py_BEGIN_ALLOW_THREADS
    double first = n ? x[0] : 0.0;
    for (Py_ssize_t i = 1; i < n; i++) {
        if (x[i] - x[i - 1] <= thr) {
            ch[c] = x[i];
            tg[c++] = first;
        } else {
            first = x[i];
        }
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(c);
done:
    release_all(v, 3);
    return result;
}

