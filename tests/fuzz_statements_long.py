"""A long run of the statement-level fuzzer (tests/test_fuzz_statements.py) that goes on after
a divergence: every example runs the body of one of its two tests; each divergence is written
to a file (arguments, then the assertion's text: the program), and a progress line with
accel's counters is printed every 100 examples.  No shrinking: minimize by hand.

    PYTHONPATH=. python tests/fuzz_statements_long.py mixed 5000 20261126 /tmp/fuzz-divergences
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

import test_fuzz_statements as fuzz
from accel.runtime import native

TESTS = {"compiled": fuzz.test_compiled_on_first_call, "mixed": fuzz.test_mixed_mode_profiles_then_deopts}


def main(mode: str, examples: int, fixed_seed: int, out: Path) -> int:
    body = TESTS[mode].hypothesis.inner_test
    out.mkdir(parents=True, exist_ok=True)
    tally = {"examples": 0, "checked": 0, "divergences": 0}
    began = time.time()

    @seed(fixed_seed)
    @settings(max_examples=examples, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(source=fuzz.programs(), first=fuzz.ARGUMENTS, then=fuzz.ARGUMENTS)
    def run(source, first, then):
        tally["examples"] += 1
        if tally["examples"] % 100 == 0:
            counters = native.counters()
            print("progress", tally, "on_stack_replacements", counters["on_stack_replacements"], "exits",
                  counters["exits"], f"{time.time() - began:.0f} s", flush=True)
        try:
            body(None, source, first, then)  # (a rejected program raises hypothesis' own exception)
        except AssertionError as error:
            tally["divergences"] += 1
            path = out / f"{mode}-{fixed_seed}-{tally['divergences']}.txt"
            path.write_text(f"first={first!r}\nthen={then!r}\n{error}\n")
            print("divergence", path, file=sys.stderr, flush=True)
        tally["checked"] += 1

    run()
    print(mode, "seed", fixed_seed, tally, f"{time.time() - began:.0f} s")
    return 1 if tally["divergences"] else 0


if __name__ == "__main__":  # (python puts tests/ on sys.path: this file's directory)
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])))
