"""`mkdocs serve` rebuilds that keep the site directory's unchanged files.

Before each build MkDocs deletes everything in the site directory but its hidden entries,
then copies every theme and media file and writes every page again: after one new capture
at 1,000 versions, 8,400 files are deleted and 5,600 of them copied back unchanged. Under
serve (whose site directory is a temporary folder of MkDocs' own), and only when every
plugin of the build is this one or Material's search, whose writes are known, `KeptSite`

- moves the previous build's files into a hidden folder of the site directory before the
  clean (which leaves hidden entries alone) and back after it;
- lets MkDocs skip writing a file that is as the build that wrote it left it (size, inode,
  modification and change times) and would be made of the same again: a copy of an unchanged
  source, a generated file of the same content, a page from the serve cache with the same
  output key (written to the null device instead);
- after the build, deletes every file the previous build left that this build neither wrote
  nor kept, and the folders that leaves empty.

The directory then holds what a clean build writes, byte for byte (the tests compare whole
sites). Any other plugin or hook could skip writing a file it finds in place, which the
last step would take for stale, so with one in the build MkDocs cleans as usual.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ASIDE = ".policy-diff-previous-build"

_State = tuple[int, int, int, int, int]  # mode, size, inode, mtime_ns, ctime_ns


def _state(path: str) -> _State | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def _walk(site: str) -> tuple[dict[str, _State], list[str]]:
    """Every file under the site directory's visible entries, and its folders (parents first)."""
    files: dict[str, _State] = {}
    folders: list[str] = []
    pending = [e.path for e in os.scandir(site) if not e.name.startswith(".")]
    while pending:
        path = pending.pop()
        state = _state(path)
        if state is None:
            continue
        if stat.S_ISDIR(state[0]):
            folders.append(path)
            pending.extend(e.path for e in os.scandir(path))
        else:
            files[path] = state
    folders.sort(key=lambda p: p.count(os.sep))
    return files, folders


def _known_writers(config: MkDocsConfig) -> bool:
    for plugin in config.plugins.values():
        module = type(plugin).__module__
        if not (module.startswith(("policydiff.", "material.plugins.search."))):
            return False
    return True


def _kept_copy(dirty: bool = False) -> None:
    """A file's copy left in place: the same bytes as its source (`KeptSite.keep_copies`)."""


@dataclass
class KeptSite:
    enabled: bool = False  # `mkdocs serve` without --dirty (set at start-up)
    # dest -> (what made the file, its state as the build left it): a copy's source and the
    # source's state before the copy, a generated file's content, a page's output key
    written: dict[str, tuple[object, _State]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # dests not written again in this build (tests read it)
    removed: list[str] = field(default_factory=list)  # stale files deleted after this build (tests read it)
    _active: bool = False
    _before: dict[str, _State] = field(default_factory=dict)  # the files put back, as they were
    _made: dict[str, object] = field(default_factory=dict)  # dest -> what makes it in this build
    _redirected: list[tuple[File, str]] = field(default_factory=list)  # pages not written again, their dest

    def set_aside(self, config: MkDocsConfig) -> None:
        """Before MkDocs cleans the site directory (`on_pre_build`, last)."""
        self._active = self.enabled and _known_writers(config)
        self._before, self._made, self.kept, self.removed, self._redirected = {}, {}, set(), [], []
        if not self._active:
            self.written = {}
            return
        site = Path(config.site_dir)
        aside = site / ASIDE
        if aside.exists():  # left by a build stopped between its clean and its files
            shutil.rmtree(aside)
        names = [n for n in os.listdir(site) if not n.startswith(".")] if site.is_dir() else []
        if names:
            aside.mkdir()
            for name in names:
                os.rename(site / name, aside / name)

    def put_back(self, config: MkDocsConfig) -> None:
        """Once MkDocs has cleaned it (`on_files`, first)."""
        if not self._active:
            return
        site = Path(config.site_dir)
        aside = site / ASIDE
        if aside.is_dir():
            for name in os.listdir(aside):
                os.rename(aside / name, site / name)
            aside.rmdir()
        self._before = _walk(str(site))[0] if site.is_dir() else {}

    def keep_copies(self, files: Files) -> None:
        """Before MkDocs copies the static files (`on_env`): skip each copy already in place.
        A source's state is read before its copy is made, so a source edited meanwhile is
        copied again next time."""
        if not self._active:
            return
        by_dest: dict[str, list[File]] = {}
        for file in files:
            if not file.is_documentation_page():
                by_dest.setdefault(file.abs_dest_path, []).append(file)
        for dest, candidates in by_dest.items():
            if len(candidates) != 1:
                continue
            file = candidates[0]
            if file.abs_src_path is None:  # made in memory
                made: object = file._content
            else:
                state = _state(file.abs_src_path)
                made = None if state is None else (file.abs_src_path, state)
            if made is None:
                continue
            self._made[dest] = made
            if self._in_place(dest, made):
                file.copy_file = _kept_copy  # type: ignore[method-assign]
                self.kept.add(dest)

    def _in_place(self, dest: str, made: object) -> bool:
        """Whether the file at `dest` is what `made` made, as the build that wrote it left it."""
        return self.written.get(dest) == (made, self._before.get(dest))

    def in_place(self, file: File, key: str) -> bool:
        """Whether the page's file is what its output `key` (the same key, the same bytes) made."""
        return self._active and self._in_place(file.abs_dest_path, key)

    def page_written(self, file: File, key: str, *, reused: bool) -> bool:
        """After the page's last `on_post_page`: `key` names its output; `reused`, when that
        output was not made again in this build. True when the file is in place: MkDocs
        writes the page to the null device instead."""
        if not self._active:
            return False
        dest = file.abs_dest_path
        self._made[dest] = key
        if not (reused and self.in_place(file, key)):
            return False
        self._redirected.append((file, dest))
        file.abs_dest_path = os.devnull  # type: ignore[misc]
        self.kept.add(dest)
        return True

    def clear_stale(self, config: MkDocsConfig) -> None:
        """After every other plugin's `on_post_build`: delete what only the previous build
        wrote, and remember what made each file of this build."""
        if not self._active:
            return
        for file, dest in self._redirected:
            file.abs_dest_path = dest  # type: ignore[misc]
        self._redirected = []
        site = str(config.site_dir)
        now, folders = _walk(site)
        for path, state in self._before.items():
            if path not in self.kept and now.get(path) == state:
                os.unlink(path)
                del now[path]
                self.removed.append(path)
        if self.removed:
            for folder in reversed(folders):
                with contextlib.suppress(OSError):  # only an empty one goes
                    os.rmdir(folder)
        self.written = {dest: (made, now[dest]) for dest, made in self._made.items() if dest in now}
        self._before, self._made = {}, {}
