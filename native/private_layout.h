/* Structs CPython 3.11 keeps private to one .c file, declared here once for the
 * stencils that read them.  native/hook.c checks at start-up that live objects
 * have this layout; the specializer uses the fast paths only if they do. */
#ifndef ACCEL_PRIVATE_LAYOUT_H
#define ACCEL_PRIVATE_LAYOUT_H

#include "Python.h"

/* Objects/rangeobject.c: rangeiterobject */
typedef struct {
    PyObject_HEAD
    long index;
    long start;
    long step;
    long len;
} accel_rangeiter;

/* Objects/listobject.c: listiterobject */
typedef struct {
    PyObject_HEAD
    Py_ssize_t it_index;
    PyListObject *it_seq;
} accel_listiter;

/* Objects/tupleobject.c: tupleiterobject */
typedef struct {
    PyObject_HEAD
    Py_ssize_t it_index;
    PyTupleObject *it_seq;
} accel_tupleiter;

/* Objects/genobject.c: _PyAsyncGenWrappedValue, what an async generator yields
 * (stencils/coroutines.c makes it). */
typedef struct {
    PyObject_HEAD
    PyObject *agw_val;
} accel_async_gen_wrapped;

/* Objects/typeobject.c: superobject (native/caches.c reads what super() bound). */
typedef struct {
    PyObject_HEAD
    PyTypeObject *type;
    PyObject *obj;
    PyTypeObject *obj_type;
} accel_super;

/* Objects/codeobject.c: _PyCodeObjectExtra, what co_extra points to.  The hook
 * reads it on every call, where _PyCode_GetExtra would be a function call, and
 * creates it no longer than accel's own index (hook.c, store_record). */
typedef struct {
    Py_ssize_t ce_size;
    void *ce_extras[1];
} accel_code_extra;

#endif
