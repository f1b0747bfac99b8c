"""DVC stage `report`: render the Quarto project in reports/ into reports/_site/."""

import sys

from dprep.report.render import render_project


def main() -> int:
    pages = render_project("reports")
    for page in pages:
        print(f"rendered {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
