from differential import compare


def test_float_and_int_loops_run_natively(tmp_path):
    run = compare("""
        def floats(n):
            x = 0.0
            for i in range(n):
                x = x * 0.5 + 1.0
            return x

        def ints(n):
            s = 0
            for i in range(n):
                s = s + i * 3 - 1
            return s

        print(floats(10000), ints(10000))
    """, tmp_path)
    assert run.stats["functions_compiled"] >= 2
    assert run.stats["native_entries"] >= 2
