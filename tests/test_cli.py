import importlib
import json
import os
import re
import sqlite3
import sys
import types
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup import Config, Index
from dedup.cli import app
from dedup.read import ARTICLE_EXTENSIONS
from dedup.workers import WorkerError
from conftest import SEEDS

runner = CliRunner()


def test_scan_json_on_the_seeds():
    result = runner.invoke(app, ["scan", str(SEEDS), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["articles"] == 5 and report["skipped"] == []


def test_scan_formats_and_out_file(tmp_path):
    for fmt in ("table", "jsonl", "csv"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(app, ["scan", str(SEEDS), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    rows = (tmp_path / "report.csv").read_text().splitlines()
    assert rows[0].startswith("id,status") and len(rows) == 6  # header + one row per article
    assert all(json.loads(line)["type"] for line in (tmp_path / "report.jsonl").read_text().splitlines())
    for name in ("named.JSON", "named.csv", "named.md", "named.ndjson"):  # no --format: the --out file's extension says, else the table
        assert runner.invoke(app, ["scan", str(SEEDS), "--out", str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "named.csv").read_text().startswith("id,status,cluster")
    assert (tmp_path / "named.md").read_text().startswith("5 articles read")
    assert json.loads((tmp_path / "named.ndjson").read_text().splitlines()[0])["type"] == "summary"
    assert json.loads((tmp_path / "named.JSON").read_text())["summary"]["articles"] == 5


def test_a_source_behind_a_folder_this_user_may_not_enter_is_named_with_the_reason(tmp_path, monkeypatch):
    """Not "no such file", and not a usage error: the file may be there, this user cannot reach it (simulated, as
    the tests may run as root, whom permissions do not stop)."""
    closed = tmp_path / "closed"
    closed.mkdir()
    inside = closed / "a.txt"
    inside.write_text((SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8"), encoding="utf-8")
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fspath(path).startswith(f"{closed}{os.sep}"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    for command in (["scan", str(inside)], ["align", str(inside), str(SEEDS / "001_7bcf6067cad31a24.txt")]):
        result = runner.invoke(app, command)
        assert (result.exit_code, result.stderr) == (1, f"dedup: {inside}: cannot be reached (Permission denied)\n")


def test_scan_errors_are_clear_and_nonzero(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "no such file or folder" in result.stderr
    result = runner.invoke(app, ["scan", str(SEEDS), "--format", "xml"])
    assert result.exit_code == 2 and "unknown format" in result.stderr
    if os.path.isdir("/proc"):  # a folder where no file can be made, though access() says root may: found before the scan
        result = runner.invoke(app, ["scan", str(SEEDS), "--out", "/proc/report.json"])
        assert result.exit_code == 2 and "/proc/report.json: cannot create files in /proc" in result.stderr
    result = runner.invoke(app, ["scan", str(SEEDS), "-f", "JSON"])  # a format in any case
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["articles"] == 5


def test_scan_reports_a_dead_worker_and_exits_nonzero(monkeypatch):
    """How the command line words the error the pool raises (tests/test_workers.py kills a real worker)."""
    def dies(*args, **kwargs):
        raise WorkerError("a dedup worker process died (killed)")

    monkeypatch.setattr(importlib.import_module("dedup.scan"), "scan", dies)
    result = runner.invoke(app, ["scan", str(SEEDS)])
    assert result.exit_code == 1 and result.stderr.startswith("dedup: a dedup worker process died")


def test_index_lifecycle(tmp_path):
    path = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    stats = json.loads(runner.invoke(app, ["index", "stats", str(path), "--format", "json"]).stdout)
    assert stats["articles"] == 5 and stats["build"] is None
    copy = tmp_path / "copy.txt"
    copy.write_text("Breaking\n" + (SEEDS / "002_67ae491904088e5a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    query = json.loads(runner.invoke(app, ["index", "query", str(path), str(copy), "--format", "json"]).stdout)
    assert query[0]["matches"][0]["id"] == "002_67ae491904088e5a.txt"
    assert query[0]["matches"][0]["relation"] == "near-duplicate"
    short = tmp_path / "short.txt"  # (it said "no match", where scan says why)
    short.write_text("Kenya sends 600 more police to Haiti.", encoding="utf-8")
    said = runner.invoke(app, ["index", "query", str(path), str(short)])
    assert said.stdout == "short.txt: no match: too short to compare (7 words)\n"
    piped = runner.invoke(app, ["index", "query", str(path), "-", "--format", "json"], input=copy.read_bytes())  # curl … | query -
    assert piped.exit_code == 0 and json.loads(piped.stdout)[0]["id"] == "-" and json.loads(piped.stdout)[0]["matches"] == query[0]["matches"]
    assert runner.invoke(app, ["index", "query", str(path), "-", "-"], input=b"").exit_code == 2
    assert "reason" not in query[0]
    assert runner.invoke(app, ["index", "add", str(path), str(copy)]).exit_code == 0
    assert runner.invoke(app, ["index", "remove", str(path), "copy.txt"]).exit_code == 0
    assert runner.invoke(app, ["index", "remove", str(path), "copy.txt"]).exit_code == 1
    check = runner.invoke(app, ["index", "check", str(path)])
    assert check.exit_code == 0 and "sound (5 articles)" in check.stdout


def test_index_refuses_a_foreign_file(tmp_path):
    bogus = tmp_path / "bogus.dedup"
    bogus.write_text("not an index")
    result = runner.invoke(app, ["index", "stats", str(bogus)])
    assert result.exit_code == 1 and "not a dedup index" in result.stderr


def test_rebuild_is_atomic_and_resumes(tmp_path, monkeypatch):
    import dedup.cli
    from dedup import Index

    path = tmp_path / "news.dedup"
    runner.invoke(app, ["index", "build", str(SEEDS / "000_9b5600509f698df4.txt"), "--index", str(path)])

    def interrupted(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:  # the new index is complete, the copy over the old one is cut short
        m.setattr(dedup.cli, "replace_file", interrupted)
        assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code != 0
    with Index.open(path) as old:
        assert len(old) == 1  # the old index is untouched while the new one is being built
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0 and "resuming" in result.stderr and "holds 5 articles" in result.stderr
    with Index.open(path) as new:
        assert len(new) == 5
    assert not (tmp_path / "news.dedup.building").exists()


def _seed_folder(folder, keys):
    folder.mkdir(exist_ok=True)
    for f in SEEDS.glob("*.txt"):
        if f.name[:3] in keys:
            (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_rebuild_under_an_open_index_leaves_both_sound(tmp_path):
    """A crawler keeps the index open (with writes not yet folded into the main file) while a rebuild replaces
    it: the crawler goes on with the new index, and the file stays sound (it used to come out malformed)."""
    from dedup import Index

    path = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(_seed_folder(tmp_path / "two", {"000", "001"})), "--index", str(path)]).exit_code == 0
    crawler = Index.open(path)
    crawler.add("extra", "Breaking:\n" + (SEEDS / "002_67ae491904088e5a.txt").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0, result.output
    assert len(crawler) == 5 and "extra" not in crawler
    probe = (SEEDS / "004_16ff02787705d14c.txt").read_text(encoding="utf-8")
    with pytest.warns(UserWarning, match="replaced this index; what this process added or removed before is not in the new one"):
        assert [m.id for m in crawler.check("probe", probe)][0] == "004_16ff02787705d14c.txt"  # ("extra" is lost: said)
    assert crawler.check_integrity() == []
    crawler.add("later", probe)  # written to the new index
    crawler.close()
    with Index.open(path) as ix:
        assert len(ix) == 6 and "later" in ix and ix.check_integrity() == []


def test_rebuild_after_a_killed_writer_leaves_a_sound_index(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "news.dedup"
    runner.invoke(app, ["index", "build", str(_seed_folder(tmp_path / "two", {"000", "001"})), "--index", str(path)])
    killed = subprocess.run([sys.executable, "-c", f"""
import os
from dedup import Index
ix = Index.open({str(path)!r})
ix.add("extra", "Breaking:\\n" + open({str(SEEDS / "002_67ae491904088e5a.txt")!r}, encoding="utf-8").read())
os.kill(os.getpid(), 9)
"""])
    assert killed.returncode == -9 and (tmp_path / "news.dedup-wal").exists()
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    check = runner.invoke(app, ["index", "check", str(path)])
    assert check.exit_code == 0 and "sound (5 articles)" in check.stdout


def test_a_resumed_build_gives_what_the_sources_hold_now(tmp_path):
    """An interrupted build resumes only the same job: other sources start over, and files changed or deleted
    since the interruption are indexed as they are now."""
    from dedup import Index

    path, src = tmp_path / "news.dedup", _seed_folder(tmp_path / "src", {"000", "001", "002", "003"})
    with Index.open(tmp_path / "news.dedup.building") as partial:  # what an interrupted build of src left
        partial.add("stray.txt", "An article another build added. " * 20)
    other = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    assert other.exit_code == 0 and "starting over" in other.stderr
    with Index.open(path) as ix:
        assert len(ix) == 5 and "stray.txt" not in ix
    runner.invoke(app, ["index", "build", str(src), "--index", str(path)])
    with Index.open(path) as ix:
        assert len(ix) == 4
    interrupted = tmp_path / "news.dedup.building"
    import shutil

    shutil.copy(path, interrupted)  # as if a build of src had stopped after indexing everything
    with Index.open(interrupted) as partial:
        partial.store.set_meta("build", Index.open(path).store.get_meta("build"))
    (src / "000_9b5600509f698df4.txt").unlink()
    changed = src / "001_7bcf6067cad31a24.txt"
    changed.write_text("Correction: " + changed.read_text(encoding="utf-8"), encoding="utf-8")
    resumed = runner.invoke(app, ["index", "build", str(src), "--index", str(path)])
    assert resumed.exit_code == 0 and "resuming" in resumed.stderr, resumed.output
    with Index.open(path) as ix:
        assert len(ix) == 3 and "000_9b5600509f698df4.txt" not in ix
        assert ix.text("001_7bcf6067cad31a24.txt")[0].startswith("Correction: ")


def test_align_files_json_and_html(tmp_path):
    a, b = SEEDS / "001_7bcf6067cad31a24.txt", SEEDS / "004_16ff02787705d14c.txt"
    html = tmp_path / "report.html"
    result = runner.invoke(app, ["align", str(a), str(b), "--format", "json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text_a, text_b = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    reworded = [s for s in data["segments"] if s["kind"] == "reworded"]
    assert any("1,900" in text_a[s["a"]["start"] : s["a"]["end"]] and "1,900" in text_b[s["b"]["start"] : s["b"]["end"]] for s in reworded)
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Port-au-Prince" in page


def test_align_two_ids_in_an_index(tmp_path):
    path = tmp_path / "news.dedup"
    runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    result = runner.invoke(app, ["align", "002_67ae491904088e5a.txt", "003_7e9b22f87c9658b0.txt", "--index", str(path)])
    assert result.exit_code == 0 and "reworded" in result.stdout
    missing = runner.invoke(app, ["align", "nope", "003_7e9b22f87c9658b0.txt", "--index", str(path)])
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.stderr and "is a file" not in missing.stderr
    a_file = str(next(SEEDS.glob("001_*.txt")))  # a file where an id is wanted: said, with the command that takes files
    mixed = runner.invoke(app, ["align", a_file, "003_7e9b22f87c9658b0.txt", "--index", str(path)])
    assert mixed.exit_code == 1 and "is a file: with --index, A and B are both ids" in mixed.stderr and "dedup index query" in mixed.stderr


def test_an_output_path_that_cannot_be_written_is_refused_before_the_scan(tmp_path):
    for out, reason in ((tmp_path / "no" / "such" / "r.json", "does not exist"), (tmp_path, "is a folder")):
        result = runner.invoke(app, ["scan", str(SEEDS), "--format", "json", "--out", str(out)])
        assert result.exit_code == 2 and reason in result.stderr and "articles read" not in result.stderr
    html = runner.invoke(app, ["align", str(SEEDS / "000_9b5600509f698df4.txt"), str(SEEDS / "001_7bcf6067cad31a24.txt"), "--html", str(tmp_path / "no" / "r.html")])
    assert html.exit_code == 2 and "does not exist" in html.stderr and "A: " not in html.stdout


def test_a_compressed_file_name_is_refused_rather_than_given_a_plain_report(tmp_path):
    """--out r.json.gz used to write a plain table under that name."""
    out = tmp_path / "r.json.gz"
    result = runner.invoke(app, ["scan", str(SEEDS), "--out", str(out)])
    assert result.exit_code == 2 and f"writes no compressed files; write {tmp_path / 'r.json'} and compress it" in result.stderr
    assert f"pipe the report: dedup scan … --format json | gzip > {out}" in result.stderr and not out.exists()
    table = runner.invoke(app, ["scan", str(SEEDS), "-f", "table", "--out", str(tmp_path / "r.tgz")])
    assert table.exit_code == 2 and "--format table | gzip >" in table.stderr
    zipped = runner.invoke(app, ["scan", str(SEEDS), "--out", str(tmp_path / "r.csv.zip")])
    assert zipped.exit_code == 2 and zipped.stderr.rstrip().endswith(f"write {tmp_path / 'r.csv'} and compress it")  # (zip reads no pipe)
    html = runner.invoke(app, ["align", str(SEEDS / "000_9b5600509f698df4.txt"), str(SEEDS / "001_7bcf6067cad31a24.txt"), "--html", str(tmp_path / "r.html.gz")])
    assert html.exit_code == 2 and html.stderr.rstrip().endswith("and compress it")  # (the HTML view is never written to stdout)


def test_the_report_follows_a_link_and_writes_into_a_pipe(tmp_path):
    """--out replaces a regular file whole, but a link stays a link (its target gets the report) and a named pipe
    stays a pipe (its reader gets the report); both used to be replaced by a plain file."""
    import os
    import stat
    import threading

    target, link = tmp_path / "target.json", tmp_path / "link.json"
    target.write_text("old", encoding="utf-8")
    link.symlink_to(target)
    assert runner.invoke(app, ["scan", str(SEEDS), "--format", "json", "--out", str(link)]).exit_code == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["summary"]["articles"] == 5
    fifo, got = tmp_path / "pipe", []
    os.mkfifo(fifo)
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    assert runner.invoke(app, ["scan", str(SEEDS), "--format", "json", "--out", str(fifo)]).exit_code == 0
    reader.join(30)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and json.loads(got[0])["summary"]["articles"] == 5


def test_a_full_disk_on_standard_output_is_an_error(tmp_path):
    import os
    import subprocess
    import sys

    import pytest

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    index = str(tmp_path / "i.dedup")
    runner.invoke(app, ["index", "build", str(SEEDS), "--index", index])
    a, b = (str(p) for p in sorted(SEEDS.glob("*.txt"))[:2])
    # (stats used to exit 0, having written nothing; check and --version ended in a traceback)
    for args in (["index", "stats", index], ["index", "check", index], ["index", "query", index, a], ["align", a, b], ["scan", str(SEEDS)], ["--version"]):
        with open("/dev/full", "w") as full:
            run = subprocess.run([sys.executable, "-c", "from dedup.cli import app; app()", *args], stdout=full, stderr=subprocess.PIPE, text=True)
        assert run.returncode == 1 and run.stderr == "dedup: cannot write to standard output (No space left on device)\n", (args, run.stderr)


def test_formats_are_checked_by_every_command(tmp_path):
    path = tmp_path / "i.dedup"
    runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    for args in (["index", "query", str(path), str(SEEDS), "--format", "csv"], ["index", "stats", str(path), "-f", "yaml"], ["align", "a", "b", "-f", "html"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "unknown format" in result.stderr


def test_commands_that_only_read_refuse_an_empty_file(tmp_path):
    empty = tmp_path / "empty.dedup"
    empty.touch()
    for args in (["index", "stats", str(empty)], ["index", "check", str(empty)], ["index", "query", str(empty), str(SEEDS)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "an empty file, not a dedup index" in result.stderr
    assert empty.stat().st_size == 0
    assert runner.invoke(app, ["index", "add", str(empty), str(SEEDS)]).exit_code == 0  # adding makes it an index


def test_damaged_band_tables_are_a_warning_on_open_and_a_problem_for_index_check(tmp_path):
    path = tmp_path / "i.dedup"
    runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    db = sqlite3.connect(path)
    near = db.execute("SELECT data FROM parts WHERE name='bands' AND part=1").fetchone()[0]
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=1", (near[8:16] + near[:8] + near[16:],))  # two entries swapped
    db.commit()
    db.close()
    query = runner.invoke(app, ["index", "query", str(path), str(next(SEEDS.glob("003_*.txt")))])
    assert query.exit_code == 0 and "warning:" in query.stderr and "band tables are damaged" in query.stderr and "Warning" not in query.stderr
    assert "003_7e9b22f87c9658b0.txt" in query.stdout
    check = runner.invoke(app, ["index", "check", str(path)])
    assert check.exit_code == 1 and "1 problem found" in check.stderr


def _seeds_index_damaged(tmp_path, update: str) -> Path:
    """An index of the seeds, then one SQL update of its articles table (what a bad disk or a hand edit does)."""
    path = tmp_path / "i.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    with closing(sqlite3.connect(path)) as db:
        db.execute(update)
        db.commit()
    return path


def test_an_index_given_no_source_is_rebuilt_from_its_own_articles(tmp_path):
    """A crawler's index (filled through the library: its articles are in no folder) could not be rebuilt, though
    the index's errors say to rebuild it; now `index build --index INDEX` indexes again what INDEX holds, metadata
    and all, leaves out an article whose text no longer reads (listing it), and passes the check it failed."""
    path = tmp_path / "crawl.dedup"
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    with Index.open(path, Config(num_perm=64, shingle_size=4)) as ix:  # (parameters of its own: the rebuild keeps them)
        for key, text in texts.items():
            ix.add(f"https://example.org/{key}", text, {"source": f"outlet {key}", "crawled": [2024, int(key)]})
    with closing(sqlite3.connect(path)) as db:  # (a bad disk: one article's text, and the counts, no longer what they were)
        db.execute("UPDATE articles SET text = x'00' WHERE id = 'https://example.org/002'")
        db.execute("UPDATE articles SET text = (SELECT text FROM articles WHERE id = 'https://example.org/000') WHERE id = 'https://example.org/001'")
        db.execute("DELETE FROM blobs")
        db.commit()
    assert runner.invoke(app, ["index", "check", str(path)]).exit_code == 1
    rebuilt = runner.invoke(app, ["index", "build", "--index", str(path)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"{path}: article 'https://example.org/002' is damaged" in rebuilt.stderr and f"{path}: 3 articles indexed, 2 skipped" in rebuilt.stderr
    assert f"{path}: article 'https://example.org/001' is damaged (it no longer matches its checksum" in rebuilt.stderr  # (its text reads: another's)
    assert runner.invoke(app, ["index", "check", str(path)]).exit_code == 0
    with Index.open(path) as ix:
        assert ix.ids() == [f"https://example.org/{k}" for k in ("000", "003", "004")]
        assert ix.text("https://example.org/004") == (texts["004"], {"source": "outlet 004", "crawled": [2024, 4]})
        assert (ix.config.num_perm, ix.config.shingle_size) == (64, 4)
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0  # (from sources: kept too)
    with Index.open(path) as ix:
        assert (len(ix), ix.config.num_perm, ix.config.shingle_size) == (5, 64, 4)  # (5 seeds)
    nothing = runner.invoke(app, ["index", "build", "--index", str(tmp_path / "none.dedup")])
    assert nothing.exit_code == 2 and "no SOURCE given, and no index there to rebuild from its own articles" in nothing.stderr


def test_a_damaged_page_costs_a_rebuild_from_its_own_articles_only_the_articles_on_it(tmp_path, shared):
    """One unreadable page of article records made a rebuild given no SOURCE index nothing (the whole table was
    read in one query), and advise removing the only copy; now the rows are read again one at a time where a
    range does not read, and only those on the page are left out, listed."""
    import zlib

    articles = [json.loads(line) for line in (shared / "eval" / "bbc_news" / "bbc_news.jsonl").open(encoding="utf-8")][:150]
    path = tmp_path / "crawl.dedup"
    with Index.open(path) as ix:
        ix.add_many((a["id"], a["text"], {"title": a["title"]}) for a in articles)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    victim = articles[75]
    at = data.find(zlib.compress(victim["text"].encode("utf-8"))[:64]) // page  # the page holding its text
    assert at > 0
    data[at * page : (at + 1) * page] = b"\xab" * page
    path.write_bytes(bytes(data))
    rebuilt = runner.invoke(app, ["index", "build", "--index", str(path)])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    skipped = int(re.search(r"(\d+) skipped", rebuilt.stderr).group(1))
    assert 1 <= skipped <= 5 and "is damaged" in rebuilt.stderr
    assert f"{path}: {150 - skipped:,} articles indexed" in rebuilt.stderr
    assert runner.invoke(app, ["index", "check", str(path)]).exit_code == 0
    with Index.open(path) as ix:
        assert victim["id"] not in ix and ix.text(articles[0]["id"]) == (articles[0]["text"], {"title": articles[0]["title"]})


def test_align_names_a_damaged_indexed_article(tmp_path):
    path = _seeds_index_damaged(tmp_path, "UPDATE articles SET metadata = '{oops' WHERE id = '002_67ae491904088e5a.txt'")
    result = runner.invoke(app, ["align", "002_67ae491904088e5a.txt", "003_7e9b22f87c9658b0.txt", "--index", str(path)])
    assert result.exit_code == 1 and "article '002_67ae491904088e5a.txt' is damaged" in result.stderr
    check = runner.invoke(app, ["index", "check", str(path)])
    assert check.exit_code == 1 and "checksum mismatch" in check.stderr


def test_an_article_whose_terms_are_damaged_blocks_a_query_until_it_is_removed_as_the_error_says(tmp_path):
    path = _seeds_index_damaged(tmp_path, "UPDATE articles SET features = substr(features, 1, 100) WHERE id = '001_7bcf6067cad31a24.txt'")
    probe = str(SEEDS / "000_9b5600509f698df4.txt")
    blocked = runner.invoke(app, ["index", "query", str(path), probe])
    assert blocked.exit_code == 1 and "article '001_7bcf6067cad31a24.txt' is damaged" in blocked.stderr and "`dedup index remove`" in blocked.stderr
    removed = runner.invoke(app, ["index", "remove", str(path), "001_7bcf6067cad31a24.txt"])
    assert removed.exit_code == 0 and "1 removed" in removed.stderr
    assert "warning: " in removed.stderr and "row 2 are damaged" in removed.stderr and "Warning" not in removed.stderr
    query = runner.invoke(app, ["index", "query", str(path), probe])
    assert query.exit_code == 0 and "003_7e9b22f87c9658b0.txt" in query.stdout and "001_7bcf6067cad31a24.txt" not in query.stdout


def test_version_and_counts_in_the_right_number(tmp_path):
    from dedup import __version__

    assert runner.invoke(app, ["--version"]).stdout.strip() == f"dedup {__version__}"
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text((SEEDS / "001_7bcf6067cad31a24.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (one / "b.txt").write_text("Breaking:\n" + (SEEDS / "001_7bcf6067cad31a24.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (one / "c.txt").write_text("Too short.", encoding="utf-8")
    out = runner.invoke(app, ["scan", str(one)]).stdout
    assert out.startswith("3 articles read: 1 story with copies or rewrites (2 articles), 1 unique, 0 links between stories, 0 skipped")
    assert "too short to compare (2 words)" in runner.invoke(app, ["scan", str(one), "--format", "csv"]).stdout


def test_query_shows_an_indexed_article_that_has_the_files_id(tmp_path):
    """`index query` lists every indexed match, the article indexed under the queried file's own id included
    (it used to be hidden, even when it came from another folder)."""
    path, elsewhere = tmp_path / "i.dedup", tmp_path / "elsewhere"
    runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    elsewhere.mkdir()
    name = "003_7e9b22f87c9658b0.txt"
    (elsewhere / name).write_text("Update:\n" + (SEEDS / name).read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["index", "query", str(path), str(elsewhere), "--format", "json"])
    matches = json.loads(result.stdout)[0]["matches"]
    assert matches[0]["id"] == name and matches[0]["relation"] in ("duplicate", "near-duplicate")


def test_an_empty_folder_is_a_warning_not_silence(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0 and f"warning: no files found in {tmp_path}" in result.stderr


def test_a_damaged_index_is_rebuilt_not_refused(tmp_path):
    """An index file cut short (as a crash can leave it) is what a rebuild repairs: it used to be refused as
    'not a dedup index', leaving no command that could fix it."""
    path = tmp_path / "i.dedup"
    big = tmp_path / "big"
    big.mkdir()
    for k in range(40):  # enough pages that cutting the file damages it
        for f in SEEDS.glob("*.txt"):
            (big / f"{k}-{f.name}").write_text(f"Item {k}.\n" + f.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(app, ["index", "build", str(big), "--index", str(path)]).exit_code == 0
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    assert runner.invoke(app, ["index", "check", str(path)]).exit_code == 1
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0 and "damaged" in result.stderr and "the rebuild replaces it" in result.stderr
    check = runner.invoke(app, ["index", "check", str(path)])
    assert check.exit_code == 0 and "sound (5 articles)" in check.stdout


def test_index_add_says_when_it_replaced_articles_with_the_same_id(tmp_path):
    """Two days' folders with the same file names: the second add replaces the first day's articles, and says so."""
    seeds = sorted(SEEDS.glob("*.txt"))
    for day, files in (("d1", seeds[:2]), ("d2", seeds[2:4])):
        (tmp_path / day).mkdir()
        for k, f in enumerate(files):
            (tmp_path / day / f"{k:04d}.txt").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "ix.dedup"
    first = runner.invoke(app, ["index", "add", str(path), str(tmp_path / "d1")])
    assert first.exit_code == 0 and "2 articles added, 0 skipped" in first.stderr and "replacing" not in first.stderr
    second = runner.invoke(app, ["index", "add", str(path), str(tmp_path / "d2")])
    assert second.exit_code == 0 and "2 articles added (2 replacing the article with the same id), 0 skipped" in second.stderr
    assert "common parent folder" in second.stderr
    with Index.open(path) as ix:
        assert len(ix) == 2 and ix.text("0000.txt")[0] == seeds[2].read_text(encoding="utf-8")
    for day, seed in (("d1", seeds[0]), ("d2", seeds[1])):  # JSON records sharing an id: no advice about folders
        (tmp_path / day / "feed.jsonl").write_text(json.dumps({"id": "wire-1", "text": seed.read_text(encoding="utf-8")}) + "\n", encoding="utf-8")
        records = runner.invoke(app, ["index", "add", str(path), str(tmp_path / day / "feed.jsonl")])
    assert "1 replacing the article with the same id" in records.stderr and "common parent folder" not in records.stderr
    assert "a JSON record's id is its \"id\" field" in records.stderr


def test_index_add_says_when_it_added_copies_under_other_ids_or_changed_nothing(tmp_path, monkeypatch):
    """A folder indexed on its own and then added again beside another one: its articles come back under new ids
    (the folder's name first), every one a copy; that was silent. Adding the same file again said "replacing one
    with the same id" and gave advice about files that share names, which did not apply; an edited file is an
    update, not a name clash; syndicated copies under unrelated ids are not the id rule's doing."""
    path = tmp_path / "ix.dedup"
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "x.txt").write_text(next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8") + "\nMore.", encoding="utf-8")
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    again = runner.invoke(app, ["index", "add", str(path), str(SEEDS), str(tmp_path / "more")])
    assert again.exit_code == 0 and "6 articles added, 0 skipped" in again.stderr
    assert f"note: 5 added articles are the same text as an indexed article whose id is the same path under another folder ({SEEDS.name}/000_" in again.stderr
    one = next(SEEDS.glob("002_*.txt"))
    same = runner.invoke(app, ["index", "add", str(path), str(one)])
    assert same.exit_code == 0 and "0 articles added, 1 indexed already as they are (left alone), 0 skipped" in same.stderr and "common parent folder" not in same.stderr
    edited = tmp_path / "more" / "x.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + " Updated.", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "more")  # (the stored path is absolute: another working folder is the same file)
    update = runner.invoke(app, ["index", "add", str(path), str(SEEDS), str(tmp_path / "more")])
    assert "1 article added (1 replacing the article with the same id), 5 indexed already as they are (left alone)" in update.stderr
    assert "common parent folder" not in update.stderr  # (an edit of the same file; the 5 copies are still there and said)
    with Index.open(path) as ix:
        assert ix.text("more/x.txt")[1]["path"] == str(tmp_path / "more" / "x.txt")
        rows = dict(ix.store.db.execute("SELECT id, row FROM articles").fetchall())
    again = runner.invoke(app, ["index", "add", str(path), str(SEEDS), str(tmp_path / "more")])
    assert "0 articles added, 6 indexed already as they are (left alone)" in again.stderr
    with Index.open(path) as ix:  # (they were stored again, each under a new row: a re-run cost as much as the first)
        assert dict(ix.store.db.execute("SELECT id, row FROM articles").fetchall()) == rows and ix.check_integrity() == []
    (tmp_path / "wire").mkdir()  # (the same wire text under an unrelated id: a copy to find, not a naming slip)
    (tmp_path / "wire" / "other.txt").write_text(one.read_text(encoding="utf-8"), encoding="utf-8")
    wire = runner.invoke(app, ["index", "add", str(path), str(tmp_path / "wire")])
    assert wire.exit_code == 0 and "note:" not in wire.stderr


def test_a_report_is_never_written_over_an_article_being_read(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for f in seeds:
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    target = folder / seeds[0].name
    result = runner.invoke(app, ["scan", str(folder), "--out", str(target)])
    assert result.exit_code == 2 and "is one of the articles being read" in result.stderr
    assert target.read_text(encoding="utf-8") == seeds[0].read_text(encoding="utf-8")
    result = runner.invoke(app, ["align", str(seeds[1]), str(target), "--html", str(target)])
    assert result.exit_code == 2 and target.read_text(encoding="utf-8") == seeds[0].read_text(encoding="utf-8")
    assert runner.invoke(app, ["scan", str(folder), "--out", str(tmp_path / "report.txt")]).exit_code == 0  # elsewhere: fine


def test_control_characters_and_undecodable_names_cannot_reach_the_terminal_raw(tmp_path):
    """An id or a text carrying escape sequences is shown escaped; a file name with a byte that is not UTF-8 keeps
    align's JSON valid and its HTML report written."""
    import os

    text = (SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"id": "evil\x1b[31mred\nline", "text": text}) + "\n", encoding="utf-8")
    table = runner.invoke(app, ["scan", str(tmp_path / "feed.jsonl")]).stdout
    assert "\x1b" not in table and "evil\\x1b[31mred\\x0aline (no match)" in table
    bad = os.path.join(os.fsencode(tmp_path), b"bad\xff.txt")
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write("\x1b[2J\x1b]0;pwned\x07 " + text)
    name = os.fsdecode(bad)
    shown = runner.invoke(app, ["align", name, str(SEEDS / "000_9b5600509f698df4.txt")])
    assert shown.exit_code == 0 and "\x1b" not in shown.stdout and "bad\\xff.txt" in shown.stdout
    as_json = runner.invoke(app, ["align", name, str(SEEDS / "000_9b5600509f698df4.txt"), "--format", "json",
                                  "--html", str(tmp_path / "r.html")])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["a"].endswith("bad\\xff.txt")
    assert "bad\\xff.txt" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_align_refuses_a_file_holding_several_articles(tmp_path):
    """A JSON array or a JSONL file of several articles used to be aligned by its first record, silently; a file
    that holds exactly one article is aligned, its unreadable lines reported."""
    text_a, text_b = (SEEDS / "001_7bcf6067cad31a24.txt").read_text(encoding="utf-8"), (SEEDS / "004_16ff02787705d14c.txt").read_text(encoding="utf-8")
    other = str(SEEDS / "000_9b5600509f698df4.txt")
    array, feed = tmp_path / "arr.json", tmp_path / "feed.jsonl"
    array.write_text(json.dumps([{"id": "x", "text": text_a}, {"id": "y", "text": text_b}]), encoding="utf-8")
    feed.write_text("".join(json.dumps({"id": f"n{k}", "text": text_a}) + "\n" for k in range(3)), encoding="utf-8")
    for path, n in ((array, 2), (feed, 3)):
        result = runner.invoke(app, ["align", str(path), other])
        assert result.exit_code == 2 and result.stdout == "", result.output
        assert f"{path}: holds {n} articles" in result.stderr and f"dedup index build {path} --index INDEX" in result.stderr
    assert "dedup align x y --index INDEX" in runner.invoke(app, ["align", other, str(array)]).stderr
    one = tmp_path / "one.json"
    one.write_text(json.dumps([{"id": "x", "text": text_a}]), encoding="utf-8")
    lone = tmp_path / "lone.jsonl"
    lone.write_text(json.dumps({"id": "y", "text": text_b}) + "\n{oops\n", encoding="utf-8")
    result = runner.invoke(app, ["align", str(one), str(lone), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == json.loads(runner.invoke(app, ["align", str(SEEDS / "001_7bcf6067cad31a24.txt"), str(SEEDS / "004_16ff02787705d14c.txt"), "--format", "json"]).stdout)["counts"]
    assert f"skipped {lone}: JSONL line 2: invalid JSON" in result.stderr


def test_align_says_what_is_wrong_with_an_input(tmp_path):
    """A folder, a device or a pipe used to be reported as 'no such file'."""
    import os

    seed = str(SEEDS / "000_9b5600509f698df4.txt")
    fifo, empty, binary = tmp_path / "pipe.txt", tmp_path / "empty.txt", tmp_path / "blob.txt"
    os.mkfifo(fifo)
    empty.touch()
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    cases = [
        (tmp_path, 2, f"{tmp_path}: is a folder, align takes two files"),
        (fifo, 2, f"{fifo}: not a regular file (FIFO), align takes two files"),
        (empty, 1, f"{empty}: empty file"),
        (binary, 1, f"{binary}: binary file (NUL bytes)"),
        (tmp_path / "missing.txt", 1, f"{tmp_path / 'missing.txt'}: no such file"),
    ]
    if os.path.exists("/dev/null"):
        cases.append(("/dev/null", 2, "/dev/null: not a regular file (device), align takes two files"))
    for path, code, message in cases:
        result = runner.invoke(app, ["align", seed, str(path)])
        assert result.exit_code == code and result.stderr.startswith(f"dedup: {message}") and result.stdout == "", (path, result.output)


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_help_states_exit_codes_ids_and_the_align_json_without_python_types():
    commands = [["scan"], ["align"], ["index", "build"], ["index", "add"], ["index", "remove"], ["index", "query"], ["index", "stats"], ["index", "check"]]
    for command in commands:
        text = _help(*command)
        assert "Exit code 0 " in text and "; 1 when " in text, command
        assert not any(noise in text for noise in ("<list[Path]>", "<list[str]>", "<str>", "<path>")), command
    for command in (["scan"], ["index", "build"], ["index", "add"]):
        text = _help(*command)
        assert "An article's id is its path under the folder given" in text and 'a JSON record by its "id"' in text, command
    for command in (["scan"], ["align"]):  # (the extensions read as articles, all of them)
        text = _help(*command)
        assert [ext for ext in ARTICLE_EXTENSIONS if not re.search(rf"(?<![\w.]){re.escape(ext)}(?!\w)", text)] == [], command
    text = _help("align")
    for field in ('"summary"', '"counts"', '"segments"', '"kind"', '"start"', '"end"', '"text"', '"similarity"', '"diff"'):
        assert field in text, field


def test_add_while_another_process_holds_the_lock_fails_with_a_message(tmp_path, monkeypatch):
    """An add that cannot take the index's write lock in time says so (and how many articles went in), not a traceback."""
    import dedup.cli

    path = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    opened = dedup.cli.Index.open
    monkeypatch.setattr(dedup.cli.Index, "open", lambda p, create=True: opened(p, create=create, timeout=0.2))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
    try:
        new = tmp_path / "new.txt"  # (an article indexed already as it is needs no write, and no lock)
        new.write_text((SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8") + "\nUpdated.", encoding="utf-8")
        result = runner.invoke(app, ["index", "add", str(path), str(new)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert str(path) in result.stderr and "lock" in result.stderr and "0 articles added" in result.stderr
    assert "Traceback" not in result.output
    with Index.open(path) as ix:
        assert len(ix) == 5


def test_align_says_when_it_cut_a_huge_article(tmp_path):
    from dedup.config import Config

    huge = tmp_path / "huge.txt"
    huge.write_text("The council met again today and voted on the budget. " * (Config().max_article_chars // 50), encoding="utf-8")
    result = runner.invoke(app, ["align", str(huge), str(SEEDS / "000_9b5600509f698df4.txt"), "--format", "json"])
    assert result.exit_code == 0 and f"warning: {huge}: longer than" in result.stderr
    assert json.loads(result.stdout)["counts"]["only_a"] >= 1


def test_a_file_name_that_is_not_utf8_is_indexed_under_its_shown_name(tmp_path):
    """Its id (and the stored path) show the undecodable bytes as \\xNN, as scan does; the batch it is in is stored
    (it used to make SQLite refuse the whole batch), and the id can be queried and removed."""
    import os

    folder = tmp_path / "odd"
    folder.mkdir()
    seed = next(SEEDS.glob("001_*.txt")).read_bytes()
    (folder / "plain.txt").write_bytes(next(SEEDS.glob("000_*.txt")).read_bytes())
    with open(os.path.join(os.fsencode(folder), b"bad\xff\xfename.txt"), "wb") as fh:
        fh.write(seed)
    index = tmp_path / "odd.dedup"
    added = runner.invoke(app, ["index", "add", str(index), str(folder)])
    assert added.exit_code == 0 and "2 articles added, 0 skipped" in added.stderr
    query = runner.invoke(app, ["index", "query", str(index), str(next(SEEDS.glob("001_*.txt"))), "--format", "json"])
    assert "bad\\xff\\xfename.txt" in json.loads(query.stdout)[0]["matches"][0]["id"]
    # the file's own name (as a shell passes it: the raw bytes) finds it too, in align and remove
    raw = os.fsdecode(b"bad\xff\xfename.txt")
    aligned = runner.invoke(app, ["align", "--index", str(index), raw, "plain.txt"])
    assert aligned.exit_code == 0 and "A: bad\\xff\\xfename.txt" in aligned.stdout
    missing = runner.invoke(app, ["align", "--index", str(index), os.fsdecode(b"bad\xfe.txt"), "plain.txt"])
    assert missing.exit_code == 1 and "no article with id 'bad\\xfe.txt'" in missing.stderr and "\\udc" not in missing.stderr
    removed = runner.invoke(app, ["index", "remove", str(index), raw, "plain.txt"])
    assert removed.exit_code == 0 and "2 removed" in removed.stderr
    runner.invoke(app, ["index", "add", str(index), str(folder)])  # and by its id as reports show it
    removed = runner.invoke(app, ["index", "remove", str(index), "bad\\xff\\xfename.txt"])
    assert removed.exit_code == 0 and "1 removed" in removed.stderr


def test_an_id_with_a_newline_is_found_as_the_terminal_shows_it(tmp_path):
    """A file name with a newline shows as new\\x0aline.txt (so that it cannot forge a line of the report), and
    align --index and index remove refused that form: the id could not be typed back."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "new\nline.txt").write_bytes(next(SEEDS.glob("000_*.txt")).read_bytes())
    (folder / "plain.txt").write_bytes(next(SEEDS.glob("001_*.txt")).read_bytes())
    index = tmp_path / "odd.dedup"
    assert runner.invoke(app, ["index", "add", str(index), str(folder)]).exit_code == 0
    listed = runner.invoke(app, ["index", "query", str(index), str(folder / "plain.txt")])
    assert "new\\x0aline.txt" in listed.stdout and "new\nline" not in listed.stdout
    aligned = runner.invoke(app, ["align", "--index", str(index), "new\\x0aline.txt", "plain.txt"])
    assert aligned.exit_code == 0 and aligned.stdout.startswith("A: new\\x0aline.txt\nB: plain.txt\n")
    removed = runner.invoke(app, ["index", "remove", str(index), "new\\x0aline.txt"])
    assert removed.exit_code == 0 and "1 removed" in removed.stderr
    with Index.open(index) as ix:
        assert ix.ids() == ["plain.txt"]


def test_an_id_that_reorders_the_line_is_shown_escaped_and_found_as_shown(tmp_path):
    """A right-to-left override in a file name ("Trojan Source") printed raw makes the terminal show the rest of the
    line backwards: "report\u202etxt.exe" looks like "reportexe.txt". It is shown as \\u202e, and typed back so."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "report\u202etxt.md").write_bytes(next(SEEDS.glob("000_*.txt")).read_bytes())
    (folder / "plain.txt").write_bytes(next(SEEDS.glob("001_*.txt")).read_bytes())
    table = runner.invoke(app, ["scan", str(folder)]).stdout
    assert "report\\u202etxt.md" in table and "\u202e" not in table
    index = tmp_path / "odd.dedup"
    assert runner.invoke(app, ["index", "add", str(index), str(folder)]).exit_code == 0
    aligned = runner.invoke(app, ["align", "--index", str(index), "report\\u202etxt.md", "plain.txt"])
    assert aligned.exit_code == 0 and aligned.stdout.startswith("A: report\\u202etxt.md\nB: plain.txt\n")


def test_an_index_of_the_previous_version_is_rebuilt_from_its_own_articles(tmp_path):
    """A crawler's index holds the only copy of its articles: after an upgrade that changes what is stored of them
    (a new format version), `dedup index build --index X` with no SOURCE reads the articles of the version before
    and indexes them again, metadata kept; older versions are still sent to their sources, newer ones refused."""
    from dedup.store import ARTICLES_SINCE, VERSION

    path = tmp_path / "crawl.dedup"
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    with Index.open(path) as ix:
        for n, (name, text) in enumerate(texts.items()):
            ix.add(f"https://example.com/{n}", text, {"title": name})

    def stamp(version: int) -> None:
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE meta SET value=? WHERE key='version'", (str(version),))

    stamp(ARTICLES_SINCE - 1)
    refused = runner.invoke(app, ["index", "build", "--index", str(path)])
    assert refused.exit_code == 1 and "rebuild it from its sources with `dedup index build SOURCE…" in refused.stderr
    stamp(VERSION - 1)
    said = runner.invoke(app, ["index", "stats", str(path)])
    assert said.exit_code == 1 and f"rebuild it from its own articles with `dedup index build --index {path}`" in said.stderr
    rebuilt = runner.invoke(app, ["index", "build", "--index", str(path)])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    with Index.open(path) as ix:
        assert len(ix) == 5 and ix.text("https://example.com/2") == (texts["002_67ae491904088e5a.txt"], {"title": "002_67ae491904088e5a.txt"})
        assert ix.check_integrity() == []
    stamp(VERSION + 1)
    newer = runner.invoke(app, ["index", "build", "--index", str(path)])
    assert newer.exit_code == 1 and "a newer dedup wrote it" in newer.stderr


def test_an_index_damaged_anywhere_gets_a_message_not_a_traceback_and_build_repairs_it(tmp_path):
    """Every third page of a seeds index overwritten in turn: each command either works or says the file is
    damaged (exit 1, one line naming it); `dedup index build` then replaces it with a sound index."""
    good = tmp_path / "good.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(good)]).exit_code == 0
    pages = good.stat().st_size // 4096
    probe = str(next(SEEDS.glob("000_*.txt")))
    for page in range(1, pages, 3):
        bad = tmp_path / f"p{page}.dedup"
        data = bytearray(good.read_bytes())
        data[page * 4096 + 100 : page * 4096 + 400] = b"\xff" * 300
        bad.write_bytes(bytes(data))
        for args in (["index", "check", str(bad)], ["index", "query", str(bad), probe], ["index", "stats", str(bad)]):
            result = runner.invoke(app, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (page, args, result.exception)
            assert result.exit_code in (0, 1) and (result.exit_code == 0 or f"dedup: {bad}" in result.stderr), (page, args)
        if runner.invoke(app, ["index", "check", str(bad)]).exit_code:
            rebuilt = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(bad)])
            assert rebuilt.exit_code == 0 and runner.invoke(app, ["index", "check", str(bad)]).exit_code == 0, page


def test_a_second_build_of_an_index_is_refused_while_one_runs_and_an_empty_build_replaces_nothing(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    import os

    index = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0
    lock = os.open(tmp_path / "news.dedup.building.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # what a running build holds
        second = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)])
        assert second.exit_code == 1 and "another `dedup index build` of it is running" in second.stderr
        (tmp_path / "link.dedup").symlink_to(index)  # (the lock was named after the path given: both builds ran)
        linked = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "link.dedup")])
        assert linked.exit_code == 1 and "another `dedup index build` of it is running" in linked.stderr
    finally:
        os.close(lock)
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, ["index", "build", str(empty), "--index", str(index)])
    assert nothing.exit_code == 1 and "the index (5 articles) was left as it was" in nothing.stderr
    assert not (tmp_path / "news.dedup.building").exists()  # (its empty new index is not left behind)
    assert json.loads(runner.invoke(app, ["index", "stats", str(index), "--format", "json"]).stdout)["articles"] == 5
    assert runner.invoke(app, ["index", "build", str(empty), "--index", str(tmp_path / "new.dedup")]).exit_code == 0  # (nothing to keep)


def test_a_build_deletes_its_lock_file_and_one_that_locked_a_deleted_lock_file_takes_the_new_one(tmp_path, monkeypatch):
    """INDEX.building.lock is not left beside the index; a build that opened the lock file just before the build
    holding it finished (and deleted it) must not run unguarded on the deleted file."""
    fcntl = pytest.importorskip("fcntl")
    from dedup import cli

    index = tmp_path / "news.dedup"
    lock = tmp_path / "news.dedup.building.lock"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0
    assert index.exists() and not lock.exists()
    flock, raced = fcntl.flock, []

    def finished_meanwhile(fd, op):  # the first lock is taken after the other build deleted the file
        if not raced:
            raced.append(fd)
            lock.unlink()
        return flock(fd, op)

    monkeypatch.setattr(fcntl, "flock", finished_meanwhile)
    with cli._build_lock(index, tmp_path / "news.dedup.building"):
        assert raced and lock.exists()  # a new lock file, and it is held
        other = os.open(lock, os.O_RDWR)
        try:
            with pytest.raises(OSError):
                flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    assert not lock.exists()


def test_stats_and_check_mention_a_build_that_did_not_finish(tmp_path):
    """A killed build leaves INDEX.building (often hundreds of MB); stats and check say so, and how to resume or
    give it up, but not while the build still runs."""
    fcntl = pytest.importorskip("fcntl")
    index = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0
    for command in ("stats", "check"):
        assert "did not finish" not in runner.invoke(app, ["index", command, str(index)]).stderr
    building = tmp_path / "news.dedup.building"
    building.write_bytes(index.read_bytes())  # (what a build killed before its end leaves)
    for command in ("stats", "check"):
        result = runner.invoke(app, ["index", command, str(index)])
        assert result.exit_code == 0 and f"note: {building}" in result.stderr and "did not finish: running the same command again resumes it" in result.stderr
    fd = os.open(tmp_path / "news.dedup.building.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # (a build that is running)
        assert "did not finish" not in runner.invoke(app, ["index", "stats", str(index)]).stderr
    finally:
        os.close(fd)


def test_out_replaces_the_report_alone_keeps_its_permissions_and_writes_to_devices(tmp_path):
    import os
    import subprocess
    import sys

    report = tmp_path / "rep.txt"
    report.write_text("old report")
    report.chmod(0o640)
    (tmp_path / "rep.txt.tmp").write_text("precious")  # the name the report used to be written through
    result = runner.invoke(app, ["scan", str(SEEDS), "--out", str(report)])
    assert result.exit_code == 0 and "5 articles read" in report.read_text()
    assert (tmp_path / "rep.txt.tmp").read_text() == "precious" and (report.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep.txt", "rep.txt.tmp"]  # no temporary file left
    piped = subprocess.run([sys.executable, "-c", "from dedup.cli import app; app()", "scan", str(SEEDS), "--format", "csv", "--out", "/dev/stdout"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SEEDS.parents[1])})
    assert piped.returncode == 0 and piped.stdout.startswith("id,status,cluster"), piped.stderr
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    loop = runner.invoke(app, ["scan", str(SEEDS), "--out", str(tmp_path / "a")])
    assert loop.exit_code == 2 and "cannot write" in loop.stderr and "symbolic links" in loop.stderr


def test_an_index_in_a_missing_folder_is_not_called_a_foreign_file(tmp_path):
    result = runner.invoke(app, ["index", "add", str(tmp_path / "nowhere" / "x.dedup"), str(SEEDS)])
    assert result.exit_code == 1 and f"folder {tmp_path / 'nowhere'} does not exist" in result.stderr
    assert "not a dedup index" not in result.stderr


def test_a_scan_stopped_by_sigterm_says_so_and_leaves_no_temporary_files(tmp_path):
    """`timeout` and schedulers send SIGTERM: the scan's spool of texts and features stayed in TMPDIR (on a large
    corpus, gigabytes), and it exited without a word."""
    import signal
    import subprocess
    import sys
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for k in range(3000):
        (corpus / f"{k:05d}.txt").write_text(f"Copy {k}.\n" + seeds[k % 5], encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    scan = subprocess.Popen([sys.executable, "-c", "from dedup.cli import app; app()", "scan", str(corpus), "--workers", "1"],
                            env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(temp.glob("dedup-scan-*")) and time.monotonic() < deadline and scan.poll() is None:
        time.sleep(0.01)
    assert list(temp.glob("dedup-scan-*")), "the scan never started"
    scan.send_signal(signal.SIGTERM)
    out, err = scan.communicate(timeout=120)
    assert scan.returncode == 130 and "interrupted: the scan stopped before its report" in err and out == ""
    assert list(temp.iterdir()) == []


def test_an_interrupted_add_says_how_far_it_got(tmp_path, monkeypatch):
    cli = importlib.import_module("dedup.cli")
    real = cli.Sources

    class Interrupted(real):
        def __iter__(self):
            yield from super().__iter__()
            raise KeyboardInterrupt  # Ctrl-C while the last files are read

    monkeypatch.setattr(cli, "Sources", Interrupted)
    result = runner.invoke(app, ["index", "add", str(tmp_path / "i.dedup"), str(SEEDS)])
    assert result.exit_code == 130 and "interrupted: 0 articles added, the rest not" in result.stderr
    build = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "b.dedup")])  # a build adds to its copy
    assert build.exit_code == 130 and f"indexed into {tmp_path / 'b.dedup.building'}, the rest not; {tmp_path / 'b.dedup'} is not created yet" in build.stderr
    monkeypatch.setattr(cli, "Sources", real)
    assert runner.invoke(app, ["index", "add", str(tmp_path / "i.dedup"), str(SEEDS)]).exit_code == 0
    monkeypatch.setattr(cli, "Sources", Interrupted)
    rebuild = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "i.dedup")])
    assert rebuild.exit_code == 130 and f"{tmp_path / 'i.dedup'} is as it was" in rebuild.stderr


def test_an_interrupted_add_says_how_many_it_replaced(tmp_path, monkeypatch):
    """An add interrupted after its first batch said "1,000 articles added" of 1,000 that replaced indexed records."""
    from dedup.index import Index

    feed, index = tmp_path / "feed.jsonl", str(tmp_path / "i.dedup")
    write = lambda word: feed.write_text("".join(json.dumps({"id": f"r{i}", "text": f"Record {i} says {word}."}) + "\n" for i in range(1001)), encoding="utf-8")  # noqa: E731
    write("hello")
    assert runner.invoke(app, ["index", "add", index, str(feed)]).exit_code == 0
    write("goodbye")
    real, calls = Index.add_many, []

    def second_batch_interrupted(self, articles, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, articles, *args, **kwargs)

    monkeypatch.setattr(Index, "add_many", second_batch_interrupted)
    result = runner.invoke(app, ["index", "add", index, str(feed)])
    assert result.exit_code == 130
    assert "interrupted: 1,000 articles added (1,000 of them replacing the article with the same id), the rest not" in result.stderr


def test_an_interrupt_after_a_batch_was_stored_counts_it(tmp_path, monkeypatch):
    """Ctrl-C landing after add_many committed its batch, before it returned: the batch is in the index, and an
    add or a build says so (it said one batch fewer than the index held; a resumed build then found them)."""
    from dedup.index import Index

    real = Index._refresh

    def stored_then_interrupted(self, *args, **kwargs):  # (what _add_chunk does once store.put has committed)
        real(self, *args, **kwargs)
        if kwargs.get("own"):
            raise KeyboardInterrupt

    monkeypatch.setattr(Index, "_refresh", stored_then_interrupted)
    added = runner.invoke(app, ["index", "add", str(tmp_path / "i.dedup"), str(SEEDS)])
    build = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "b.dedup")])
    monkeypatch.setattr(Index, "_refresh", real)
    assert added.exit_code == 130 and "interrupted: 5 articles added, the rest not" in added.stderr
    assert build.exit_code == 130 and f"interrupted: 5 articles indexed into {tmp_path / 'b.dedup.building'}" in build.stderr
    for path in (tmp_path / "i.dedup", tmp_path / "b.dedup.building"):
        with Index.open(path, create=False) as ix:
            assert len(ix) == 5


def test_an_interruption_after_the_articles_are_stored_says_what_was_kept(tmp_path, monkeypatch):
    """Ctrl-C while an add saved its tables, or while a build finished or replaced the index, exited 130 with an
    empty line; an interruption anywhere else is named too."""
    cli = importlib.import_module("dedup.cli")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(Index, "close", interrupt)
        added = runner.invoke(app, ["index", "add", str(tmp_path / "i.dedup"), str(SEEDS)])
    assert added.exit_code == 130 and "interrupted while saving: 5 articles added (the index is sound" in added.stderr
    assert runner.invoke(app, ["index", "check", str(tmp_path / "i.dedup")]).stdout.endswith("sound (5 articles)\n")
    old = tmp_path / "old.dedup"
    assert runner.invoke(app, ["index", "build", str(next(SEEDS.glob("000_*.txt"))), "--index", str(old)]).exit_code == 0
    with monkeypatch.context() as m:
        m.setattr(cli, "replace_file", interrupt)
        build = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(old)])
    assert build.exit_code == 130 and f"interrupted while replacing {old}: it is the old index or the new one, whole" in build.stderr
    with Index.open(old) as ix:
        assert len(ix) == 1
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(old)]).stderr.startswith(f"resuming: {old}.building already holds 5")
    with monkeypatch.context() as m:
        m.setattr(Index, "stats", interrupt)
        stats = runner.invoke(app, ["index", "stats", str(old)])
    assert stats.exit_code == 130 and stats.stderr == "dedup: interrupted: `dedup index stats` stopped before it finished\n"


def test_warnings_reach_the_jsonl_report_too(tmp_path):
    feed = tmp_path / "feed.jsonl"
    seed = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    feed.write_text(json.dumps({"id": "dated", "text": seed, "published": "last Tuesday"}) + "\n", encoding="utf-8")
    rows = [json.loads(line) for line in runner.invoke(app, ["scan", str(feed), "--format", "jsonl"]).stdout.splitlines()]
    warnings = [row["message"] for row in rows if row["type"] == "warning"]
    assert len(warnings) == 1 and "last Tuesday" in warnings[0]
    added = runner.invoke(app, ["index", "add", str(tmp_path / "i.dedup"), str(feed)])  # (an add said nothing of it)
    assert added.exit_code == 0 and f"warning: {warnings[0]}" in added.stderr


def test_a_source_that_is_a_link_loop_is_said_to_be_one(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = runner.invoke(app, ["scan", str(tmp_path / "a")])
    assert result.exit_code == 1 and "a symbolic link that leads nowhere" in result.stderr


def test_a_skipped_file_or_a_warning_whose_name_is_not_utf8_is_shown_escaped_in_every_report(tmp_path):
    """Ids showed undecodable bytes of file names as \\xNN, but skipped paths and warnings carried them raw: every
    report with --out failed with a traceback (UnicodeEncodeError) and the JSON on stdout was not valid UTF-8."""
    import os

    folder = tmp_path / "odd"
    folder.mkdir()
    folder_bytes = os.fsencode(folder)
    with open(os.path.join(folder_bytes, b"skip\xffme.csv"), "wb") as fh:
        fh.write(b"a,b\n")
    seed = next(SEEDS.glob("000_*.txt")).read_bytes()
    with open(os.path.join(folder_bytes, b"stray\xfe.txt"), "wb") as fh:
        fh.write(seed[:1500] + b"\xff" + seed[1500:])  # one byte not UTF-8: a warning naming the file
    for fmt in ("json", "jsonl", "csv", "table"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(app, ["scan", str(folder), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        report = out.read_text(encoding="utf-8")  # (valid UTF-8)
        if fmt in ("json", "jsonl"):  # (their strings escape the backslash)
            rows = [json.loads(report)] if fmt == "json" else [json.loads(line) for line in report.splitlines()]
            report = "\n".join(json.dumps(row, ensure_ascii=False).replace("\\\\", "\\") for row in rows)
            assert "stray\\xfe.txt: 1 byte not UTF-8" in report
        assert "skip\\xffme.csv" in report and "\udcff" not in report
        if fmt == "table":  # (a report saved as a table keeps its warnings, as the JSON does)
            assert "Warnings:\n" in report and "stray\\xfe.txt: 1 byte not UTF-8" in report
    shown = runner.invoke(app, ["scan", str(folder), "--format", "json"])
    assert json.loads(shown.stdout)["skipped"][0]["path"].endswith("skip\\xffme.csv")
    assert "stray\\xfe.txt: 1 byte not UTF-8, read as U+FFFD" in shown.stderr


def test_index_query_shows_control_characters_in_ids_as_codes(tmp_path):
    """scan and align showed an id's escape sequences as \\x1b; index query wrote them raw to the terminal (a
    record's id could retitle the window or clear the screen)."""
    seed = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "\x1b]0;pwned\x07\x1b[2Jclear", "text": seed}) + "\n", encoding="utf-8")
    index = tmp_path / "q.dedup"
    assert runner.invoke(app, ["index", "add", str(index), str(feed)]).exit_code == 0
    probe = tmp_path / "probe.txt"
    probe.write_text(seed, encoding="utf-8")
    shown = runner.invoke(app, ["index", "query", str(index), str(probe)])
    assert shown.exit_code == 0 and "\\x1b]0;pwned\\x07\\x1b[2Jclear" in shown.stdout and "\x1b" not in shown.stdout


def test_an_empty_argument_is_refused_before_any_work(tmp_path, monkeypatch):
    """`dedup scan ''` (an unset variable in a script) scanned the current folder; `index remove INDEX ID ''`
    removed ID and then failed with a traceback; `align --index INDEX '' B` gave a traceback."""
    index = tmp_path / "e.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0
    first = Index.open(index).ids()[0]
    monkeypatch.chdir(SEEDS)  # (what '' used to scan)
    for args in (["scan", ""], ["index", "remove", str(index), first, ""], ["align", "--index", str(index), "", first],
                 ["index", "add", str(index), ""], ["index", "query", str(index), ""], ["scan", str(SEEDS), "--out="],
                 ["index", "build", str(SEEDS), "--index="]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "an empty argument ('' or --option=)" in result.stderr and not result.stdout, args
    with Index.open(index) as ix:
        assert first in ix and len(ix) == 5
    short = runner.invoke(app, ["scan", str(SEEDS), "-o=report.csv"])  # (click would write "=report.csv")
    assert short.exit_code == 2 and "-o report.csv" in short.stderr and not (SEEDS / "=report.csv").exists()
    after = runner.invoke(app, ["index", "remove", str(index), "--", "--kept="])  # (after --, a value as it is)
    assert after.exit_code == 1 and "no article with id '--kept='" in after.stderr


def test_the_library_scan_takes_an_empty_path_as_not_found_and_a_bytes_path_as_one_path(tmp_path):
    from dedup import scan

    nothing = scan("")
    assert not nothing.articles and [(s.path, s.reason) for s in nothing.skipped] == [("", "not found (empty path)")]
    assert len(scan(os.fsencode(SEEDS)).articles) == 5  # (bytes used to be taken as a sequence of numbers)


def test_a_cut_short_index_is_called_damaged_by_every_command(tmp_path):
    """A truncated index file (a copy cut short) was "not a dedup index (database disk image is malformed)" for
    query and check, while build called it damaged and repaired it."""
    index = tmp_path / "cut.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0
    data = index.read_bytes()
    index.write_bytes(data[: len(data) // 2])
    for args in (["index", "query", str(index), str(SEEDS)], ["index", "check", str(index)], ["index", "stats", str(index)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "damaged" in result.stderr and "not a dedup index" not in result.stderr, (args, result.stderr)
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(index)]).exit_code == 0


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(tmp_path):
    import csv

    seeds = sorted(SEEDS.glob("*.txt"))
    records = [{"id": "=HYPERLINK(\"http://x\",\"click\")", "text": seeds[0].read_text(encoding="utf-8")},
               {"id": "+SUM(1)", "text": seeds[0].read_text(encoding="utf-8")}, {"id": "plain", "text": seeds[1].read_text(encoding="utf-8")},
               {"id": "'quoted", "text": seeds[2].read_text(encoding="utf-8")}]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = runner.invoke(app, ["scan", str(feed), "--format", "csv"])
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert result.exit_code == 0 and {r["id"] for r in rows} == {"'=HYPERLINK(\"http://x\",\"click\")", "'+SUM(1)", "plain", "''quoted"}
    assert {r["id"][1:] if r["id"].startswith("'") else r["id"] for r in rows} == {r["id"] for r in records}  # (one apostrophe off: the ids)
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_a_path_given_on_the_command_line_is_shown_escaped_in_error_messages(tmp_path):
    """A missing path holding an escape sequence or bytes that are not UTF-8 was echoed raw (the terminal ran the
    sequence; the bytes showed as \\udcXX)."""
    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9\x1b[2J.txt"))
    for args in (["scan", missing], ["align", missing, missing], ["index", "add", str(tmp_path / "i.dedup"), missing]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "caf\\xe9\\x1b[2J.txt" in result.stderr and "\x1b" not in result.stderr, (args, result.stderr)


def test_align_reads_an_article_from_standard_input(tmp_path):
    """`curl … | dedup align - B`: standard input is read as a file's bytes are, an HTML page when it starts like
    one. (A named pipe stays refused, pointing to -: with no writer, opening it would wait for ever.)"""
    a = next(SEEDS.glob("002_*.txt"))
    text = a.read_text(encoding="utf-8")
    from_file = json.loads(runner.invoke(app, ["align", str(a), str(a), "--format", "json"]).stdout)
    piped = runner.invoke(app, ["align", "-", str(a), "--format", "json"], input=text.encode("utf-8"))
    assert piped.exit_code == 0 and json.loads(piped.stdout)["counts"] == from_file["counts"]
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body><p>{text}</p></body></html>".encode("cp1252", "replace")
    as_page = runner.invoke(app, ["align", "-", str(a), "--format", "json"], input=page)
    assert as_page.exit_code == 0 and "<p>" not in json.loads(as_page.stdout)["segments"][0]["a"]["text"]
    empty = runner.invoke(app, ["align", "-", str(a)], input=b"")
    assert empty.exit_code == 1 and "standard input: empty file" in empty.stderr
    twice = runner.invoke(app, ["align", "-", "-"], input=text.encode("utf-8"))  # (it said "empty file": read once)
    assert twice.exit_code == 2 and "not both" in twice.stderr


def test_json_piped_in_is_read_as_records_as_a_json_file_is(tmp_path):
    """`curl api | dedup index query X -`: a JSON document or JSON Lines on standard input are records, each under
    its own id, with the matches its file gives (it was indexed as one article whose text was the JSON); a text
    that begins with a bracket stays a text."""
    path = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    texts = [f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt"))[:2]]
    lines = tmp_path / "two.jsonl"
    lines.write_text("".join(json.dumps({"id": f"new-{i}", "text": "Breaking\n" + t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    from_file = json.loads(runner.invoke(app, ["index", "query", str(path), str(lines), "--format", "json"]).stdout)
    piped = json.loads(runner.invoke(app, ["index", "query", str(path), "-", "--format", "json"], input=lines.read_bytes()).stdout)
    assert [r["id"] for r in piped] == ["new-0", "new-1"] and [r["matches"] for r in piped] == [r["matches"] for r in from_file]
    assert piped[0]["matches"][0]["relation"] == "near-duplicate"
    one = json.dumps({"id": "new-0", "text": "Breaking\n" + texts[0], "url": "https://example.com/a"}).encode("utf-8")
    single = json.loads(runner.invoke(app, ["index", "query", str(path), "-", "--format", "json"], input=one).stdout)
    assert [r["id"] for r in single] == ["new-0"] and single[0]["matches"] == from_file[0]["matches"]
    not_text = json.loads(runner.invoke(app, ["index", "query", str(path), "-", "--format", "json"], input=b'{"title": "no text"}').stdout)
    assert not_text[0]["skipped"] == "JSON: missing 'text'"
    bracketed = ("[Updated] " + texts[0]).encode("utf-8")
    as_text = json.loads(runner.invoke(app, ["index", "query", str(path), "-", "--format", "json"], input=bracketed).stdout)
    assert as_text[0]["id"] == "-" and as_text[0]["matches"][0]["relation"] == "near-duplicate"
    aligned = runner.invoke(app, ["align", "-", str(sorted(SEEDS.glob("*.txt"))[0]), "--format", "json"], input=one)
    assert aligned.exit_code == 0 and "{" not in json.loads(aligned.stdout)["segments"][0]["a"]["text"]
    several = runner.invoke(app, ["align", "-", str(sorted(SEEDS.glob("*.txt"))[0])], input=lines.read_bytes())
    assert several.exit_code == 2 and "standard input: holds 2 articles" in several.stderr and "FILE.jsonl" in several.stderr


def test_align_reads_a_file_without_an_article_extension_as_standard_input_is_read(tmp_path):
    """`curl -o story URL` saves a page without an extension: align said "unsupported file type (no extension)"
    of a file it read when piped. (A scan still skips such files: a folder holds other things than articles.)"""
    a = next(SEEDS.glob("002_*.txt"))
    text = a.read_text(encoding="utf-8")
    (tmp_path / "story").write_text(text, encoding="utf-8")
    (tmp_path / "page.php").write_text(f"<!DOCTYPE html><html><body><nav>Home | World</nav><p>{text}</p></body></html>", encoding="utf-8")
    (tmp_path / "image").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    from_file = json.loads(runner.invoke(app, ["align", str(a), str(a), "--format", "json"]).stdout)
    for name in ("story", "page.php"):
        result = runner.invoke(app, ["align", str(tmp_path / name), str(a), "--format", "json"])
        assert result.exit_code == 0 and json.loads(result.stdout)["counts"] == from_file["counts"], result.output
    result = runner.invoke(app, ["align", str(tmp_path / "image"), str(a)])
    assert result.exit_code == 1 and result.stderr.startswith(f"dedup: {tmp_path / 'image'}: binary file")


def test_sources_and_index_paths_that_cannot_work_are_named_for_what_they_are(tmp_path):
    """`-` given to a command that reads folders said "no such file or folder"; a build into a missing folder said
    it could not create its lock file; a build onto another program's database said "(no such table: meta)"."""
    for args in (["scan", "-"], ["index", "add", str(tmp_path / "x.dedup"), "-"], ["index", "build", "-", "--index", str(tmp_path / "x.dedup")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "not standard input" in result.stderr, args
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "missing" / "x.dedup")])
    assert result.exit_code == 1 and f"folder {tmp_path / 'missing'} does not exist" in result.stderr
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    before = other.read_bytes()
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(other)])
    assert result.exit_code == 1 and "an SQLite database, but not a dedup index; not replacing it" in result.stderr
    assert other.read_bytes() == before


def test_ctrl_c_inside_a_compiled_kernel_is_an_interrupt_in_the_library_and_exits_130(tmp_path, monkeypatch):
    """numba can return from a kernel with the interrupt pending, which Python raises as a SystemError caused by the
    KeyboardInterrupt (seen on `index add` and `index query`): Index.check raises KeyboardInterrupt, and the commands
    say they were interrupted and exit 130; any other SystemError still propagates."""
    compiled = pytest.importorskip("dedup._compiled", reason="numba is not installed: no compiled kernels")
    from dedup import accel

    path = tmp_path / "i.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    new = tmp_path / "new.txt"
    new.write_text((SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8") + "\nUpdated.", encoding="utf-8")

    def kernels(cause):
        def figures(*args):
            raise SystemError("CPUDispatcher(<function check_figures>) returned a result with an exception set") from cause
        return lambda: accel.Interruptible(types.SimpleNamespace(**{**vars(compiled), "check_figures": figures}))

    unpickling = SystemError("<built-in function _numba_unpickle> returned a result with an exception set")
    unpickling.__cause__ = KeyboardInterrupt()  # (the chain can be several SystemErrors deep)
    monkeypatch.setattr(accel, "kernels", kernels(unpickling))
    with Index.open(path) as index, pytest.raises(KeyboardInterrupt):
        index.check("new", new.read_text(encoding="utf-8"))
    monkeypatch.setattr(accel, "kernels", kernels(KeyboardInterrupt()))
    added = runner.invoke(app, ["index", "add", str(path), str(new)])
    assert added.exit_code == 130 and "interrupted: 0 articles added, the rest not" in added.stderr and "Traceback" not in added.output
    queried = runner.invoke(app, ["index", "query", str(path), str(new)])
    assert queried.exit_code == 130 and "interrupted: `dedup index query` stopped before it finished" in queried.stderr
    monkeypatch.setattr(accel, "kernels", kernels(ValueError("a real fault")))
    assert isinstance(runner.invoke(app, ["index", "query", str(path), str(new)]).exception, SystemError)  # (not hidden)


def test_an_add_or_remove_while_a_build_of_the_index_runs_warns_that_the_build_will_undo_it(tmp_path):
    """A build replaces the index with what it read: an add made meanwhile is stored, then lost, and a removal undone,
    so add and remove say so (remove did not: helper-43's walk)."""
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "news.dedup"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 0
    new = tmp_path / "new.txt"
    new.write_text((SEEDS / "000_9b5600509f698df4.txt").read_text(encoding="utf-8") + "\nUpdated.", encoding="utf-8")
    quiet = runner.invoke(app, ["index", "add", str(path), str(new)])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    fd = os.open(tmp_path / "news.dedup.building.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # (what a running build holds)
        (tmp_path / "other.txt").write_text((SEEDS / "001_7bcf6067cad31a24.txt").read_text(encoding="utf-8"), encoding="utf-8")
        added = runner.invoke(app, ["index", "add", str(path), str(tmp_path / "other.txt")])
        removed = runner.invoke(app, ["index", "remove", str(path), "000_9b5600509f698df4.txt"])
    finally:
        os.close(fd)
    assert added.exit_code == 0 and f"warning: a `dedup index build` of {path} is running" in added.stderr
    assert removed.exit_code == 0 and f"warning: a `dedup index build` of {path} is running" in removed.stderr  # (it brings the article back)


def test_an_index_whose_first_build_did_not_finish_is_named_so(tmp_path, monkeypatch):
    """Before its first build ends an index does not exist: stats, check, query and remove said only "no such index",
    though the build's file was there to resume (helper-43's walk); while the build runs, they say it runs."""
    fcntl = pytest.importorskip("fcntl")
    cli = importlib.import_module("dedup.cli")
    path = tmp_path / "news.dedup"
    real = cli.Sources

    class Interrupted(real):
        def __iter__(self):
            yield from super().__iter__()
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "Sources", Interrupted)
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(path)]).exit_code == 130
    commands = [["stats", str(path)], ["check", str(path)], ["query", str(path), str(SEEDS)], ["remove", str(path), "x"]]
    for command in commands:
        result = runner.invoke(app, ["index", *command])
        assert result.exit_code == 1 and f"{path}: no such index: {path}.building holds a `dedup index build` of it that did not finish" in result.stderr
    fd = os.open(tmp_path / "news.dedup.building.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # (what a running build holds)
        running = runner.invoke(app, ["index", "stats", str(path)])
    finally:
        os.close(fd)
    assert running.exit_code == 1 and "no such index yet: a `dedup index build` of it is running" in running.stderr
    assert not path.exists()
    monkeypatch.setattr(cli, "Sources", real)
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--index", str(tmp_path / "other.dedup")]).exit_code == 0
    (tmp_path / "other.dedup.building").write_bytes((tmp_path / "news.dedup.building").read_bytes())  # (one that stopped)
    stats = json.loads(runner.invoke(app, ["index", "stats", str(tmp_path / "other.dedup"), "--format", "json"]).stdout)
    assert stats["build"] == {"path": str(tmp_path / "other.dedup.building"), "running": False}


def test_the_progress_bar_shows_bytes_while_reading_and_counts_after(monkeypatch):
    """On a terminal: reading in bytes of the files' total (a JSON Lines file of a million records is one file),
    the other stages in items, with the time left once a total is known."""
    import io

    from rich.console import Console

    cli = importlib.import_module("dedup.cli")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    bar, update = cli._progress()
    update("reading", 2_500_000, 10_000_000)
    update("sketching", 3_000, 7_000)
    update("verifying", 40, None)
    out = Console(file=io.StringIO(), width=200, record=True)
    out.print(bar.get_renderable())
    shown = out.export_text()
    assert re.search(r"reading .*2\.5 MB of 10\.0 MB", shown)
    assert re.search(r"sketching .*3,000/7,000", shown) and re.search(r"verifying .*40/\?", shown)


def test_an_index_kept_in_the_folder_it_indexes_is_not_an_input(tmp_path):
    """The index's files (and its build's) in the folder it indexes were listed as skipped inputs of every build and
    add after the first ("unsupported file type '.dedup'", '.building', '.lock'…: helper-43's walk)."""
    folder = tmp_path / "news"
    folder.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    index = folder / "idx.dedup"
    with Index.open(index) as held:  # (open while the build runs: its write-ahead log is in the folder too)
        built = [runner.invoke(app, ["index", "build", str(folder), "--index", str(index)]) for _ in range(2)]
        added = runner.invoke(app, ["index", "add", str(index), str(folder)])
        assert len(held) == 5
    for result in (*built, added):
        assert result.exit_code == 0 and "skipped " not in result.stderr and "0 skipped" in result.stderr
    (folder / "notes.odt").write_bytes(b"PK\x03\x04")
    assert "skipped " + str(folder / "notes.odt") in runner.invoke(app, ["index", "add", str(index), str(folder)]).stderr


def test_scan_starts_at_most_one_process_per_core(monkeypatch):
    """--workers 1000 started a thousand processes (~160 MB and a second each): it takes as many as the cores,
    and says so."""
    cli, scan_module = importlib.import_module("dedup.cli"), importlib.import_module("dedup.scan")
    real, asked = scan_module.scan, []

    def recorded(sources, config=None, progress=None, workers=None):
        asked.append(workers)
        return real(sources, config, progress, workers)

    monkeypatch.setattr(cli, "cpu_count", lambda: 1)
    monkeypatch.setattr(scan_module, "scan", recorded)
    result = runner.invoke(app, ["scan", str(SEEDS), "--workers", "1000", "--format", "json"])
    assert result.exit_code == 0 and asked == [1] and len(json.loads(result.stdout)["clusters"][0]["members"]) == 5
    assert "note: --workers 1,000 is more than the 1 core this machine gives dedup: 1 process" in result.stderr
    assert runner.invoke(app, ["scan", str(SEEDS), "--workers", "1"]).exit_code == 0 and asked == [1, 1]


def test_align_reads_a_gzip_compressed_article(tmp_path):
    """story.txt.gz was read as its compressed bytes ("binary file (NUL bytes)")."""
    import gzip

    text = (SEEDS / "001_7bcf6067cad31a24.txt").read_text(encoding="utf-8")
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(text.encode()))
    result = runner.invoke(app, ["align", str(tmp_path / "story.txt.gz"), str(SEEDS / "001_7bcf6067cad31a24.txt"), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"].startswith("identical")
