#!/usr/bin/env python3
"""What the web app's release build (scripts/build-web.sh) makes a browser download, in bytes
raw, gzip -9 and brotli -q 11 (the .gz and .br copies the build wrote, which portal-server
sends): the entry (what any first visit loads before the app runs), each page group's own
files when first opened (from the loader __wasm_split.js), and every file together.

    scripts/bundle-size.py [DIST]          a Markdown table
    scripts/bundle-size.py [DIST] --json   the same figures as JSON
"""

import json
import re
import sys
from pathlib import Path


def sizes(path: Path) -> tuple[int, int, int]:
    """Raw, gzip and brotli size of one file."""
    gz, br = Path(f"{path}.gz"), Path(f"{path}.br")
    if not gz.is_file() or not br.is_file():
        sys.exit(f"bundle-size: {path} has no .gz/.br copy (build with scripts/build-web.sh)")
    return path.stat().st_size, gz.stat().st_size, br.stat().st_size


def total(files: list[Path]) -> tuple[int, int, int]:
    all_sizes = [sizes(f) for f in files]
    return tuple(sum(s[i] for s in all_sizes) for i in range(3))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dist = Path(args[0] if args else "dist")
    index = (dist / "index.html").read_text()
    app_dirs = re.findall(r'"/(app-[0-9a-f]{16})/', index)
    if not app_dirs:
        sys.exit(f"bundle-size: {dist}/index.html names no app-<hash>/ directory")
    app = dist / app_dirs[0]
    # The entry: what index.html links (start.js imports the glue, which imports the loader).
    entry = sorted({app / name for name in re.findall(r'/app-[0-9a-f]{16}/([^"]+)"', index)})
    loader = (app / "__wasm_split.js").read_text()
    chunks = {
        m.group(2): [g.strip() for g in m.group(1).split(",")]
        for m in re.finditer(r"/\* ([^*]+) \*/\nconst __chunk_(\d+)", loader)
    }
    groups = sorted(re.findall(r"export const __wasm_split_load_(\w+) =", loader))
    pages = {
        group: [app / f"split_{group}.wasm"]
        + [app / f"chunk_{n}.wasm" for n, users in chunks.items() if group in users]
        for group in groups
    }
    everything = sorted(
        f for f in app.iterdir() if f.suffix in (".wasm", ".js", ".css")
    )
    report = {
        "entry": {"files": [f.name for f in entry], "bytes": total(entry)},
        "pages": {
            g: {"files": [f.name for f in fs], "bytes": total(fs), "with_entry": total(entry + fs)}
            for g, fs in pages.items()
        },
        "all": {"files": len(everything), "bytes": total(everything)},
    }
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2))
        return
    row = lambda name, b: f"| {name} | {b[0]:,} | {b[1]:,} | {b[2]:,} |"
    print("| what the browser downloads | raw | gzip -9 | brotli -q 11 |")
    print("|---|---:|---:|---:|")
    for f in entry:
        print(row(f"entry: `{f.name}`", sizes(f)))
    print(row("**entry, total** (any first visit)", report["entry"]["bytes"]))
    for g, p in report["pages"].items():
        print(row(f"{g} pages: their own code ({len(p['files'])} files)", p["bytes"]))
        print(row(f"**first visit opening one of the {g} pages** (entry + their code)", p["with_entry"]))
    print(row(f"every file of the build ({len(everything)})", report["all"]["bytes"]))


if __name__ == "__main__":
    main()
