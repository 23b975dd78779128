"""`make bench`: run every benchmark module in this folder that has a main()."""

import importlib
import pkgutil
from pathlib import Path


def main():
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name == "run":
            continue
        loaded = importlib.import_module(f"tests.benchmarks.{module.name}")
        if hasattr(loaded, "main"):
            print(f"== {module.name}")
            loaded.main([])


if __name__ == "__main__":
    main()
