/* `python -m accel script.py`: run the script in this process, as `python script.py` runs it.
 *
 * Starting a second interpreter for the program costs as much as a whole stock start-up
 * (site, .pth files), on every accelerated run.  So the launcher runs the script itself,
 * through the function `python script.py` runs it with (_PyRun_AnyFileObject: the same
 * __main__ set-up, compile flags, uncaught-exception report, SystemExit handling), on a
 * thread state that looks as it does at that point of a stock start-up: no Python frame
 * below the script's (the launcher's and runpy's frames stay on the C stack, unlinked, so
 * f_back, tracebacks, stack walks and warnings' stack levels end where stock's do) and
 * the whole recursion limit ahead of it. */
#include "runtime.h"

#define Py_BUILD_CORE 1
#include "internal/pycore_pylifecycle.h"
#undef Py_BUILD_CORE

#include <stdio.h>

int
accel_run_main_file(uintptr_t filename_object)
{
    GIL_ENTER();
    PyObject *filename = (PyObject *)filename_object;
    PyThreadState *tstate = PyThreadState_Get();
    /* as pymain_run_file_obj does before it runs the file */
    if (PySys_Audit("cpython.run_file", "O", filename) < 0) {
        PyErr_Print();
        GIL_EXIT();
        return ACCEL_RUN_FAILED;
    }
    FILE *file = _Py_fopen_obj(filename, "rb");
    if (file == NULL) {
        PyErr_Clear();
        GIL_EXIT();
        return ACCEL_RUN_NOT_OPENED;
    }
    if (Py_MakePendingCalls() == -1) {  /* a signal that came meanwhile (SIGINT) */
        fclose(file);
        PyErr_Print();
        GIL_EXIT();
        return ACCEL_RUN_FAILED;
    }
    _PyInterpreterFrame *launcher = tstate->cframe->current_frame;
    int launcher_depth = tstate->recursion_limit - tstate->recursion_remaining;
    tstate->cframe->current_frame = NULL;
    tstate->recursion_remaining = tstate->recursion_limit;

    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    int failed = _PyRun_AnyFileObject(file, filename, 1, &flags) != 0;  /* closes the file */

    /* (the program may have changed the limit: sys.setrecursionlimit keeps depths) */
    tstate->recursion_remaining = tstate->recursion_limit - launcher_depth;
    tstate->cframe->current_frame = launcher;
    int result = !failed ? ACCEL_RUN_OK
                 : _Py_UnhandledKeyboardInterrupt ? ACCEL_RUN_INTERRUPTED : ACCEL_RUN_FAILED;
    GIL_EXIT();
    return result;
}
