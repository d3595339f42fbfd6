"""The `dedup` command line: scan a folder, align two articles, build and query an index."""
from __future__ import annotations

import itertools
import json
import os
import shlex
import signal
import sqlite3
import stat
import sys
import tempfile
import threading
import warnings
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Iterable, Iterator, Optional

import typer
from typer.core import TyperCommand

from . import normalize
from .config import Config
from .index import Index
from .read import ARTICLE_EXTENSIONS, Article, Skipped, Sources, article_extension, display_path, from_visible, notes, read_sources, read_stream, visible, where
from .store import IndexFileError, SQLiteStore, check_replaceable, delete_file, replace_file
from .workers import WorkerError, cpu_count

if TYPE_CHECKING:
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

app = typer.Typer(
    help="Find copies and rewrites of the same news story, and show what each outlet kept, changed, dropped or added.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
def _version(value: bool) -> None:
    if value:
        from . import __version__

        _write(f"dedup {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Find copies and rewrites of the same news story, and show what each outlet kept, changed, dropped or added."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (`timeout`, a scheduler) as Ctrl-C: an add says how far it got, a scan's temporary files and
    worker processes go (they were left behind)."""
    raise KeyboardInterrupt


index_app = typer.Typer(help="Build, update and query a persistent index (one SQLite file).", no_args_is_help=True)
app.add_typer(index_app, name="index")


class _Command(TyperCommand):
    """A command whose --help names each argument by its metavar alone (typer adds the Python type: `FILE <list[Path]>`),
    and which reports an index file that stops reading part-way (a damaged page or record) as such, not as a traceback."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        options = args[: args.index("--")] if "--" in args else args  # (after --, every argument is a value as it is)
        if "" in args or any(a.startswith("--") and a.endswith("=") for a in options):  # a path would be taken as the
            # current folder, an id would fail deep inside
            _fail("an empty argument ('' or --option=) is not a file, folder, id or value (a variable that was not set?)", 2)
        short = next((a for a in options if len(a) > 2 and a[0] == "-" and a[1] != "-" and a[2] == "="), None)
        if short:  # click would take "=…" as the value: -o=report.csv writes "=report.csv"
            _fail(f"{short}: a short option takes its value after a space ({short[:2]} {short[3:] or 'VALUE'}); only --long=VALUE takes '='", 2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Context):
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _say_warning
                return super().invoke(ctx)
        except KeyboardInterrupt:  # (where a command can say what it kept, it says so itself and exits 130)
            _fail(f"interrupted: `{' '.join(['dedup', *ctx.command_path.split()[1:]])}` stopped before it finished", 130)
        except IndexFileError as e:  # a file that is no index, or damaged: the message names it
            _fail(str(e))
        except sqlite3.DatabaseError as e:
            index = ctx.params.get("index") or "INDEX"
            _fail(f"{index}: damaged ({e}); `dedup index build SOURCE… --index {index}` rebuilds it from its sources (given no SOURCE, from the articles that still read)")

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or record[0], record[1]))
            else:
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


_EXTENSIONS = (" ".join(sorted(ARTICLE_EXTENSIONS)) + ", each also gzip-compressed (news.jsonl.gz). A JSON record is an object with \"id\" and \"text\" (and, optional, \"title\","
               " \"url\", \"source\", \"published\"); a .json file holds one, an array of them or {\"articles\": [...]}, a .jsonl file one a line")
IDS_HELP = (
    "An article's id is its path under the folder given (world/story.txt), after the folder's name when several sources"
    " are given (bbc/world/story.txt; folders that share a name: after their paths, crawl-a/news/...). A file given on"
    ' its own is known by its name, a JSON record by its "id"; one inside a folder also given is read there, under that'
    " folder's ids, whatever the order of the arguments."
)

FormatOpt = Annotated[
    Optional[str],
    typer.Option("--format", "-f", metavar="FORMAT", help="Output format: table, json, jsonl or csv. Default: the --out file's extension (.json, .jsonl or .ndjson, .csv), else table."),
]


def _say_warning(message: Warning | str, category: type, filename: str, lineno: int, file: object = None, line: str | None = None) -> None:
    """What the library warns of (a damaged row of an index, band tables rebuilt) as a plain line on stderr."""
    typer.echo(f"warning: {message}", err=True)


def _fail(message: str, code: int = 1) -> None:
    """Exit with code after one line on stderr; bytes of file names that are not UTF-8 and control characters
    (a path given on the command line can hold any) shown as \\xNN."""
    typer.echo(visible(display_path(f"dedup: {message}")), err=True)
    raise typer.Exit(code)


def _write(text: str) -> None:
    """Write to standard output; a full disk is an error, a reader that stopped reading (`| head`) is not."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        raise typer.Exit(0)
    except OSError as e:
        _fail(f"cannot write to standard output ({e.strerror or e})")


def _check_format(fmt: str, known: tuple[str, ...]) -> str:
    """The format, in any case (-f JSON is json); exit 2 naming the choices when it is none of them."""
    if fmt.lower() not in known:
        _fail(f"unknown format {fmt!r}; choose {', '.join(known[:-1])} or {known[-1]}", 2)
    return fmt.lower()


# Compressed file names (a report written under one would not be what it says), and the tool that makes each.
_COMPRESSED = {".gz": "gzip", ".tgz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".lzma": "xz", ".zst": "zstd", ".lz4": "lz4",
               ".br": "brotli", ".zip": None, ".z": None}


def _format_of(out: Optional[Path]) -> str:
    """The report format an --out file's extension names (r.json: json; r.json.gz: json, refused by _check_out
    with a pipe that writes it), else table."""
    if out and out.suffix.lower() in _COMPRESSED:
        out = out.with_suffix("")
    suffix = out.suffix.lower().lstrip(".") if out else ""
    suffix = "jsonl" if suffix == "ndjson" else suffix  # (as the readers take it)
    return suffix if suffix in ("json", "jsonl", "csv") else "table"


def _check_out(out: Optional[Path], inputs: list[Path] = (), piped: str | None = None) -> None:
    """Refuse an output path that cannot be written, that names a compressed file, or that is an article this
    command reads (a slip of the keyboard would replace it with the report), before any work is done (exit code 2).
    piped: the command that writes the same report to stdout, when there is one (the advice for a compressed name)."""
    if out is None:
        return
    if out.suffix.lower() in _COMPRESSED:
        tool = _COMPRESSED[out.suffix.lower()]
        pipe = f", or pipe the report: {piped} | {tool} > {out}" if piped and tool else ""
        _fail(f"{out}: dedup writes no compressed files; write {out.with_suffix('')} and compress it{pipe}", 2)
    mode = _mode(out)
    if mode is not None and stat.S_ISDIR(mode):
        _fail(f"{out}: is a folder; give a file name", 2)
    if mode is not None and not stat.S_ISREG(mode):  # a device or pipe (/dev/stdout): written to directly
        if not os.access(out, os.W_OK):
            _fail(f"{out}: not writable", 2)
        return
    real = out.resolve()
    if mode is not None:
        for source in map(Path.resolve, inputs):
            if real == source or (source.is_dir() and real.is_relative_to(source) and article_extension(str(real))[0] is not None):
                _fail(f"{out}: is one of the articles being read; the report would replace it (give another file name)", 2)
        if not os.access(real, os.W_OK):
            _fail(f"{out}: not writable (read-only file)", 2)
    if not real.parent.is_dir():
        _fail(f"{out}: folder {real.parent} does not exist", 2)
    try:  # the report is written beside it, then renamed: try that (access() passes root, and /sys or /proc)
        with tempfile.NamedTemporaryFile(dir=real.parent, prefix=f".{real.name}.", suffix=".probe"):
            pass
    except OSError as e:
        _fail(f"{out}: cannot create files in {real.parent} ({e.strerror or e})", 2)


def _mode(path: Path) -> int | None:
    """The mode of what path names, links followed (None when nothing is there); a link loop is an error (exit 2)."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        _fail(f"{path}: cannot write ({e.strerror or e})", 2)
    raise AssertionError  # unreachable: _fail exits


def _emit(text: str, out: Optional[Path]) -> None:
    """Write to out (or standard output): a file is replaced whole, through a temporary file of its own beside
    it (its permissions kept), so a reader never sees half a report; a link is followed, a device or pipe is
    written to directly."""
    if out is None:
        _write(text)
        return
    mode = _mode(out)
    try:
        if mode is not None and not stat.S_ISREG(mode):
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            real = out.resolve()
            fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
                os.replace(tmp, real)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as e:
        _fail(f"{out}: cannot write ({e.strerror or e})")
    typer.echo(f"wrote {out}", err=True)


def _umask() -> int:
    """The process's file-creation mask (read by setting it, so set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _progress():
    """A progress callback drawing a bar on stderr when it is a terminal, else doing nothing. Reading and indexing
    files count bytes (of the files' total size), the other stages articles or pairs; one with a total shows the
    time left."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.filesize import decimal
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    class Done(ProgressColumn):
        def render(self, task) -> Text:
            if task.fields.get("bytes"):
                size = decimal(int(task.total)) if task.total else "?"
                return Text(f"{decimal(int(task.completed))} of {size}", style="progress.download")
            return Text(f"{int(task.completed):,}/{f'{int(task.total):,}' if task.total else '?'}", style="progress.download")

    bar = Progress(TextColumn("{task.description}"), BarColumn(), Done(), TimeElapsedColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total, bytes=stage in ("reading", "indexing"))
        bar.update(tasks[stage], completed=done, total=total)

    return bar, update


def _status(message: str):
    """A spinner with message on stderr while a step without steps of its own runs (on a terminal only)."""
    if not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _check_sources(sources: list[Path]) -> None:
    """Exit 1 naming a source that cannot be reached, and why."""
    for s in sources:
        why = _unreachable(s)
        if str(s) == "-" and why:
            _fail("-: this command reads folders and files, not standard input (`dedup align` and `dedup index query` read an article from -)")
        if why:
            _fail(f"{s}: {why}")


def _unreachable(path: str | Path) -> str | None:
    """Why path cannot be reached, or None: nothing by that name, a link that leads nowhere, or the system's
    reason (a folder on the way that this user may not enter)."""
    try:
        os.stat(path)
    except OSError as e:
        if os.path.islink(path):
            return f"a symbolic link that leads nowhere ({e.strerror})"
        if isinstance(e, (FileNotFoundError, NotADirectoryError)):
            return "no such file or folder"
        return f"cannot be reached ({e.strerror})"
    return None


@app.command(cls=_Command, epilog=IDS_HELP)
def scan(
    sources: Annotated[list[Path], typer.Argument(metavar="SOURCE", help=f"Folders (walked recursively) or files: {_EXTENSIONS}")],
    fmt: FormatOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Write the report to this file instead of stdout (replaced whole when complete; not compressed: pipe the report, with --format, to gzip for that).")] = None,
    profile: Annotated[bool, typer.Option("--profile", help="Print each stage's share of the time on stderr.")] = False,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", "-j", min=1, metavar="N", help="Processes that sketch articles, at most one per core. Default: every core from 5,000 articles up. The report does not depend on it."),
    ] = None,
) -> None:
    """Group the articles under SOURCES into stories.

    Prints every story with its members, the relation of each verified pair (duplicate, near-duplicate,
    rewrite; partial for two members joined through others) and its figures, the links between stories
    (partial reuse, rewrites across stories, a text held whole in several stories), the unique articles, and
    every skipped file with the reason. With --format json, csv or jsonl, or --out, the one-line summary goes to
    stderr. Exit code 0 when the scan ran, whatever it found; 1 when it could not (a SOURCE missing, a worker
    process died); 2 for a usage error (an unknown --format, an --out file that cannot be written); 130 when
    interrupted (nothing written).
    """
    from .report import FORMATS, headline, render
    from .scan import scan as run_scan

    fmt = _check_format(fmt or _format_of(out), FORMATS)
    _check_out(out, sources, f"dedup scan … --format {fmt}")
    _check_sources(sources)
    if workers is not None and workers > cpu_count():  # (each process costs ~160 MB and a second to start, and more than the cores run no faster)
        from .align import counted

        typer.echo(f"note: --workers {workers:,} is more than the {counted(cpu_count(), 'core')} this machine gives dedup: "
                   f"{counted(cpu_count(), 'process', 'processes')}", err=True)
        workers = cpu_count()
    bar, update = _progress()
    try:
        if bar:
            with bar:
                result = run_scan(sources, Config(), update, workers)
        else:
            result = run_scan(sources, Config(), workers=workers)
    except WorkerError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail("interrupted: the scan stopped before its report (nothing was written)", 130)
    if not (fmt == "table" and out is None and sys.stdout.isatty()):  # (a table on the terminal ends with them)
        for w in result.warnings:
            typer.echo(f"warning: {w}", err=True)
    _emit(render(result, fmt), out)
    if fmt != "table" or out is not None:  # (a table on stdout starts with this line)
        typer.echo(headline(result), err=True)
    if profile:
        total = result.timings.get("total", 0.0) or 1e-9
        for stage, seconds in result.timings.items():
            if stage != "total":
                typer.echo(f"  {stage:<40} {seconds:8.3f} s  {100 * seconds / total:5.1f}%", err=True)
        typer.echo(f"  {'total':<40} {total:8.3f} s", err=True)


@app.command(cls=_Command, short_help="Compare two articles passage by passage.")
def align(
    a: Annotated[str, typer.Argument(metavar="A", help="First article: a file (- for standard input), or an id in --index.")],
    b: Annotated[str, typer.Argument(metavar="B", help="Second article: a file (- for standard input), or an id in --index.")],
    index: Annotated[Optional[Path], typer.Option("--index", metavar="INDEX", help="Look A and B up as ids in this index.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")] = "text",
    html: Annotated[Optional[Path], typer.Option("--html", metavar="FILE", help="Also write a side-by-side HTML report to this file.")] = None,
) -> None:
    """Align two articles passage by passage: shared verbatim, reworded (with the word diff), only in A, only in B.

    A and B are files holding one article each or, with --index, ids in that index (to align two records of a
    JSON or JSONL file, index it first). A file without an article's extension (.txt .text .md .markdown
    .html .htm .xhtml .json .jsonl .ndjson: a page saved without one, say) is read as text, or as HTML when it
    starts like a page.

    --format json prints "a", "b", "summary", "counts" (passages of each kind) and "segments": each has "kind"
    (same, reworded, only_a or only_b), "a" and "b" ({"start", "end", "text"}: character offsets into that
    article's text, null on the side it is missing from), "moved" (a shared passage out of B's order: marked
    "moved" in the text and HTML views too), "similarity" (0 to 1) and "diff" (a reworded
    passage's words as written, as [op, text] pairs: op "=" in both, "-" only in A, "+" only in B; the "=" and
    "-" pieces join to A's passage, the "=" and "+" pieces to B's).

    Exit code 0 when aligned; 1 when an article could not be read (no such file or id, an empty or binary file);
    2 for a usage error (a folder, a device or pipe, a file of several articles, an unknown --format, an --html
    file that cannot be written); 130 when interrupted.
    """
    from . import align as aligner

    fmt = _check_format(fmt, ("text", "json"))
    _check_out(html, [] if index else [Path(a), Path(b)])
    if a == b == "-" and index is None:
        _fail("standard input (-) can be A or B, not both: give the other article as a file", 2)
    text_a, text_b = _load_article(a, index), _load_article(b, index)
    result = aligner.align(text_a, text_b)
    a, b = display_path(a), display_path(b)  # a file name's undecodable bytes as \xNN: the report stays valid UTF-8
    if fmt == "json":
        _write(json.dumps({"a": a, "b": b, "summary": aligner.summarize(result), **aligner.to_dict(result, text_a, text_b)}, indent=2, ensure_ascii=False) + "\n")
    else:
        _write(f"A: {aligner.visible(a)}\nB: {aligner.visible(b)}\n" + aligner.render_text(result, text_a, text_b, color=sys.stdout.isatty()) + "\n")
    if html:
        _emit(aligner.render_html(result, text_a, text_b, a, b), html)


def _load_article(ref: str, index: Optional[Path]) -> str:
    """The text of article ref: an id in index, or else a file holding one article."""
    if index is None:
        return _load_file(ref)
    ix = _open_existing(index)
    try:
        found = next((held for form in _id_forms(ref) if (held := ix.text(form)) is not None), None)
    finally:
        ix.close()
    if found is None:
        hint = (f" ({ref} is a file: with --index, A and B are both ids; `dedup index query {shlex.quote(str(index))} {shlex.quote(ref)}` "
                "lists the indexed articles it matches)") if os.path.isfile(ref) else ""
        _fail(f"{index}: no article with id '{ref}'{hint}")
    return found[0]


def _id_forms(given: str) -> list[str]:
    """The ids an argument may name, in the order to try them: as typed, then as a terminal shows it (visible(): a
    newline in it as \\x0a). (A file name's bytes that are not UTF-8 are stored as \\xNN, as reports show them.)"""
    typed = display_path(given)
    shown = from_visible(typed)
    return [typed] if shown == typed else [typed, shown]


def _say_skipped(item: Skipped) -> None:
    typer.echo(visible(f"note: {item.said()}" if item.covered else f"skipped {item.said()}"), err=True)


def _say_notes(item: Article, limit: int) -> None:
    """Warn on stderr of what read.notes says of an article (truncated, bytes replaced)."""
    for said in notes(item, limit):
        typer.echo(f"warning: {said}", err=True)


def _load_file(ref: str) -> str:
    """The one article in file ref, or on standard input for "-" (its records that are not articles reported on
    stderr); exits naming the file and the reason when there is not exactly one: 2 for a folder, a device or pipe,
    or several articles, else 1. (A named pipe is not read: with no writer, opening it would wait for ever.)"""
    limit = Config().max_article_chars
    if ref == "-":
        return _one_article("standard input", read_stream("-", typer.get_binary_stream("stdin"), limit), limit, stat.S_IFREG)
    why = _unreachable(ref)
    if why == "no such file or folder":
        _fail(f"{ref}: no such file (use --index to align two indexed ids)")
    if why:
        _fail(f"{ref}: {why}")
    mode = os.stat(ref).st_mode
    if stat.S_ISDIR(mode):
        _fail(f"{ref}: is a folder, align takes two files", 2)
    if stat.S_ISREG(mode) and article_extension(ref)[0] is None:
        try:
            with open(ref, "rb") as stream:  # (a page saved without its extension, `curl -o story`: read as standard input is)
                items = read_stream(ref, stream, limit)
        except OSError as e:
            _fail(f"{ref}: cannot read: {e.strerror or e}")
    else:
        items = list(read_sources([ref], limit))
    return _one_article(ref, items, limit, mode)


def _one_article(ref: str, items: list[Article | Skipped], limit: int, mode: int) -> str:
    """The text of the one article among what ref held (mode: its file's), else exit saying why (see _load_file)."""
    from .align import counted

    articles = [i for i in items if isinstance(i, Article)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    if not articles:
        more = f" (and {counted(len(skipped) - 1, 'other record')} not read)" if len(skipped) > 1 else ""
        if stat.S_ISREG(mode):
            _fail(f"{ref}: {skipped[0].reason}{more}")
        _fail(f"{ref}: {skipped[0].reason}, align takes two files (one may be -: standard input, `curl … | dedup align - B`)", 2)  # a device, pipe or socket
    if len(articles) > 1:
        ids = " ".join(visible(shlex.quote(a.id)) for a in articles[:2])
        saved = "save them as FILE.jsonl, index it" if ref == "standard input" else "index the file"
        _fail(f"{ref}: holds {len(articles):,} articles, align takes one per file; to align two of them, {saved} and"
              f" give their ids: dedup index build {'FILE.jsonl' if ref == 'standard input' else shlex.quote(ref)} --index INDEX,"
              f" then dedup align {ids} --index INDEX", 2)
    for item in skipped:
        _say_skipped(item)
    _say_notes(articles[0], limit)
    return articles[0].text


@dataclass
class _Added:
    """What adding sources did: articles added, of them (when counted) those replacing the article indexed with
    their id (of those, the ones read from another file: files sharing a name, or JSON records sharing an id),
    those identical to it (text and metadata), and those identical to an indexed article whose id is theirs with a folder more or less in front
    (a folder added again beside another: the id rule met unawares); files skipped."""

    added: int = 0
    replaced: int = 0
    other_file: int = 0
    other_record: int = 0
    unchanged: int = 0
    read: int = 0
    copies: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0


def _unchanged(ix: Index, article_id: str, text: str, meta: dict, held: tuple[str, dict] | None = None) -> bool:
    """Whether the index holds this article as it is (text, cut as the index cuts it, and metadata)."""
    return (held or ix.text(article_id)) == (text[: ix.config.max_article_chars], meta)


def _same_file_under_another_folder(a: str, b: str) -> bool:
    """Whether ids a and b name one file's path, one under a folder more than the other (000.txt, seeds/000.txt)."""
    return a != b and (a.endswith("/" + b) or b.endswith("/" + a))


def _added(done: _Added) -> str:
    """'N articles added', and how many of them replaced the article of the same id, when that was counted."""
    from .align import counted

    return f"{counted(done.added, 'article')} added" + (f" ({done.replaced:,} of them replacing the article with the same id)" if done.replaced else "")


def _read_into(ix: Index, items: Iterable[tuple[str, str, dict] | Skipped], count_replaced: bool = False, building: tuple[Path, Path] | None = None,
               total: int | None = None, files: Sources | None = None) -> _Added:
    """Add every (id, text, metadata) of items; report skipped ones on stderr. Replacements and copies are counted
    when asked (one lookup per article). building: (the index, the file a build fills), for what an interruption says;
    total: how many items there are, when known; files: the files they are read from (the progress bar then
    measures the bytes read of those)."""
    done = _Added()
    bar, update = _progress()
    size = None
    if files is not None and update:  # (a walk of the folders first: the bar shows "indexing" meanwhile)
        update("indexing", 0, None)
        size = files.total_bytes() or None
    batch: list[tuple[str, str, dict]] = []

    def flush() -> None:
        todo = batch
        counts = _Added()  # this batch's, added to done once it is stored
        if count_replaced:  # (an article indexed as it is stays as it is: nothing written, its row and counts kept)
            kept = set()
            for article_id, (text, meta) in {article_id: (text, meta) for article_id, text, meta in batch}.items():
                held = ix.text(article_id)
                if held is not None:
                    same = _unchanged(ix, article_id, text, meta, held)
                    if same:
                        kept.add(article_id)
                    counts.unchanged += same
                    counts.replaced += not same
                    elsewhere = not same and held[1].get("path") != meta.get("path")
                    record = Path(meta.get("path", "")).suffix.lower() in (".json", ".jsonl")  # (its id is the record's own)
                    counts.other_record += elsewhere and record
                    counts.other_file += elsewhere and not record
            todo = [b for b in batch if b[0] not in kept]
        def stored() -> None:
            done.added += len(todo)
            for name in ("unchanged", "replaced", "other_record", "other_file"):
                setattr(done, name, getattr(done, name) + getattr(counts, name))

        last = todo[-1][0] if todo else None
        row = _row_of(ix, last)
        try:
            found = ix.add_many(todo)
        except IndexFileError as e:  # e.g. another process held the write lock past the timeout, or a damaged candidate
            _fail(f"{e}. {_added(done)}, the rest not")
        except KeyboardInterrupt:  # after the batch was committed, before add_many returned: it is stored, and said so
            if last is not None and _row_of(ix, last) not in (None, row):
                stored()
            raise
        stored()  # (counted at once: an interruption after this batch says it was added)
        if count_replaced:
            for (article_id, _, _), matches in zip(todo, found):
                twins = [m.id for m in matches if m.relation == "duplicate" and _same_file_under_another_folder(m.id, article_id)]
                if twins:
                    done.copies.append((article_id, twins[0]))
        done.read += len(batch)
        batch.clear()
        if update and files is not None:
            update("indexing", files.read_bytes(), size)
        elif update:
            update("re-indexing", done.read, total)

    try:
        with bar if bar else nullcontext():
            for item in items:
                if isinstance(item, Skipped):
                    done.skipped += not item.covered  # (a source another one reads: a note, nothing skipped)
                    _say_skipped(item)
                    continue
                batch.append(item)
                if len(batch) >= 1000:
                    flush()
            if batch:
                flush()
    except KeyboardInterrupt:  # (a batch is stored whole or not at all)
        if building:
            typer.echo(f"interrupted: {done.added:,} articles indexed into {building[1]}, the rest not; {_untouched(building[0])}"
                       " (run the same command again to resume)", err=True)
        else:
            typer.echo(f"interrupted: {_added(done)}, the rest not (the index is sound: run the command again to add them)", err=True)
        raise typer.Exit(130) from None
    return done


def _row_of(ix: Index, article_id: str | None) -> int | None:
    """The row an article is stored in (a replacement gets a new one), or None: whether a batch was committed."""
    held = ix.store.counted(article_id) if article_id is not None else None
    return held[0] if held else None


def _from_files(sources: Sources, limit: int, index: Path) -> Iterator[tuple[str, str, dict] | Skipped]:
    """The articles under sources as (id, text, metadata: title, url, source, published, path), what read_sources
    says of each told on stderr; skipped inputs as they are, but for the files of the index itself and of its build
    (an index kept in the folder it indexes: they are not inputs)."""
    own = {os.path.realpath(f"{name}{suffix}") for name in (index, _building(index)) for suffix in ("", "-wal", "-shm", "-journal", ".lock")}
    for item in sources:
        if isinstance(item, Skipped):
            if os.path.realpath(item.path) not in own:
                yield item
            continue
        _say_notes(item, limit)
        yield item.id, item.text, {k: v for k, v in (("title", item.title), ("url", item.url), ("source", item.source), ("published", item.published),
                                                    ("path", display_path(os.path.abspath(item.path)) if item.path else "")) if v}


def _held(index: Path) -> Iterator[tuple[str, str, dict] | Skipped]:
    """The articles an index holds, oldest first, with their metadata: what a build given no SOURCE indexes again
    (a crawler's index, whose articles came from no folder). One that no longer reads whole, or no longer matches
    its checksum (a text or metadata changed on disk), is left out, said so."""
    store = SQLiteStore(index, create=False, older=True)
    try:
        for row, article_id, record, why in store.salvage():
            if record is None:
                name = f"article {article_id!r}" if article_id is not None else f"row {row}"
                yield Skipped(str(index), visible(f"{name} is damaged ({why}): left out"))
            else:
                yield article_id, record.text, record.metadata
    except sqlite3.DatabaseError as e:
        yield Skipped(str(index), f"the articles after those read do not read ({e}): left out")
    finally:
        store.close()


def _untouched(index: Path) -> str:
    """What an interrupted build says of the index it would have replaced."""
    return f"{index} is as it was" if os.path.lexists(index) else f"{index} is not created yet"


@index_app.command("build", cls=_Command, epilog=IDS_HELP, short_help="Rebuild an index from sources, atomically and resumably.")
def index_build(
    sources: Annotated[
        Optional[list[Path]],
        typer.Argument(metavar="SOURCE", show_default=False, help=f"Folders (walked recursively) or files to index; none: the articles INDEX holds. {_EXTENSIONS}"),
    ] = None,
    index: Annotated[Path, typer.Option("--index", metavar="INDEX", help="The index file to (re)build.")] = ...,
) -> None:
    """Rebuild an index from scratch, atomically: the old index stays readable until the new one is complete.

    Given no SOURCE, it rebuilds INDEX from the articles it holds, with their metadata (an index a crawler filled
    through the library, whose articles are in no folder, or one a previous dedup version wrote): counts, band
    tables and articles made anew, as the index's errors advise; an article that no longer reads whole or matches
    its checksum is left out, and listed.
    A rebuild keeps the parameters of the index it replaces (set through the library), when they read.

    The new index is built beside it (INDEX.building), checked, and copied into INDEX in one transaction at the
    end; processes that have INDEX open go on with the new contents. If a build is interrupted, running the
    same command again resumes from what INDEX.building holds (articles changed or deleted since are taken as
    they are now); a build from other sources starts over. A second build of the same INDEX while one runs is
    refused (it would take over the first one's INDEX.building); a build that indexes nothing leaves a non-empty
    INDEX as it was.

    Exit code 0 when INDEX holds the new index (skipped files are listed on stderr); 1 when it could not (a SOURCE
    missing, INDEX a file other than a dedup index, a failed check: the old index is left as it was); 2 when no
    SOURCE is given and INDEX holds no articles to rebuild from; 130 when interrupted (the build so far is kept in
    INDEX.building, and the same command resumes it).
    """
    sources = sources or []
    _check_sources(sources)
    own_articles = 0 if sources else _articles_in(index)
    if not sources and not own_articles:
        _fail(f"{index}: no SOURCE given, and no index there to rebuild from its own articles; give the folders or files to index", 2)
    damaged = check_replaceable(index)
    if damaged:
        typer.echo(f"dedup: {index}: damaged ({damaged}); the rebuild replaces it", err=True)
    building = _building(index)
    with _build_lock(index, building):
        _build(sources, index, building, damaged, own_articles)


def _build(sources: list[Path], index: Path, building: Path, damaged: str | None, own_articles: int) -> None:
    """index_build's work, under its lock (own_articles: how many INDEX holds, when it is rebuilt from them)."""
    job = json.dumps([str(p.resolve()) for p in sources])
    ix = _resumable(building, job, _kept_config(index))
    done = len(ix)
    if done:
        typer.echo(f"resuming: {building} already holds {done:,} articles", err=True)
    resumed = _ResumingIndex(ix) if done else ix
    files = Sources(sources, ix.config.max_article_chars) if sources else None
    articles = _from_files(files, ix.config.max_article_chars, index) if files else _held(index)
    skipped = _read_into(resumed, articles, building=(index, building), total=own_articles or None, files=files).skipped
    try:
        with _status(f"saving and checking {building}"):
            if done:
                resumed.remove_unseen()
            ix.close()  # saves the statistics and the band tables
            ix = Index.open(building, create=False)
            problems = ix.check_integrity()  # of what the next open reads: the stored band tables included
            total = len(ix)
            ix.close()
    except KeyboardInterrupt:
        _fail(f"interrupted while finishing: {_untouched(index)}; {building} holds what was indexed (run the same command again to resume)", 130)
    if problems:
        _fail(f"{building}: the new index failed its integrity check ({problems[0]}); the old index was left as it was")
    held = _articles_in(index) if total == 0 and damaged is None else 0
    if held:
        delete_file(building)  # (empty: nothing to resume)
        _fail(f"{index}: nothing could be indexed from the sources ({skipped:,} skipped), so the index ({held:,} articles) was left as it was; remove {index} first to make it empty")
    try:
        with _status(f"copying {building} into {index}"):
            replace_file(index, building, damaged=damaged is not None)  # (one transaction: the old index or the new)
    except IndexFileError as e:
        _fail(f"{e}; the new index is complete in {building}: run the same command again")
    except KeyboardInterrupt:
        _fail(f"interrupted while replacing {index}: it is the old index or the new one, whole (`dedup index stats` says which); "
              f"the new one is complete in {building}: run the same command again", 130)
    delete_file(building)
    typer.echo(f"{index}: {total:,} article{'s' * (total != 1)} indexed, {skipped:,} skipped", err=True)


def _building(index: Path) -> Path:
    """Where a build of this index writes the new one (INDEX.building; its lock beside it, INDEX.building.lock)."""
    real = index.resolve() if index.is_symlink() else index  # (two builds through two links to one index are one build)
    return real.with_name(real.name + ".building")


def _say_unfinished_build(index: Path) -> None:
    """A note on stderr when INDEX.building holds a build that stopped before it finished (killed, or interrupted):
    left alone, it takes disk space and nothing else says so."""
    building = _building(index)
    if building.is_file() and not _build_running(index):
        size = building.stat().st_size
        typer.echo(f"note: {building} ({size / 1e6:,.1f} MB) holds a `dedup index build` of {index} that did not finish: running"
                   " the same command again resumes it; delete it (and its -wal, -shm and .lock files) to give it up", err=True)


def _open_existing(index: Path) -> Index:
    """Index.open of an index that must exist; where it does not yet, a build of it that is running, or that stopped
    before it finished, is said (the index is made only when its first build ends)."""
    if not index.exists() and _building(index).is_file():
        _fail(f"{index}: no such index yet: a `dedup index build` of it is running; it is there when the build ends" if _build_running(index)
              else f"{index}: no such index: {_building(index)} holds a `dedup index build` of it that did not finish; running the same"
              " command again resumes it")
    return Index.open(index, create=False)


def _build_running(index: Path) -> bool:
    """Whether a `dedup index build` of this index holds its lock (_build_lock) now."""
    try:
        import fcntl
    except ImportError:
        return False
    building = _building(index)
    try:
        fd = os.open(building.with_name(building.name + ".lock"), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


@contextmanager
def _build_lock(index: Path, building: Path):
    """Hold INDEX.building.lock while a build runs: a second build of the same index would resume from, or start
    over on, the first one's partial index. The lock file is deleted when the build ends, still locked; a build
    that locked a file deleted so takes the new one. (A lock the system frees when the process ends, however it
    ends, leaving the file; where there is no fcntl, builds are not guarded.)"""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path = building.with_name(building.name + ".lock")
    if not path.parent.is_dir():
        _fail(f"{index}: cannot be created: folder {path.parent} does not exist")
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            _fail(f"{path}: cannot create the build's lock file ({e.strerror})")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            _fail(f"{index}: another `dedup index build` of it is running (it holds {path}); run this one when it has finished")
        if _same_file(fd, path):
            break
        os.close(fd)  # (the build that held it finished and deleted it: lock the file now there)
    try:
        yield
    finally:
        with suppress(OSError):
            path.unlink()
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """Whether path still names the open file fd."""
    try:
        here = path.stat()
    except OSError:
        return False
    held = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)


def _articles_in(index: Path) -> int:
    """How many articles an index file holds (0 when there is none)."""
    if not index.exists() or index.stat().st_size == 0:
        return 0
    store = SQLiteStore(index, create=False, older=True)
    try:
        return store.count()
    finally:
        store.close()


def _kept_config(index: Path) -> Config:
    """The parameters a rebuild keeps: those of the index it replaces (set through the library), when they read;
    else the defaults."""
    try:
        store = SQLiteStore(index, create=False, older=True)
    except IndexFileError:
        return Config()
    try:
        return Config.from_json(store.get_meta("config") or "{}")
    except (TypeError, ValueError, sqlite3.DatabaseError):
        return Config()
    finally:
        store.close()


def _resumable(building: Path, job: str, config: Config) -> Index:
    """The partial index an interrupted run of this same job left, or a new one with these parameters (anything
    else there is discarded)."""
    try:
        ix = Index.open(building)
    except IndexFileError as e:
        ix, why = None, str(e)
    else:
        same = ix.store.get_meta("build") == job and ix.config == config
        why = "" if not len(ix) or same else f"{building}: left by a build from other sources or with other parameters"
    if why or ix.config != config:
        if why:
            typer.echo(f"{why}; starting over", err=True)
        if ix is not None:
            ix.close()
        delete_file(building)
        ix = Index.open(building, config, create=True)
    ix.store.set_meta("build", job)
    return ix


class _ResumingIndex:
    """An index wrapper for a resumed build: articles the interrupted run already added are kept when their text
    and metadata are unchanged, replaced when changed, and removed at the end when no longer in the sources."""

    def __init__(self, ix: Index):
        self.ix, self.config, self.store, self.seen = ix, ix.config, ix.store, set()

    def add_many(self, batch):
        self.seen.update(b[0] for b in batch)
        todo = [b for b in batch if not _unchanged(self.ix, *b)]
        return self.ix.add_many(todo) if todo else []

    def remove_unseen(self) -> None:
        for article_id in self.ix.ids():
            if article_id not in self.seen:
                self.ix.remove(article_id)


@index_app.command("add", cls=_Command, epilog=IDS_HELP, short_help="Add articles (one with the same id replaces the old one).")
def index_add(
    index: Annotated[Path, typer.Argument(metavar="INDEX", help="The index file (created if missing).")],
    sources: Annotated[list[Path], typer.Argument(metavar="SOURCE", help=f"Folders (walked recursively) or files of articles to add: {_EXTENSIONS}")],
) -> None:
    """Add articles to an index (an article with the same id replaces the old one).

    Exit code 0 when they were added (skipped files are listed on stderr); 1 when a SOURCE is missing or INDEX is
    a file other than a dedup index; 130 when interrupted (the batches stored so far are kept, and counted).
    While a `dedup index build` of INDEX runs, what add stores is not in the index that build puts in its place:
    add says so.
    """
    _check_sources(sources)
    ix = Index.open(index, create=True)
    files = Sources(sources, ix.config.max_article_chars)
    done = _read_into(ix, _from_files(files, ix.config.max_article_chars, index), count_replaced=True, files=files)
    try:
        ix.close()  # (saves the counts and band tables: at a million articles, seconds)
    except KeyboardInterrupt:
        _fail(f"interrupted while saving: {done.added:,} articles added (the index is sound: its next open reads what was not saved)", 130)
    detail = f" ({done.replaced:,} replacing the article with the same id)" if done.replaced else ""
    unchanged = f", {done.unchanged:,} indexed already as they are (left alone)" if done.unchanged else ""
    typer.echo(f"{index}: {done.added:,} article{'s' * (done.added != 1)} added{detail}{unchanged}, {done.skipped:,} skipped", err=True)
    if done.added and _build_running(index):
        typer.echo(f"warning: a `dedup index build` of {index} is running and will replace it when it finishes, without what"
                   " this added: add these sources again once it has finished", err=True)
    if done.other_file:  # (an article replaced by another file's: not an edit of the same file)
        typer.echo("note: an id is the file's path under the folder given; to keep files that share names apart, add their"
                   " folders from a common parent folder", err=True)
    if done.other_record:
        typer.echo("note: a JSON record's id is its \"id\" field; a record from another file with an indexed record's id"
                   " replaced it: give records ids that are unique across files", err=True)
    if done.copies:
        new, old = done.copies[0]
        copies = len(done.copies)
        typer.echo(visible(f"note: {copies} added article{' is' if copies == 1 else 's are'} the same text as an indexed article"
                           f" whose id is the same path under another folder ({new} = {old}): an id is the file's path under the folder"
                           " given, after the folder's name when several sources are given; to keep one of each, remove the others with"
                           " `dedup index remove`"), err=True)


@index_app.command("remove", cls=_Command)
def index_remove(
    index: Annotated[Path, typer.Argument(metavar="INDEX", help="The index file.")],
    ids: Annotated[list[str], typer.Argument(metavar="ID", help="Ids of the articles to remove.")],
) -> None:
    """Remove articles by id (as `index query` and `scan` show them).

    Exit code 0 when every id was removed; 1 when one was not in the index (the others are removed) or INDEX is
    not a dedup index.
    """
    ix = _open_existing(index)
    try:
        missing = [i for i in ids if not any(ix.remove(form) for form in _id_forms(i))]
    finally:
        ix.close()
    for i in missing:
        typer.echo(visible(f"dedup: {index}: no article with id '{display_path(i)}'"), err=True)
    typer.echo(f"{index}: {len(ids) - len(missing)} removed", err=True)
    if len(missing) < len(ids) and _build_running(index):
        typer.echo(f"warning: a `dedup index build` of {index} is running and will replace it when it finishes, with what"
                   " its sources hold: remove these again once it has finished", err=True)
    if missing:
        raise typer.Exit(1)


@index_app.command("query", cls=_Command, short_help="Which indexed articles each of these copies, rewrites or reuses.")
def index_query(
    index: Annotated[Path, typer.Argument(metavar="INDEX", help="The index file.")],
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Articles to look up (files or folders; - reads standard input: an article, or JSON or JSON Lines records).")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = "table",
) -> None:
    """Which indexed articles does each of these copy, rewrite or partly reuse?

    Exit code 0 when the query ran, whatever it found (a FILE that is not an article is listed as skipped); 1 when
    a FILE is missing or INDEX is not a dedup index; 2 for an unknown --format.
    """
    from .report import figures

    fmt = _check_format(fmt, ("table", "json"))
    named = [f for f in files if str(f) != "-"]
    if len(files) - len(named) > 1:
        _fail("standard input (-) can be given once", 2)
    _check_sources(named)
    ix = _open_existing(index)
    limit = ix.config.max_article_chars
    found = read_sources(named, limit) if named else iter(())
    if len(named) < len(files):  # (standard input first when given first, else last)
        piped = read_stream("-", typer.get_binary_stream("stdin"), limit)
        found = itertools.chain(piped, found) if str(files[0]) == "-" else itertools.chain(found, piped)
    results = []
    for item in found:
        if isinstance(item, Skipped):
            results.append({"id": where(item), "skipped": item.reason, "matches": []})
            continue
        # (checked under its absolute path, not its id: an indexed article that has the file's id, this file or
        # another folder's, is a match like any other; standard input under "-", a JSON Lines record piped in under "-:LINE")
        probe = where(item) if item.path == "-" else os.path.abspath(where(item) or item.id)
        matches = [m.as_dict() for m in ix.check(probe, item.text)]
        said = {}  # why nothing matched, when the article is too short to compare
        if not matches and (words := normalize.word_count(normalize.clean(item.text))) < ix.config.min_words:
            said = {"reason": f"too short to compare ({words} word{'s' * (words != 1)})"}
        results.append({"id": item.id, "matches": matches, **said})
    ix.close()
    if fmt == "json":
        _write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        return
    lines = []
    for r in results:
        if "skipped" in r:
            lines.append(f"{r['id']}: skipped: {r['skipped']}")
        elif not r["matches"]:
            lines.append(f"{r['id']}: no match{': ' + r['reason'] if 'reason' in r else ''}")
        else:
            lines.append(f"{r['id']}:")
            lines += [f"  {m['relation']:<15} {m['id']}  ({figures(SimpleNamespace(**m))})" for m in r["matches"]]
    _write("".join(visible(line) + "\n" for line in lines))


@index_app.command("stats", cls=_Command, short_help="How many articles an index holds, and its parameters.")
def index_stats(
    index: Annotated[Path, typer.Argument(metavar="INDEX", help="The index file.")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = "table",
) -> None:
    """How many articles an index holds, and the parameters it was built with.

    Exit code 0 when read; 1 when INDEX is not a dedup index; 2 for an unknown --format.
    """
    from .align import counted

    fmt = _check_format(fmt, ("table", "json"))
    ix = _open_existing(index)
    stats = ix.stats()
    ix.close()
    _say_unfinished_build(index)
    stats["path"] = str(index)
    stats["bytes"] = index.stat().st_size
    building = _building(index)  # (a script's view of what _say_unfinished_build says)
    stats["build"] = {"path": str(building), "running": _build_running(index)} if building.is_file() else None
    if fmt == "json":
        _write(json.dumps(stats, indent=2) + "\n")
        return
    _write(f"{index}: {counted(stats['articles'], 'article')}, {stats['bytes']:,} bytes\n" + "".join(f"  {k} = {v}\n" for k, v in stats["config"].items()))


@index_app.command("check", cls=_Command, short_help="Verify an index's integrity (exit code 0 when sound).")
def index_check(index: Annotated[Path, typer.Argument(metavar="INDEX", help="The index file.")]) -> None:
    """Verify an index: storage integrity, every record's checksum and blobs, the saved term and line counts
    against a fresh count, the stored band tables against the records' band keys.

    Exit code 0 when sound; 1 when a problem was found (each is listed on stderr) or INDEX is not a dedup index.
    """
    ix = _open_existing(index)
    problems = ix.check_integrity()
    n = len(ix)
    ix.close()
    _say_unfinished_build(index)
    if problems:
        for p in problems:
            typer.echo(visible(display_path(f"{index}: {p}")), err=True)
        _fail(f"{index}: {len(problems):,} problem{'s' * (len(problems) > 1)} found")
    _write(visible(display_path(f"{index}: sound ({n:,} article{'s' * (n != 1)})")) + "\n")
