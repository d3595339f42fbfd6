import json
import os
import re
import sqlite3
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from dedup import Config, Index, IndexFileError
from dedup.counts import CountTable


def test_add_check_remove_reopen(tmp_path, seeds):
    path = tmp_path / "news.dedup"
    with Index.open(path) as ix:
        for key, text in seeds.items():
            ix.add(key, text, {"source": f"outlet {key}"})
        copy = "Update: " + seeds["003"][:-400]
        matches = ix.check("copy", copy)
        assert matches[0].id == "003" and matches[0].relation == "near-duplicate"
        assert matches[0].estimated_jaccard > 0.5
        assert "copy" not in ix  # check never adds
    with Index.open(path) as ix:
        assert len(ix) == 5
        assert ix.text("002") == (seeds["002"], {"source": "outlet 002"})
        assert ix.remove("003") and not ix.remove("003")
        assert all(m.id != "003" or m.relation != "near-duplicate" for m in ix.check("copy", copy))
    with Index.open(path) as ix:
        assert len(ix) == 4 and "003" not in ix and ix.check_integrity() == []


def test_add_returns_what_check_would(seeds):
    ix = Index()
    ix.add("000", seeds["000"])
    expected = ix.check("000-copy", seeds["000"])
    assert ix.add("000-copy", seeds["000"]) == expected
    assert expected[0].relation == "duplicate"


def test_check_cleans_an_article_as_add_does(shared, seeds):
    """add() counts an article's lines before cleaning it, so chrome it shares with two indexed articles is
    boilerplate; check() did not, and called an NBC article 'partial' to another through their two sentences of
    newsletter chrome, where add() of it found nothing. check() leaves the counts as they were."""
    docs = map(json.loads, open(shared / "eval/multinews/multinews_test_truncated_docs.jsonl", encoding="utf-8"))
    nbc = [d for d in docs if d["text"].startswith("Breaking news emails get breaking news alerts")][:3]
    ix = Index()
    for d in nbc[:2]:
        ix.add(d["id"], d["text"])
    ix.add("edited", seeds["003"])
    counts = [CountTable(c.counts.copy(), c.documents) for c in (ix.term_counts, ix.line_counts)]
    new = nbc[2]
    checked = [ix.check(new["id"], new["text"]), ix.check("edited", seeds["003"][:2000])]
    assert [ix.term_counts, ix.line_counts] == counts
    assert checked == [ix.add(new["id"], new["text"]), ix.add("edited", seeds["003"][:2000])]
    assert checked[0] == []
    # A site menu above it, dropped as boilerplate once three indexed articles carry it: add counts the sentences
    # of the menu line (the first as written), not of the line below it, so neither may check.
    bbc = [json.loads(line) for line in open(shared / "eval/bbc_news/bbc_news.jsonl", encoding="utf-8")][:3]
    menu = "Home | News | Sport | Weather | iPlayer"
    for k, d in enumerate(bbc):
        ix.add(f"menu-{k}", menu + "\n" + d["text"])
    ix.remove(new["id"])
    cut = new["text"].index(". ", len(new["text"]) // 2) + 2
    below = menu + "\n" + new["text"][:cut] + "\n" + new["text"][cut:]
    assert ix.check(new["id"], below) == ix.add(new["id"], below) != []


def test_matches_come_strongest_relation_first_then_closest(seeds):
    """A check's matches: duplicates, near-duplicates, rewrites, partial reuses, each by its closer figure (shingle
    Jaccard or rewrite score), then by id."""
    from dedup.verify import RELATIONS

    index = Index()
    for key, text in seeds.items():
        index.add(key, text)
        index.add(f"{key}-dup", text.upper())
        index.add(f"{key}-cut", text[: len(text) * 3 // 4])
        index.add(f"{key}-more", text + "\nThe Associated Press contributed to this report.")
    seen = set()
    for key, text in seeds.items():
        matches = index.check(key, text)
        ranks = [(RELATIONS.index(m.relation), -max(m.jaccard, m.rewrite_score), m.id) for m in matches]
        assert ranks == sorted(ranks) and len(matches) >= 6
        seen |= {m.relation for m in matches}
    assert {"duplicate", "near-duplicate", "rewrite"} <= seen


def test_the_index_keeps_its_own_parameters(tmp_path, seeds):
    path = tmp_path / "p.dedup"
    Index.open(path, Config(shingle_size=3, num_perm=64)).close()
    with pytest.warns(UserWarning, match="keeps the parameters it was built with; the Config given differs and is not used"):
        ix = Index.open(path, Config())  # a different config given on reopen is not used, and that is said
    with ix, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (ix.config.shingle_size, ix.config.num_perm) == (3, 64)
        Index.open(path).close()  # (none given, or the same: nothing to say)
        Index.open(path, Config(shingle_size=3, num_perm=64)).close()


@pytest.mark.parametrize("field, value", [("rewrite_score", float("nan")), ("near_jaccard", 1.5), ("near_threshold", 0.0),
                                          ("num_perm", 0), ("min_words", -1), ("shingle_size", 2.5), ("rewrite_min_shared", True)])
def test_a_parameter_out_of_range_is_refused_by_name_and_so_is_an_index_storing_one(tmp_path, seeds, field, value):
    """A NaN threshold made the compiled check and the numpy verification disagree; stored in an index, it would
    make every check misjudge."""
    import json

    with pytest.raises(ValueError, match=f"Config.{field} must be"):
        Config(**{field: value})
    path = tmp_path / "cfg.dedup"
    Index.open(path).close()
    stored = json.loads(Config().to_json()) | {field: value}
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='config'", (json.dumps(stored),))
    db.commit()
    db.close()
    with pytest.raises(IndexFileError, match=f"stored configuration is not valid .*Config.{field}"):
        Index.open(path)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"hello, I am a text file\n", "not a dedup index"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a dedup index"),
        (b"SQLite format 3\x00" + bytes(50), "not a dedup index"),  # truncated database
    ],
)
def test_foreign_and_truncated_files_are_refused(tmp_path, content, message):
    path = tmp_path / "x.dedup"
    path.write_bytes(content)
    with pytest.raises(IndexFileError, match=message):
        Index.open(path)
    assert path.read_bytes() == content  # refused, and left untouched


def test_a_device_or_fifo_is_refused_before_sqlite_writes_beside_it(tmp_path):
    """/dev/null as an index raised a bare sqlite3 error, and as root left a /dev/null-journal behind."""
    fifo = tmp_path / "pipe.dedup"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "FIFO"), (Path("/dev/null"), "device")):
        with pytest.raises(IndexFileError, match=f"{path}: is a {kind}, not an index file"):
            Index.open(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.dedup"]


def test_other_sqlite_databases_and_versions_are_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    keyed = tmp_path / "keyed.db"  # another program's key-value table that happens to be called meta
    sqlite3.connect(keyed).execute("CREATE TABLE meta (key TEXT, value TEXT)").connection.commit()
    for path in (other, keyed):
        before = path.read_bytes()
        with pytest.raises(IndexFileError, match="an SQLite database, but not a dedup index"):
            Index.open(path)
        # refused untouched: its journal mode was switched to WAL (a file header change, and -wal/-shm files beside it)
        assert path.read_bytes() == before and sorted(p.name for p in tmp_path.glob(path.name + "*")) == [path.name]
    old = tmp_path / "old.dedup"
    Index.open(old).close()
    for version, says in (("999", "a newer dedup wrote it: open it with that one"), ("1", "rebuild it from its sources with `dedup index build SOURCE…")):
        db = sqlite3.connect(old)
        db.execute("UPDATE meta SET value=? WHERE key='version'", (version,))
        db.commit()
        db.close()
        with pytest.raises(IndexFileError, match=f"format version {version}, this dedup reads version .*; {re.escape(says)}"):  # (the advice is one that works)
            Index.open(old)


def test_integrity_check_finds_a_corrupted_record(tmp_path, seeds):
    path = tmp_path / "c.dedup"
    with Index.open(path) as ix:
        ix.add("001", seeds["001"])
    db = sqlite3.connect(path)
    db.execute("UPDATE articles SET features = zeroblob(10) WHERE id='001'")
    db.commit()
    db.close()
    with Index.open(path) as ix:
        problems = ix.check_integrity()
    assert any("'001'" in p and "checksum" in p for p in problems)


def _sentences_reversed(blob: bytes) -> bytes:
    """A packed features blob whose first token's sentence number is larger than the rest's (header intact)."""
    from dedup.features import unpack

    f = unpack(blob)
    at = len(blob) - 4 * (len(f.term_set) + len(f.term_sentence))
    return blob[:at] + (int(f.term_sentence[-1]) + 1).to_bytes(4, "little") + blob[at + 4 :]


@pytest.mark.parametrize("column, damage", [
    ("features", "zeroblob(10)"), ("features", "zeroblob(28)"), ("features", "substr(features, 1, length(features) - 4)"),
    ("features", "reversed"), ("near_sig", "substr(near_sig, 1, 3)"), ("near_sig", "substr(near_sig, 1, 4)"),
])
def test_a_check_meeting_a_damaged_candidate_names_it_and_reads_nothing_astray(tmp_path, seeds, column, damage):
    """A candidate's packed features are read by compiled code as they are stored: one whose length, header or
    sentence numbers are wrong, or whose signature has the wrong length, is refused by name when it is fetched,
    never read past its end or blown up into gigabytes of sentence pairs."""
    path = tmp_path / "d.dedup"
    with Index.open(path) as ix:
        ix.add("001", seeds["001"])
        ix.add("002", seeds["002"])
    db = sqlite3.connect(path)
    if damage == "reversed":
        blob = db.execute("SELECT features FROM articles WHERE id='001'").fetchone()[0]
        db.execute("UPDATE articles SET features = ? WHERE id='001'", (_sentences_reversed(blob),))
    else:
        db.execute(f"UPDATE articles SET {column} = {damage} WHERE id='001'")
    db.commit()
    db.close()
    with Index.open(path) as ix:
        with pytest.raises(IndexFileError, match="article '001' is damaged .*(features blob|near signature)"):
            ix.check("probe", seeds["001"])
        assert any("'001'" in p for p in ix.check_integrity())  # (what the message sends the user to)


def test_a_damaged_article_can_be_removed_or_replaced_and_the_index_stays_usable(tmp_path, seeds):
    """What the error for a damaged article advises works: removing it (its terms no longer read, its text not
    either) or adding it again, in this process and with another one open; the counts keep the terms they cannot
    read (with a warning), which `check_integrity` reports until a rebuild."""
    path = tmp_path / "d.dedup"
    with Index.open(path) as ix:
        for k in ("000", "001", "002", "003"):
            ix.add(k, seeds[k])
    db = sqlite3.connect(path)
    db.execute("UPDATE articles SET features = substr(features, 1, 100) WHERE id='001'")
    db.execute("UPDATE articles SET text = x'00112233' WHERE id='002'")
    db.commit()
    db.close()
    with Index.open(path) as ix, Index.open(path) as other:
        with pytest.raises(IndexFileError, match="article '001' is damaged .*remove it"):
            ix.check("probe", seeds["001"])
        with pytest.warns(UserWarning, match="stored terms or lines of row 2 are damaged"):
            assert ix.remove("001")
        assert ix.remove("002") and "001" not in ix and "002" not in ix
        with pytest.warns(UserWarning, match="row 2 are damaged"):
            other._refresh()  # (another process uncounts what this one removed)
        assert [m.id for m in other.check("probe", seeds["001"])] == ["000", "003"]
        ix.add("002", seeds["002"])
        assert [m.id for m in ix.check("probe", seeds["002"])][0] == "002"
    with Index.open(path) as ix:
        assert ix.ids() == ["000", "003", "002"]
        assert ix.check_integrity() == ["term or line counts differ from a fresh count of the articles (rebuild with `dedup index build`)"]


@pytest.mark.parametrize("column", ["near_keys", "term_keys", "term_sig"])
def test_a_row_whose_keys_or_signature_are_cut_short_is_left_out_and_named(tmp_path, seeds, column):
    """Band keys and term signatures are read for every row on opening (those the stored tables do not hold): one
    of the wrong length is left out with a warning, instead of shifting every later row's keys or failing the open."""
    path = tmp_path / "d.dedup"
    with Index.open(path) as ix:
        for k in ("001", "002", "003"):
            ix.add(k, seeds[k])
    db = sqlite3.connect(path)
    db.execute("DELETE FROM parts")  # (no stored tables: every row is read)
    db.execute(f"UPDATE articles SET {column} = substr({column}, 1, 12) WHERE id='002'")
    db.commit()
    db.close()
    with pytest.warns(UserWarning, match="row 2 have the wrong length"), Index.open(path) as ix:
        assert {m.id for m in ix.check("probe", seeds["003"])} == {"001", "003"}
        assert {m.id for m in ix.check("probe", seeds["002"])} == {"001", "003"}  # (rewrites of it)
        assert [p for p in ix.check_integrity() if "'002'" in p]


CHROME = ["Home | World | Politics | Business | Sport | Technology",
          "Breaking news emails get breaking news alerts and special reports. The news and stories that matter, delivered weekday mornings.",
          "Share this article on Facebook, Twitter or by email with your friends and colleagues"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["000", "001", "002", "003", "004"]),
                          st.sets(st.sampled_from(range(len(CHROME)))), st.booleans()), min_size=1, max_size=16))
@example(ops=[("a", "001", set(), True), ("b", "001", {1}, False), ("c", "001", {0, 1}, False), ("d", "000", {1}, True)])  # check's
# own count of its edge sentences: hashes past 2**63 went through float64 and matched nothing (found by CI's random run)
def test_check_returns_what_add_then_returns(seeds, ops):
    """check(id, text) is add(id, text)'s answer without the add, whatever the index holds: new ids and replaced
    ones, texts that share a site's chrome with some indexed articles (boilerplate once three carry it), on lines
    of its own or run into the article's first line (below a menu line that may be dropped itself)."""
    ix = Index()
    for article_id, key, chrome, run_in in ops:
        text = "\n".join([CHROME[c] for c in sorted(chrome)] + [(CHROME[1] + " ") * run_in + seeds[key]])
        assert ix.check(article_id, text) == ix.add(article_id, text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["000", "001", "002", "003", "004"]), st.booleans()), max_size=15))
def test_add_remove_round_trips(seeds, ops):
    """After any sequence of adds and removes, the index holds exactly the live ids and finds each by its text."""
    ix = Index()
    live = set()
    for key, add in ops:
        if add:
            ix.add(key, seeds[key])
            live.add(key)
        else:
            assert ix.remove(key) == (key in live)
            live.discard(key)
    assert len(ix) == len(live)
    for key in seeds:
        found = {m.id for m in ix.check("probe", seeds[key]) if m.relation == "duplicate"}
        assert found == ({key} & live)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["000", "001", "002", "003", "004"]), st.booleans()), min_size=1, max_size=12))
def test_reopened_index_answers_as_the_one_built_in_memory(tmp_path_factory, seeds, ops):
    """Adds, removes and re-adds written to a file, then reopened (band tables loaded in bulk), give the same matches
    as the same operations on an in-memory index (band tables filled one add at a time)."""
    path = tmp_path_factory.mktemp("reopen") / "r.dedup"
    memory = Index()
    with Index.open(path) as on_disk:
        for key, add in ops:
            for ix in (memory, on_disk):
                if add:
                    ix.add(key, seeds[key])
                else:
                    ix.remove(key)
    with Index.open(path) as reopened:
        assert len(reopened) == len(memory)
        for key in seeds:
            probe = "Update: " + seeds[key][: len(seeds[key]) * 2 // 3]
            assert reopened.check("probe", probe) == memory.check("probe", probe)


OPS = st.lists(st.tuples(st.sampled_from(["000", "001", "002", "003", "004"]), st.booleans()), max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS, OPS)
def test_stored_band_tables_and_the_changes_since_answer_as_one_build(tmp_path_factory, seeds, first, then):
    """A writer's close stores the band tables; an index opened later reads them, then the rows added and removed
    since (here by a writer still open), and answers as an index that saw every operation."""
    path = tmp_path_factory.mktemp("snapshot") / "s.dedup"
    memory = Index()

    def apply(ops, ix):
        for key, add in ops:
            for target in (memory, ix):
                target.add(key, seeds[key]) if add else target.remove(key)

    with Index.open(path) as ix:
        apply(first, ix)
    stored = sqlite3.connect(path).execute("SELECT COUNT(*) FROM parts").fetchone()[0]
    assert (stored > 0) == any(add for _, add in first)  # a writer's close stored its band tables
    with Index.open(path) as writer:
        apply(then, writer)
        with Index.open(path) as reader:  # band tables as stored + the changes since = as built from every row
            assert reader.check_integrity() == [] and len(reader) == len(memory)
            for key in seeds:  # copies do not depend on term statistics (a reader does not see other processes'
                probe = "Update: " + seeds[key][: len(seeds[key]) * 2 // 3]  # removals in its term counts)
                copies = [{(m.id, m.relation) for m in ix.check("probe", probe) if m.relation in ("duplicate", "near-duplicate")} for ix in (reader, memory)]
                assert copies[0] == copies[1]


def test_band_tables_are_stored_and_a_damaged_copy_is_found(tmp_path, seeds):
    path = tmp_path / "bands.dedup"
    with Index.open(path) as ix:
        for key, text in seeds.items():
            ix.add(key, text)
    db = sqlite3.connect(path)
    meta, near, terms, rows, held = [r[0] for r in db.execute("SELECT data FROM parts WHERE name='bands' ORDER BY part")]
    bands = Index().sketcher
    assert (len(near), len(terms)) == (8 * bands.near_bands[0] * len(seeds), 8 * bands.term_bands[0] * len(seeds))  # 8 B a key
    assert (len(rows), len(held)) == (8 * len(seeds), bands.config.term_num_perm * len(seeds))  # a row, a byte a value
    for part, damaged in ((4, bytes([held[0] ^ 1]) + held[1:]), (3, rows[8:16] + rows[:8] + rows[16:])):
        db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=?", (damaged, part))
        db.commit()
        with warnings.catch_warnings(record=True) as said, Index.open(path) as ix:  # a changed byte, rows out of order
            assert any("band tables differ" in p or "damaged" in p for p in ix.check_integrity())
        assert bool(said) == (part == 3)
        db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=?", (held if part == 4 else rows, part))
        db.commit()
    behind = json.dumps({**json.loads(meta), "row": 2}).encode()  # a snapshot that says it ends before its rows do
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=0", (behind,))
    db.commit()
    with pytest.warns(UserWarning, match="prefilter holds row 5, after the last"), Index.open(path) as ix:
        assert {m.id for m in ix.check("probe", seeds["002"]) if m.relation == "duplicate"} == {"002"}
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=0", (meta,))
    db.commit()
    wrong = np.frombuffer(terms, dtype="<u8").copy()
    wrong[-1] += 1  # still sorted, one entry pointing at another row
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=2", (wrong.tobytes(),))
    db.commit()
    with Index.open(path) as ix:
        assert any("band tables differ" in p for p in ix.check_integrity())
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=2", (terms[::-1],))  # same size, scrambled
    db.commit()
    with pytest.warns(UserWarning, match="band tables are damaged"), Index.open(path) as ix:  # (compiled queries would read astray)
        assert [p for p in ix.check_integrity() if "band tables are damaged" in p]
        assert {m.id for m in ix.check("probe", seeds["002"]) if m.relation == "duplicate"} == {"002"}
        ix.add("005", seeds["001"][:500])  # a writer stores the tables it rebuilt
    with Index.open(path) as ix:
        assert ix.check_integrity() == []
    db.execute("UPDATE parts SET data=? WHERE name='bands' AND part=0", (b"not json",))
    db.commit()
    db.close()
    with Index.open(path) as ix:  # an unreadable copy is ignored: the tables are built from the rows
        assert ix.check_integrity() == []
        assert {m.id for m in ix.check("probe", seeds["002"]) if m.relation == "duplicate"} == {"002"}


def test_an_index_sees_what_another_process_added_and_removed(tmp_path, seeds):
    path = tmp_path / "shared.dedup"
    with Index.open(path) as reader, Index.open(path) as writer:
        writer.add("000", seeds["000"])
        writer.add("003", seeds["003"])
        assert {m.id for m in reader.check("probe", seeds["003"])} >= {"003"}
        assert reader.term_counts.documents == writer.term_counts.documents == 2
        writer.remove("003")
        writer.add("003", seeds["000"])  # the id comes back with another text, in a new row
        found = {m.id: m.relation for m in reader.check("probe", seeds["000"])}
        assert found == {"000": "duplicate", "003": "duplicate"} and len(reader) == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["000", "001", "002", "003", "004"]), st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=4))
def test_candidates_verified_all_at_once_get_what_each_gets_alone(seeds, key, cuts):
    """A check verifies all its candidates in one vectorised pass: each gets exactly what verify gives it alone."""
    from dedup.verify import verify, verify_pairs

    ix = Index()
    for k, text in seeds.items():
        ix.add(k, text)
    words = seeds[key].split()
    for a, b in cuts:  # drop spans of words: trimmed copies, excerpts, texts with little left in common
        lo, hi = sorted((int(a * len(words)), int(b * len(words))))
        words = words[:lo] + words[hi:]
    probe = ix._sketch([" ".join(words)])[0].features
    pieces = [" ".join(t.split()[i : i + 60]) for t in seeds.values() for i in range(0, len(t.split()), 60)]
    stored = [s.features for s in ix._sketch(list(seeds.values()) + pieces)]  # whole articles and passages of them
    names = [f"b{k}" for k in range(len(stored))]
    pairs = np.stack([np.zeros(len(stored), dtype=np.int64), np.arange(1, len(stored) + 1)], axis=1)
    together = verify_pairs(["p", *names], [probe, *stored], pairs, ix.term_counts, ix.config)
    alone = [verify("p", probe, name, f, ix.term_counts, ix.config) for name, f in zip(names, stored)]
    assert together == alone


def test_a_checks_matches_are_what_verify_gives_each_candidate_with_or_without_the_kernels(seeds):
    """Index.check judges its candidates from their packed features in its own compiled passes: each match is what
    verify gives that candidate alone, and without the compiled kernels (verdicts in numpy) the same are found."""
    from unittest import mock

    from dedup import accel
    from dedup.features import unpack
    from dedup.verify import verify

    ix = Index()
    pieces = {f"{k}-{i}": " ".join(t.split()[i : i + 80]) for k, t in seeds.items() for i in range(0, len(t.split()), 80)}
    for k, text in {**seeds, **pieces}.items():
        ix.add(k, text)
    probe = seeds["001"] + "\n\n" + " ".join(seeds["004"].split()[:150])
    found = ix.check("probe", probe)
    features = ix._sketch([probe])[0].features
    for m in found:
        p = verify("probe", features, m.id, unpack(ix.store.get(m.id).features), ix.term_counts, ix.config)
        assert (p.relation, p.jaccard, p.containment, p.rewrite_score, p.shared_passages) == (
            m.relation, m.jaccard, m.containment, m.rewrite_score, m.shared_passages)
    with mock.patch.object(accel, "kernels", lambda: None):
        assert ix.check("probe", probe) == found
    assert len({m.relation for m in found}) >= 3 and len(found) >= 10


def _recount(path) -> tuple[CountTable, CountTable]:
    """Term and line counts made afresh from the articles an index file holds."""
    from dedup.features import unpack

    terms, lines = CountTable(), CountTable()
    for features, hashes in sqlite3.connect(path).execute("SELECT features, lines FROM articles"):
        terms.add(unpack(features).term_set)
        lines.add(np.frombuffer(hashes, dtype="<u8"))
    return terms, lines


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["000", "001", "002", "003", "004"]), st.sampled_from(["add", "remove", "flush"]), st.booleans()), max_size=14))
@example(ops=[(True, "000", "add", False), (False, "000", "add", False), (False, "000", "flush", False), (False, "000", "add", False)])  # a
# process reloading counts behind a save once forgot the older removal in its band tables
def test_every_process_counts_what_the_index_holds(tmp_path_factory, seeds, ops):
    """Two writers add, replace and remove articles in turn while a reader checks now and then; whatever the
    interleaving, each one's term and line counts (the IDF and boilerplate statistics) equal a fresh count of the
    articles stored, and so do those of an index opened afterwards."""
    path = tmp_path_factory.mktemp("counts") / "c.dedup"
    with Index.open(path) as first, Index.open(path) as second, Index.open(path) as reader:
        for which, key, op, look in ops:
            writer = first if which else second
            if op == "add":
                writer.add(key, seeds[key] if which else "Update:\n" + seeds[key])
            elif op == "remove":
                writer.remove(key)
            else:
                writer.flush()
            if look:
                reader.check("probe", seeds[key])
        counts = _recount(path)
        for ix in (first, second, reader):
            ix._refresh()
            assert (ix.term_counts, ix.line_counts) == counts
    with Index.open(path) as later:
        assert (later.term_counts, later.line_counts) == counts and later.check_integrity() == []


def test_a_reader_behind_a_flush_that_dropped_removed_texts_still_counts_right(tmp_path, seeds):
    """A flush drops the stored terms of removed articles that the saved counts include; a process that had not yet
    taken such a removal out of its own counts reloads the saved ones instead of keeping the article counted."""
    path = tmp_path / "lag.dedup"
    with Index.open(path) as writer, Index.open(path) as reader:
        for key, text in seeds.items():
            writer.add(key, text)
        reader.check("probe", seeds["000"])  # counts all five
        writer.remove("001")
        writer.add("002", "Update:\n" + seeds["002"])  # replaced: a second removal
        writer.flush()
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM uncounted").fetchone()[0] == 0
        reader.check("probe", seeds["000"])
        assert (reader.term_counts, reader.line_counts) == _recount(path)


@pytest.mark.parametrize("writes_before_crash", [0, 1, 2, 3])
def test_a_flush_cut_short_leaves_the_saved_counts_consistent(tmp_path, seeds, writes_before_crash):
    """A process that dies while saving its term and line counts leaves either the old or the new ones, each with
    the rows it includes, never the new tables with the old positions (which would count articles twice)."""
    path = tmp_path / "cut.dedup"
    ix = Index.open(path)
    for key, text in seeds.items():
        ix.add(key, text)
    done = 0

    def crashing(method):
        def call(*args, **kwargs):
            nonlocal done
            if done == writes_before_crash:
                raise SystemExit("killed")
            done += 1
            return method(*args, **kwargs)
        return call

    for name in ("set_blob", "set_meta", "set_parts", "save_counts"):
        if hasattr(ix.store, name):
            setattr(ix.store, name, crashing(getattr(ix.store, name)))
    try:
        ix.flush()
    except SystemExit:
        pass
    ix.store.db.close()  # the process is gone: nothing else is saved
    with Index.open(path) as reopened:
        assert (reopened.term_counts, reopened.line_counts) == _recount(path)


def test_an_index_whose_articles_are_replaced_again_and_again_stops_growing(tmp_path, seeds):
    """Removed articles' terms are kept only until the saved counts include them (at the latest when the process
    closes the index): a crawler that keeps replacing articles reuses that space instead of growing the file."""
    path = tmp_path / "churn.dedup"

    def churn(rounds: int) -> int:
        with Index.open(path) as ix:
            for r in range(rounds):
                for key, text in seeds.items():
                    ix.add(key, f"Update {r}:\n{text}")
        return path.stat().st_size

    size = churn(100)
    assert churn(100) <= size * 1.05 and churn(100) <= size * 1.05
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM uncounted").fetchone()[0] == 0


def test_check_finds_counts_that_count_articles_twice(tmp_path, seeds):
    """Saved counts whose recorded position lags behind them (what a save cut short used to leave) make every
    article saved since count twice on open: `check_integrity` says so."""
    path = tmp_path / "twice.dedup"
    with Index.open(path) as ix:
        for key, text in seeds.items():
            ix.add(key, text)
        assert ix.check_integrity() == []
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='0' WHERE key='counted_to'")
    db.commit()
    db.close()
    with Index.open(path) as ix:
        assert ix.term_counts.documents == 10
        assert any("counts differ" in p for p in ix.check_integrity())


def _nested(depth: int) -> list:
    """A list nested depth deep: deeper than the json module can write."""
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "article_id, text, metadata, error, says",
    [
        (None, "text", None, TypeError, "article id must be a non-empty str"),
        (5, "text", None, TypeError, "article id must be a non-empty str"),
        ("", "text", None, ValueError, "article id must be a non-empty str"),
        ("a", None, None, TypeError, "a: text must be a str, not NoneType"),
        ("a", b"bytes", None, TypeError, "decode bytes first"),
        (" \t", "text", None, ValueError, "article id must not be blank"),  # (a scan skips it as "empty 'id'")
        ("a", "text", {"deep": _nested(5000)}, TypeError, r"a: metadata must be JSON data \(nested too deeply\)"),
        ("a", "", None, ValueError, "a: text is empty: no article"),  # (was stored: an article of nothing)
        ("a", " \n\t", None, ValueError, r"a: text is empty \(whitespace only\)"),
        ("a", "text", ["x"], TypeError, "a: metadata must be a dict"),
        ("a", "text", {"when": object()}, TypeError, "a: metadata must be JSON data"),
        ("a", "text", {"x": 1, 2: "y"}, TypeError, "a: metadata must be JSON data"),  # keys the store cannot sort
        ("a", "text", {"v": float("nan")}, TypeError, "a: metadata must be JSON data"),  # not standard JSON
        ("a", "text", {1: "y"}, TypeError, "a: metadata must be standard JSON data"),  # JSON would make the key "1"
        ("a", "text", {"pair": (1, 2)}, TypeError, "a: metadata must be standard JSON data"),
        ("a", "text", {"path": "bad\udcff.txt"}, ValueError, "a: metadata holds text that is not valid Unicode"),
        ("bad\udcff.txt", "text", {}, ValueError, "is not valid Unicode"),  # (checked, removed, looked up: not there)
    ],
)
def test_wrong_arguments_get_errors_that_say_what_is_wrong_and_change_nothing(seeds, article_id, text, metadata, error, says):
    ix = Index()
    ix.add("000", seeds["000"])
    before = (ix.term_counts.counts.copy(), ix.line_counts.counts.copy(), ix.term_counts.documents)
    with pytest.raises(error, match=says):
        ix.add(article_id, text, metadata)
    if metadata is None:
        with pytest.raises(error, match=says):
            ix.check(article_id, text)
    if isinstance(article_id, str) and "\udcff" in article_id:
        assert article_id not in ix and not ix.remove(article_id) and ix.text(article_id) is None
    if article_id == " \t":  # blank: refused for a new article, but one stored before can still be found and removed
        assert not ix.remove(article_id) and ix.text(article_id) is None
    elif text == "text" and metadata is None:  # a wrong id: refused by every method that takes one
        for call in (ix.remove, ix.text, ix.__contains__):
            with pytest.raises(error, match=says):
                call(article_id)
    assert len(ix) == 1 and ix.check_integrity() == []
    assert np.array_equal(before[0], ix.term_counts.counts) and np.array_equal(before[1], ix.line_counts.counts) and before[2] == ix.term_counts.documents


def test_text_with_a_lone_surrogate_is_taken_as_a_file_reader_takes_it(seeds, tmp_path):
    """json.loads of a crawled page's "\\ud800" gives a lone surrogate: add stored it, and align --index on the
    article then crashed printing it. It is U+FFFD, as the file readers read it, for add and check alike."""
    from typer.testing import CliRunner
    from dedup.cli import app

    path = tmp_path / "s.dedup"
    with Index.open(path) as ix:
        assert ix.add("sur", "Breaking \ud800 " + seeds["003"]) == []
        assert ix.text("sur")[0] == "Breaking \ufffd " + seeds["003"]
        assert [(m.id, m.relation) for m in ix.check("again", "Breaking \udfff " + seeds["003"])] == [("sur", "duplicate")]
        ix.add("plain", seeds["002"])
    aligned = CliRunner().invoke(app, ["align", "sur", "plain", "--index", str(path), "--format", "json"])
    assert aligned.exit_code == 0 and json.loads(aligned.stdout)["segments"][0]["a"]["text"].startswith("Breaking \ufffd")


def test_an_index_path_that_is_not_a_path_is_refused_before_a_file_is_made(tmp_path, monkeypatch):
    """Index.open(os.environ.get("DEDUP_INDEX")) with the variable unset made a file named "None"."""
    monkeypatch.chdir(tmp_path)
    for wrong in (None, 5, ["x.dedup"]):
        with pytest.raises(TypeError, match="an index path is a str, bytes or os.PathLike"):
            Index.open(wrong)
    with pytest.raises(ValueError, match="empty"):
        Index.open("")
    with pytest.raises(ValueError, match=r"SQLite's name for a database in memory: Index\(\) is an index in memory"):
        Index.open(":memory:")  # (it gave an index in memory, gone at close, where a file was asked for)
    assert list(tmp_path.iterdir()) == []
    Index.open("./:memory:").close()
    assert [p.name for p in tmp_path.iterdir()] == [":memory:"]
    os.remove(":memory:")
    with Index.open(b"bytes.dedup") as ix:  # a path as bytes names the file those bytes name
        ix.add("000", "Kenya will send 600 more police officers to Haiti next month, President William Ruto said.")
    with Index.open(tmp_path / "bytes.dedup") as again:
        assert len(again) == 1


def test_an_add_that_cannot_be_stored_leaves_the_counts_as_they_were(tmp_path, seeds):
    """A write that fails (here: another process holds the lock past the timeout) stores nothing and counts nothing."""
    path = tmp_path / "locked.dedup"
    with Index.open(path, timeout=0.2) as ix:
        ix.add("000", seeds["000"])
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(IndexFileError, match="another process is writing"):
            ix.add("001", seeds["001"])
        blocker.execute("ROLLBACK")
        blocker.close()
        assert "001" not in ix and ix.check_integrity() == []


@pytest.mark.parametrize("column, value", [("metadata", "{not json"), ("metadata", '{"source": "another outlet"}'), ("text", b"not zlib")])
def test_a_damaged_metadata_or_text_is_found_and_named(tmp_path, seeds, column, value):
    path = tmp_path / "d.dedup"
    with Index.open(path) as ix:
        ix.add("001", seeds["001"], {"source": "outlet"})
    db = sqlite3.connect(path)
    db.execute(f"UPDATE articles SET {column} = ? WHERE id='001'", (value,))
    db.commit()
    db.close()
    with Index.open(path) as ix:
        assert any("'001'" in p and "checksum" in p for p in ix.check_integrity())
        if value != '{"source": "another outlet"}':
            with pytest.raises(IndexFileError, match="article '001' is damaged"):
                ix.text("001")


def _fresh_counts_everywhere(path, *open_indexes) -> None:
    counts = _recount(path)
    for ix in open_indexes:
        ix._refresh(force=True)
        assert (ix.term_counts, ix.line_counts) == counts and ix.check_integrity() == []
    with Index.open(path) as later:
        assert (later.term_counts, later.line_counts) == counts and later.check_integrity() == []


def test_a_late_save_never_moves_the_saved_counts_back(tmp_path, seeds):
    """B's save, made before a removal that A's save (landing first) already includes, must not replace A's: the
    removed article's terms are gone, and every open would then loop for ever trying to uncount it."""
    path = tmp_path / "late.dedup"
    X, A, B = Index.open(path), Index.open(path), Index.open(path)
    for k in ("000", "001", "002"):
        X.add(k, seeds[k])
    A.add("003", seeds["003"])
    B.add("004", seeds["004"])
    pending, real = {}, A.store.counted_since

    def meanwhile(row):  # A's flush has read the rows, not yet the removals
        out = real(row)
        A.store.counted_since = real
        X.add("new", seeds["000"] + "\nmore")
        B._refresh(force=True)  # B's flush: the new row, no removal yet
        pending["b"] = (B.term_counts.to_bytes(), B.line_counts.to_bytes(), B._counted_to, B._counted_deleted, B._generation)
        X.remove("001")
        return out

    A.store.counted_since = meanwhile
    A.flush()  # saves (counted_to 5, counted_deleted 1) and drops 001's terms
    B.store.save_counts(*pending["b"])  # (6, 0), waiting for A's lock until now
    _fresh_counts_everywhere(path, X, A, B)


def test_a_save_made_before_a_rebuild_does_not_land_in_the_rebuilt_index(tmp_path, seeds):
    from dedup.store import replace_file

    path, new = tmp_path / "ix.dedup", tmp_path / "new.dedup"
    with Index.open(new) as rebuilt:
        rebuilt.add("x", seeds["000"])
        rebuilt.add("y", seeds["001"])
    old = Index.open(path)
    for k in seeds:
        old.add(k, seeds[k] + "\nold")
    real_counts, real_parts = old.store.save_counts, old.store.set_parts

    def copied_first(real):
        def call(*args):
            replace_file(path, new)  # the rebuild's copy commits between the refresh and the save
            return real(*args)
        return call

    old.store.save_counts = copied_first(real_counts)
    old.flush()
    old.store.save_counts, old.store.set_parts = real_counts, copied_first(real_parts)
    with pytest.warns(UserWarning, match="replaced this index; what this process added or removed before is not in the new one"):
        old._save_bands()
    old.store.set_parts = real_parts
    _fresh_counts_everywhere(path, old)
    old.close()
    _fresh_counts_everywhere(path)


def test_copying_the_same_build_in_again_is_noticed(tmp_path, seeds):
    """A build whose copy landed but whose clean-up did not is copied in again by the next run: processes that
    changed the index in between must notice that as a replacement too."""
    from dedup.store import replace_file

    path, new = tmp_path / "ix.dedup", tmp_path / "new.dedup"
    with Index.open(new) as rebuilt:
        for k in ("000", "001", "002"):
            rebuilt.add(k, seeds[k])
    replace_file(path, new)
    crawler = Index.open(path)
    crawler.add("new1", seeds["003"])
    crawler.remove("001")
    replace_file(path, new)
    assert len(crawler) == 3 and "new1" not in crawler
    with pytest.warns(UserWarning, match="replaced this index; what this process added or removed before is not in the new one"):
        _fresh_counts_everywhere(path, crawler)
    crawler.close()


def test_an_id_repeated_in_one_batch_replaces_the_stored_article_once(seeds):
    ix = Index()
    ix.add("a", seeds["000"])
    ix.add_many([("a", seeds["001"], None), ("a", seeds["002"], None)])
    assert len(ix) == 1 and ix.text("a")[0] == seeds["002"] and ix.check_integrity() == []


_LOCK_PROBE = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 510, 0x40000002, 0)  # SQLite's shared-lock bytes
    print("free")
except OSError:
    print("held")
"""


def test_opening_an_index_again_keeps_the_locks_this_process_holds(tmp_path, seeds):
    """Opening an index must not open and close the database file itself: closing any descriptor of it drops the
    POSIX locks this process's SQLite connections hold, and another process then takes the file for unused (a
    rebuild's copy killed mid-way then left the index malformed in about half of the stress runs)."""
    import subprocess
    import sys

    from dedup.store import check_replaceable

    pytest.importorskip("fcntl")
    path = tmp_path / "locks.dedup"
    first = Index.open(path)
    first.add("000", seeds["000"])
    probe = lambda: subprocess.run([sys.executable, "-c", _LOCK_PROBE, str(path)], capture_output=True, text=True).stdout.strip()  # noqa: E731
    assert probe() == "held"
    Index.open(path).close()  # a second index on the same file, opened and closed
    check_replaceable(path)  # what `dedup index build` looks at first
    assert probe() == "held"
    first.close()


def test_candidates_kept_from_earlier_checks_are_not_reused_after_a_rebuild(tmp_path, seeds):
    """A check keeps its candidates unpacked by row; a rebuilt file numbers other articles with the same rows,
    so a crawler that checked before the rebuild must verify against the new articles, not the remembered ones."""
    from dedup.store import replace_file

    path, new = tmp_path / "ix.dedup", tmp_path / "new.dedup"
    with Index.open(path) as first:
        first.add("wire", seeds["003"])
    with Index.open(new) as rebuilt:
        rebuilt.add("other", seeds["003"][: len(seeds["003"]) // 2])  # row 1 again: half of the text
    crawler = Index.open(path)
    before = crawler.check("copy", seeds["003"])
    assert [(m.id, m.relation) for m in before] == [("wire", "duplicate")] and crawler._cache
    replace_file(path, new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a process that only checked lost nothing: nothing to say)
        after = crawler.check("copy", seeds["003"])
    assert [(m.id, m.relation) for m in after] == [("other", "near-duplicate")] and after[0].jaccard < 0.6
    crawler.add("mine", seeds["001"])
    replace_file(path, new)
    with pytest.warns(UserWarning, match="`dedup index build` replaced this index; what this process added or removed before is not in the new one"):
        crawler.check("copy", seeds["003"])  # (its add is gone, and a crawler would never know)
    assert "mine" not in crawler
    crawler.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.lists(st.integers(0, 12), max_size=8, unique=True), max_size=12), budget_articles=st.integers(0, 6))
def test_the_candidate_cache_holds_its_byte_budget_and_the_latest_used(seeds, calls, budget_articles):
    """Whatever the order of checks, the cache answers what SQLite holds (in the order asked, missing rows left out),
    never holds more bytes than its budget, and keeps the candidates used last."""
    from dedup.features import extract, pack
    from dedup.index import _ENTRY_BYTES, _CandidateCache

    texts = list(seeds.values())
    stored = {row: (f"a{row}", pack(extract(texts[row % 5][: 400 + 97 * row], 5)), np.full(128, row, dtype=np.uint32))
              for row in range(10)}  # rows 10-12 do not exist
    size = {row: len(blob) + sig.nbytes + _ENTRY_BYTES for row, (_, blob, sig) in stored.items()}
    cache = _CandidateCache(budget_articles * max(size.values()))
    fetched: list[int] = []

    def fetch(rows):
        fetched.extend(rows)
        return [(row, *stored[row]) for row in rows if row in stored]

    for rows in calls:
        before = set(cache._entries)
        fetched.clear()
        got = cache.get(rows, fetch)
        assert [entry[0] for entry in got] == [f"a{row}" for row in rows if row in stored]
        assert sum(size[row] for row in cache._entries) <= cache._budget
        assert not before & set(fetched)  # a held candidate is never fetched again
        held = [row for row in rows if row in stored]
        kept = list(cache._entries)
        assert kept == [row for row in kept if row not in held] + [row for row in held if row in cache._entries]  # latest last
        if held and size[held[-1]] <= cache._budget:
            assert held[-1] in cache._entries


def test_a_closed_index_says_so(tmp_path, seeds):
    ix = Index.open(tmp_path / "c.dedup")
    ix.add("000", seeds["000"])
    ix.close()
    ix.close()  # (twice is once)
    for call in (lambda: ix.check("probe", seeds["000"]), lambda: ix.add("001", seeds["001"]), lambda: len(ix), ix.ids):
        with pytest.raises(IndexFileError, match="this index was closed"):
            call()
    with Index.open(tmp_path / "c.dedup") as again:
        assert again.ids() == ["000"]
    in_memory = Index()
    in_memory.close()
    with pytest.raises(IndexFileError, match=r"this index was closed \(what it held is gone with it\)"):
        in_memory.ids()


def test_an_index_this_user_cannot_write_is_refused_by_name_and_nothing_is_made_beside_it(seeds, request):
    """As a real unprivileged user (root running the tests drops to nobody), in a folder it may write: an index it
    cannot write is refused with the reason and what to do, before SQLite could create its write-ahead log files
    (they would belong to this user and lock the owner out), and so is a rebuild of it; the file is left as it was.
    It also runs where numba may cache neither beside the package nor in the home folder (HOME unset)."""
    import shutil
    import subprocess
    import tempfile

    drop = shutil.which("setpriv")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or drop is None:
        pytest.skip("needs root and setpriv to run as another user")
    as_nobody = [drop, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    if subprocess.run([*as_nobody, "-c", "import dedup"], capture_output=True, cwd="/").returncode:
        pytest.skip("this Python cannot be run as user nobody")
    folder = Path(tempfile.mkdtemp())  # (pytest's own folders are closed to other users)
    request.addfinalizer(lambda: shutil.rmtree(folder))
    path = folder / "ro.dedup"
    with Index.open(path) as ix:
        for key in ("000", "001"):
            ix.add(key, seeds[key])
    before = path.read_bytes()
    folder.chmod(0o777)  # (the reader could create files here: it must not)
    path.chmod(0o644)
    probe = folder / "004.txt"
    probe.write_text(seeds["004"], encoding="utf-8")

    def dedup(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*as_nobody, "-c", "from dedup.cli import app; app()", *args], capture_output=True, text=True, cwd=folder,
                              env={**os.environ, "HOME": "/nonexistent"})

    for args in (("index", "stats", str(path)), ("index", "query", str(path), str(probe)), ("index", "add", str(path), str(probe))):
        refused = dedup(*args)
        assert refused.returncode == 1 and "this user may not write this index" in refused.stderr and "copy it" in refused.stderr, refused.stderr
    rebuild = dedup("index", "build", str(probe), "--index", str(path))
    assert rebuild.returncode == 1 and "so a rebuild cannot replace it" in rebuild.stderr, rebuild.stderr
    assert path.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["004.txt", "ro.dedup"]
    folder.chmod(0o755)  # a file this user may write, in a folder it may not (it said "not a dedup index")
    path.chmod(0o666)
    rebuild = dedup("index", "build", str(probe), "--index", str(path))
    assert rebuild.returncode == 1 and f"this user may not write in {folder}, where a rebuild writes" in rebuild.stderr, rebuild.stderr
    assert path.read_bytes() == before
    scanned = dedup("scan", str(probe), "--format", "json")  # (compiled kernels, cached in this user's own temporary folder)
    assert scanned.returncode == 0 and json.loads(scanned.stdout)["summary"]["articles"] == 1, scanned.stderr


def test_compiled_code_goes_to_a_folder_only_this_user_can_write(tmp_path, monkeypatch):
    """Where numba may not write beside the package or in the home folder, its compiled code (which it loads and
    runs) goes to this user's own folder in the temporary folder, never to one another user could write."""
    import stat
    import tempfile

    from dedup.accel import _private_cache

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    own = Path(_private_cache())
    assert own == tmp_path / f"dedup-numba-{os.getuid()}" and stat.S_IMODE(own.stat().st_mode) == 0o700
    assert Path(_private_cache()) == own  # the same each run: compiled once
    own.chmod(0o777)  # writable by others (or made by another user)
    elsewhere = Path(_private_cache())
    assert elsewhere != own and elsewhere.parent == tmp_path and stat.S_IMODE(elsewhere.stat().st_mode) == 0o700


def test_add_many_and_the_constructor_say_what_they_take(seeds):
    """Index("news.dedup") raised AttributeError ('str' object has no attribute 'to_json'); an item that is not an
    (id, text, metadata) triple raised a TypeError about _check_article's positional arguments."""
    with pytest.raises(TypeError, match=r"use Index.open\(path\)"):
        Index("news.dedup")
    ix = Index()
    for item in (("a", seeds["000"]), {"id": "a", "text": seeds["000"]}, ("a", seeds["000"], None, "extra"), "a"):
        with pytest.raises(TypeError, match=r"add_many takes \(id, text, metadata\) triples .* item 1 is"):
            ix.add_many([("ok", seeds["001"], None), item])
    assert len(ix) == 0  # (in the same batch as the bad item: nothing stored)
    for batch, error in (("10", TypeError), (2.0, TypeError), (True, TypeError), (0, ValueError), (-1, ValueError)):
        with pytest.raises(error, match="add_many's batch is"):
            ix.add_many([("a", seeds["000"], None)], batch=batch)
    assert len(ix) == 0
    import collections

    rows = np.array([["a", seeds["000"], None]], dtype=object)  # (a DataFrame's .values; any sequence of three)
    ix.add_many([*rows, collections.UserList(["b", seeds["001"], None]), ["c", seeds["002"], {"k": 1}]])
    assert sorted(ix.ids()) == ["a", "b", "c"]


def test_an_index_on_a_read_only_file_system_is_refused_saying_so(tmp_path, seeds, monkeypatch):
    """(A read-only mount, a container's read-only volume: 'give this user write access' could not help.)"""
    import types

    path = tmp_path / "ro.dedup"
    with Index.open(path) as ix:
        ix.add("000", seeds["000"])
    real_access, real_statvfs = os.access, os.statvfs
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK and os.fspath(p) == os.fspath(path) else real_access(p, mode, **kw))
    monkeypatch.setattr(os, "statvfs", lambda p: types.SimpleNamespace(f_flag=os.ST_RDONLY) if os.fspath(p) == os.fspath(path) else real_statvfs(p))
    with pytest.raises(IndexFileError, match="on a read-only file system; .* copy it to a writable place"):
        Index.open(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.dedup"]


def test_threads_that_share_an_index_take_turns(tmp_path, seeds):
    """A crawler's threads may share one Index: adds, checks and removals from four threads at once leave it sound
    (counts, band tables and rows agree, as after the same calls one at a time), and every call returns."""
    import threading

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads swap every few bytecodes: calls that could interleave, do
    path = tmp_path / "news.dedup"
    index = Index.open(path)
    errors: list[str] = []
    variants = [(f"{key}-{n}", f"Edition {n}.\n{text}") for n in range(6) for key, text in seeds.items()]

    def crawl(part: list[tuple[str, str]]) -> None:
        try:
            for article_id, text in part:
                index.check(article_id, text)
                index.add(article_id, text, {"n": article_id})
                if article_id.endswith("-0"):
                    assert index.remove(article_id)
        except Exception as e:  # noqa: BLE001 (reported below, with its thread's article)
            errors.append(f"{article_id}: {e!r}")

    try:
        threads = [threading.Thread(target=crawl, args=(variants[k::4],)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    assert sorted(index.ids()) == sorted(i for i, _ in variants if not i.endswith("-0"))
    assert index.check_integrity() == []
    index.close()
    with Index.open(path) as again:
        assert again.check_integrity() == [] and len(again) == 25


def test_band_tables_stored_in_many_parts_read_back_whole_as_one_snapshot(tmp_path, seeds, monkeypatch):
    """Opening reads the stored band tables' parts through two connections at once; those of the second are used
    only when it saw the same stored tables (a writer may store new ones between the two reads)."""
    from dedup import index as index_module
    from dedup.store import SQLiteStore

    monkeypatch.setattr(index_module, "_PART_BYTES", 1024)  # (256 MB a part: the seeds' tables would be one)
    path = tmp_path / "news.dedup"
    with Index.open(path) as ix:
        for key, text in seeds.items():
            ix.add(key, text, {})
    store = SQLiteStore(path)
    stored = [r[0] for r in store.db.execute("SELECT data FROM parts WHERE name='bands' ORDER BY part")]
    elsewhere, read = SQLiteStore._blobs_elsewhere, []
    monkeypatch.setattr(SQLiteStore, "_blobs_elsewhere", lambda *args: read.append(elsewhere(*args)) or read[-1])
    assert len(stored) >= 8 and store.parts("bands") == stored
    assert read[0] == stored[1::2]  # (half of them read by the second connection)
    with Index.open(path) as again:
        assert again.check_integrity() == [] and len(again._terms) == 5 * again.sketcher.term_bands[0]

    newer = [b"\0" * len(p) for p in stored]  # (what the second connection would see, had it read them)

    def written_meanwhile(self, rowids, name, token):
        writer = SQLiteStore(path)
        writer.set_parts("bands", newer, writer.get_meta("generation"))
        writer.close()
        return elsewhere(self, rowids, name, token)

    monkeypatch.setattr(SQLiteStore, "_blobs_elsewhere", written_meanwhile)
    assert store.parts("bands") == stored  # this connection's snapshot, whole: not half of each
    assert store.parts("bands") == newer
    store.close()


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        Index.open(path).close()
        results.put("ok")
    except Exception as e:  # (what the test shows, whatever it is)
        results.put(f"{type(e).__name__}: {e}")


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_processes_that_create_one_index_at_once_all_open_it(tmp_path):
    """A crawler's workers starting together on a new index: an open that met another one creating the file failed
    with "not a dedup index (database is locked)" (4 of 120 opens, 4 processes at a time: helper-43's walk)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    outcomes = []
    for trial in range(40):
        barrier, results = ctx.Barrier(4), ctx.Queue()
        workers = [ctx.Process(target=_open_at_once, args=(str(tmp_path / f"i{trial}.dedup"), barrier, results)) for _ in range(4)]
        for w in workers:
            w.start()
        outcomes += [results.get(timeout=60) for _ in workers]
        for w in workers:
            w.join()
    assert [o for o in outcomes if o != "ok"] == []


def _keep_adding(path: str, texts: list[str], started, stop) -> None:
    with Index.open(path) as writer:
        for n in range(100_000):
            writer.add(f"w{n}", texts[n % len(texts)] + f" Update {n}.")
            if n == 3:  # (adding at its pace by now)
                started.set()
            if stop.is_set():
                return


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_an_integrity_check_is_sound_while_another_process_adds(tmp_path, seeds):
    """A crawler keeps adding while `dedup index check` runs: the check reads one state of the file. It said the
    counts and the band tables differed from the articles (exit 1) on a sound index, because it read them in several
    transactions while the writer committed between them (helper-43's walk)."""
    import multiprocessing

    path = str(tmp_path / "busy.dedup")
    pieces = [" ".join(t.split()[i : i + 120]) for t in seeds.values() for i in range(0, len(t.split()), 40)]
    with Index.open(path) as ix:
        ix.add_many((f"p{k}", text, None) for k, text in enumerate(pieces * 6))
    ctx = multiprocessing.get_context("fork")
    started, stop = ctx.Event(), ctx.Event()
    writer = ctx.Process(target=_keep_adding, args=(path, pieces, started, stop))
    writer.start()
    try:
        assert started.wait(60)
        with Index.open(path) as checker:
            found = [checker.check_integrity() for _ in range(6)]
            assert len(checker) > len(pieces) * 6  # (the writer's articles are in what it checked)
    finally:
        stop.set()
        writer.join(60)
    assert found == [[]] * 6
