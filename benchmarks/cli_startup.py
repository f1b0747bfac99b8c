"""Start-up time of the command line (a benchmark, not a test: it prints, it never asserts).

    python benchmarks/cli_startup.py [--runs 7]

Runs each command in a fresh interpreter ``--runs`` times and prints the median and the range of
the wall-clock times, plus the slowest imports of ``dprep --help`` (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "dprep --help": ["--help"],
    "dprep effect eta2-ci": ["effect", "eta2-ci", "--f", "11.86", "--df1", "1", "--df2", "27", "--json"],
    "dprep bf ttest": ["bf", "ttest", "--t", "-0.93", "--n1", "13", "--n2", "13", "--json"],
}
ENTRY = "import sys; from dprep.cli import app; sys.argv = ['dprep', *sys.argv[1:]]; app()"


def _time(argv: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", ENTRY, *argv], check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    for name, argv in COMMANDS.items():
        times = _time(argv, runs)
        print(f"{name:<24} median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}; "
              f"{runs} runs)")
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c", "from dprep.cli import app"],
                           capture_output=True, text=True).stderr.splitlines()
    rows = [line.split("|") for line in trace if line.startswith("import time:") and "cumulative" not in line]
    top = sorted(rows, key=lambda r: -int(r[1]))[:5]
    print("slowest imports of `dprep --help` (cumulative µs):")
    for _, cumulative, name in top:
        print(f"  {int(cumulative):>9}  {name.rstrip()}")


if __name__ == "__main__":
    main()
