"""The README's library example, run as written: its pasted output is what it prints."""
import contextlib
import io
import re

from conftest import ROOT


def test_the_readme_library_example_prints_what_the_readme_shows(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code, shown = re.search(r"<!-- library-example -->\n```python\n(.*?)```\n\n```text\n(.*?)```", readme, re.S).groups()
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown
