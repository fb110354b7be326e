"""The tuning results database: one SQLite file in the cache root.

A run is keyed by everything that makes its results valid: the kernel, the hash of its
source (and of the registry headers it includes), its fixed defines, the compiler version,
the device's name and compute capability, the problem and its dtype, and the objective.
Under a run, every configuration evaluated is one row: its status, reason, objective
value, samples, worst error, resources and the model's inputs (``metrics``), written as soon
as it is known, so a run that is interrupted resumes from what it stored. ``$WARPBENCH_TUNE_DB`` names another file
(the test suite points it at an empty one, so that no stored tuning changes a default).

The file's ``user_version`` is :data:`SCHEMA_VERSION`. A file from before version 2 gains
the ``metrics`` column and loses its emulator ``model`` runs, whose values came from a model
that ignored each configuration's memory traffic and do not compare with today's; GPU
``time`` runs are kept. :attr:`TuneDatabase.notice` says so in one line.
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from warpbench.cache import cache_root
from warpbench.errors import ConfigError
from warpbench.tune.record import Evaluation

FILE_NAME = "tune.sqlite"
#: SQLite has no infinity literal: an output never written (infinite error) is stored as this.
_INFINITE = 1e308
SCHEMA_VERSION = 2
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, kernel TEXT NOT NULL, source_hash TEXT NOT NULL, defines TEXT NOT NULL,
    compiler TEXT NOT NULL, device TEXT NOT NULL, arch TEXT NOT NULL, problem TEXT NOT NULL,
    dtype TEXT NOT NULL, objective TEXT NOT NULL, created REAL NOT NULL,
    UNIQUE (kernel, source_hash, defines, compiler, device, arch, problem, dtype, objective))""",
    """CREATE TABLE IF NOT EXISTS configs (
    run INTEGER NOT NULL REFERENCES runs(id), config TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL, value REAL, median REAL, iqr REAL, samples TEXT NOT NULL, max_error REAL,
    resources TEXT NOT NULL, seconds REAL NOT NULL, evaluated REAL NOT NULL, position INTEGER NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (run, config))""",
)
_COLUMNS = ("run", "config", "status", "reason", "value", "median", "iqr", "samples", "max_error", "resources",
            "seconds", "evaluated", "position", "metrics")


def database_path() -> Path:
    """Where the database lies: ``$WARPBENCH_TUNE_DB``, else ``tune.sqlite`` in the cache root."""
    explicit = os.environ.get("WARPBENCH_TUNE_DB", "").strip()
    return Path(explicit).expanduser() if explicit else cache_root() / FILE_NAME


@dataclass(frozen=True)
class RunKey:
    """What a run's results are valid for (see the module docstring); problem and defines are JSON."""

    kernel: str
    source_hash: str
    defines: str
    compiler: str
    device: str
    arch: str
    problem: str
    dtype: str
    objective: str

    @property
    def problem_dict(self) -> dict:
        """The problem as a dict."""
        return json.loads(self.problem)


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


class TuneDatabase:
    """The results database at ``path`` (default :func:`database_path`), created on first use."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else database_path()
        #: One line when opening the file upgraded it (see the module docstring), else None.
        self.notice: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._upgrade()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"tuning database {self.path} cannot be used ({exc}); set WARPBENCH_TUNE_DB "
                              f"or WARPBENCH_CACHE_DIR to a writable place") from None

    def _upgrade(self) -> None:
        """Create the tables, or bring an older file to :data:`SCHEMA_VERSION`, in one locked
        transaction (two processes opening an old file upgrade it once); a current file is
        only read."""
        if self._version() == SCHEMA_VERSION:
            return
        self._db.isolation_level = None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._version() < SCHEMA_VERSION:
                self._migrate()
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        finally:
            self._db.isolation_level = ""

    def _version(self) -> int:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ConfigError(f"tuning database {self.path} has schema {version}, newer than this warpbench's "
                              f"{SCHEMA_VERSION}; update warpbench or set WARPBENCH_TUNE_DB to another file")
        return version

    def _migrate(self) -> None:
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(configs)")}
        if columns and "metrics" not in columns:
            self._db.execute("ALTER TABLE configs ADD COLUMN metrics TEXT NOT NULL DEFAULT '{}'")
            old = [row[0] for row in self._db.execute("SELECT id FROM runs WHERE objective = 'model'")]
            self._db.execute("DELETE FROM configs WHERE run IN (SELECT id FROM runs WHERE objective = 'model')")
            self._db.execute("DELETE FROM runs WHERE objective = 'model'")
            if old:
                self.notice = (f"tuning database {self.path}: dropped {len(old)} emulator 'model' run(s) of an older "
                               f"model that ignored each configuration's memory traffic; GPU 'time' runs are kept")
        for statement in SCHEMA:
            self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def run_id(self, key: RunKey) -> int:
        """The id of the run for ``key``, created when there is none yet."""
        fields = asdict(key)
        where = " AND ".join(f"{name} = ?" for name in fields)
        found = self._db.execute(f"SELECT id FROM runs WHERE {where}", tuple(fields.values())).fetchone()
        if found:
            return found[0]
        names = ", ".join(fields)
        cursor = self._db.execute(f"INSERT INTO runs ({names}, created) VALUES ({', '.join('?' * len(fields))}, ?)",
                                  (*fields.values(), time.time()))
        self._db.commit()
        return cursor.lastrowid

    def runs(self, kernel: str | None = None) -> list[tuple[int, RunKey]]:
        """Every run (of ``kernel``), oldest first, as (id, key)."""
        names = list(RunKey.__dataclass_fields__)
        query = f"SELECT id, {', '.join(names)} FROM runs" + (" WHERE kernel = ?" if kernel else "") + " ORDER BY id"
        return [(row[0], RunKey(*row[1:])) for row in self._db.execute(query, (kernel,) if kernel else ())]

    def evaluations(self, run: int) -> list[Evaluation]:
        """Every configuration stored under ``run``, in the order they were evaluated."""
        rows = self._db.execute("SELECT config, status, reason, value, median, iqr, samples, max_error, resources, "
                                "seconds, metrics FROM configs WHERE run = ? ORDER BY position", (run,))
        return [Evaluation(json.loads(config), status, reason, value, tuple(json.loads(samples)), median, iqr,
                           math.inf if max_error is not None and max_error >= _INFINITE else max_error,
                           json.loads(resources), seconds, json.loads(metrics))
                for config, status, reason, value, median, iqr, samples, max_error, resources, seconds, metrics
                in rows]

    def store(self, run: int, evaluation: Evaluation) -> None:
        """Write (or replace) one configuration's row and commit it at once."""
        position = self._db.execute("SELECT COUNT(*) FROM configs WHERE run = ?", (run,)).fetchone()[0]
        error = evaluation.max_error
        self._db.execute(
            f"INSERT OR REPLACE INTO configs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            (run, json.dumps(evaluation.config), evaluation.status, evaluation.reason, _number(evaluation.value),
             _number(evaluation.median), _number(evaluation.iqr), json.dumps(list(evaluation.samples)),
             None if error is None else (_INFINITE if math.isinf(error) else _number(error)),
             json.dumps(evaluation.resources), evaluation.seconds, time.time(), position,
             json.dumps(evaluation.metrics)))
        self._db.commit()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
