"""A generator whose rounds each run a long float loop between two yields, consumed while a
second thread is busy (it asks for the GIL every switch interval, 5 ms): prints the wall
time of the consumption, and the CPU time of the consuming thread (the generator's own
work, whatever the machine's load does to the GIL hand-overs).  Run it both ways, in turn:

    for i in 1 2 3 4 5; do python benchmarks/generator_thread.py; python -m accel benchmarks/generator_thread.py; done

A loop that went to the interpreter at its first thread switch costs its round the
interpreter's speed; one that goes on natively after the eval breaker (native/deopt.c)
takes about the time it takes without the thread."""
import sys
import threading
import time

def rounds(n, count):
    for r in range(count):
        x = 0.5 + r
        i = 0
        while i < n:
            x = x * 0.999 + 1.5
            i += 1
        yield x

stop = False
def busy():
    k = 0
    while not stop:
        k += 1

def main():
    global stop
    list(rounds(10, 2))
    t = threading.Thread(target=busy)
    t.start()
    t0, c0 = time.perf_counter(), time.thread_time()
    values = list(rounds(1_000_000, 10))
    elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
    stop = True
    t.join()
    print(f"wall {elapsed:.4f} cpu {cpu:.4f} {values[-1]:.6f}")

main()
