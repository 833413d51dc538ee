"""SQL that aggregates the figures from the report rows, and lists the items in scope with their state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from tracker.readdb import ReadConnection
from tracker.report.shape import Figures, Group
from tracker.report.sqlbits import Dialect, median_expr, register_median

DIMENSIONS = ("postmortem", "team", "severity", "target", "person")
NONE_KEY = "(none)"
WINDOWS = (30, 60, 90)  # days after the incident by which an item counts as done in time (manager's view)

FIGURES = (
    "total",
    "open",
    "in_progress",
    "done",
    "wont_do",
    "closed_by_bot",
    "overdue",
    "no_deadline",
    "on_time",
    "on_time_base",
    "deadline_slips",
    "items_slipped",
    "slip_days",
    "max_slip_days",
    "done_before_tracking",
    "due",
    "due_done",
)


@dataclass(frozen=True)
class Scope:
    """Which items a report covers, and the moment it describes."""

    cut: datetime  # events before this instant have happened; the report describes the state just before it
    today: date  # the local date of the report: "overdue" means a deadline before it
    low: datetime  # earliest moment a local date must be computed for (SQLite offset table)
    postmortem_ids: tuple[int, ...] | None = None  # None: every postmortem
    # `--owner`: the owner spellings (lowercased) attributed to that person today, or the text as written
    owner_spellings: tuple[str, ...] | None = None
    team: str | None = None  # only items owned by this [teams] team (`--team`)
    target: str | None = None  # only items linked to an issue on this target (`--target`)
    severity_aliases: tuple[tuple[str, str], ...] = ()  # [report] severity_aliases: grouped as one
    extra: dict[str, Any] = field(default_factory=dict)


# Each figure of one group of report rows `r` (see ReportRow): counts and sums over small integers.
# Only columns of the covering index `ix_report_rows_cells` may appear: the (team, targets) pass reads it.
_AGGREGATES = """
  COUNT(*) AS total,
  COUNT(*) FILTER (WHERE r.kind = 0) AS open,
  COUNT(*) FILTER (WHERE r.kind = 1) AS in_progress,
  COUNT(*) FILTER (WHERE r.kind = 2) AS done,
  COUNT(*) FILTER (WHERE r.kind = 3) AS wont_do,
  COUNT(*) FILTER (WHERE r.kind = 4) AS closed_by_bot,
  COUNT(*) FILTER (WHERE r.kind < 2 AND r.deadline < :today) AS overdue,
  COUNT(*) FILTER (WHERE r.deadline IS NULL) AS no_deadline,
  COUNT(*) FILTER (WHERE {on_time_base} AND {done_day} <= r.first_deadline) AS on_time,
  COUNT(*) FILTER (WHERE {on_time_base}) AS on_time_base,
  SUM(r.slips) AS deadline_slips,
  COUNT(*) FILTER (WHERE r.slips > 0) AS items_slipped,
  SUM(r.slip_days) AS slip_days,
  MAX(r.slip_days) AS max_slip_days,
  COUNT(*) FILTER (WHERE r.kind = 2 AND r.done_at IS NULL) AS done_before_tracking,
  COUNT(*) FILTER (WHERE r.deadline <= :today AND r.kind <> 3) AS due,
  COUNT(*) FILTER (WHERE r.deadline <= :today AND r.kind = 2) AS due_done"""
_ON_TIME_BASE = "r.kind = 2 AND r.first_deadline IS NOT NULL AND r.done_at IS NOT NULL"
_NAMES = [line.split(" AS ")[-1].strip(",") for line in _AGGREGATES.strip().splitlines()]
# Groups add up: the overall, severity, team and target figures are sums of finer groups.
_ROLLED_UP = ", ".join(
    f"{'MAX' if name == 'max_slip_days' else 'SUM'}({{g}}.{name}) AS {name}" for name in _NAMES
)
_DONE = "r.kind = 2 AND r.days_to_done IS NOT NULL"  # the partial indexes' condition, word for word


def scope_filters(scope: Scope, alias: str = "r", item_lookup: bool = True) -> list[str]:
    """The items in scope, as conditions on report rows (`r`) or on item_states (`st`).

    `item_lookup=False` keeps SQLite from using `--target`'s item list in a lookup by primary key
    (postmortem, item, valid_from): SQLite 3.40 returned extra rows from that lookup (41 of 33,293
    in the 100k bench), so a pass that reads report rows postmortem by postmortem tests it per row.
    """
    filters = []
    if scope.postmortem_ids is not None:
        ids = ", ".join(str(int(i)) for i in scope.postmortem_ids) or "NULL"
        filters.append(f"{alias}.postmortem_id IN ({ids})")
    if scope.owner_spellings is not None:
        names = ", ".join(f":o{i}" for i in range(len(scope.owner_spellings))) or "NULL"
        if alias == "r":
            filters.append(f"r.owner_lower IN ({names})")
        else:
            # The report rows' owner index finds the items; their stretches are then checked.
            filters.append(
                f"{alias}.item_id IN (SELECT o.item_id FROM report_rows o WHERE o.owner_lower IN ({names}))"
            )
            filters.append(f"LOWER({alias}.owner_text) IN ({names})")
    if scope.team is not None:
        if alias == "r":
            filters.append(f"r.team = {literal(scope.team)}")
        else:
            # Teams follow today's [people]/[teams] (owner_names), not the team stored at import.
            filters.append(
                f"LOWER({alias}.owner_text) IN (SELECT n.owner_lower FROM owner_names n"
                f" WHERE n.team = {literal(scope.team)})"
            )
    if scope.target is not None:
        plain = "" if item_lookup else "+"  # unary + : the same value, not usable for an index
        filters.append(
            f"{plain}{alias}.item_id IN (SELECT l.item_id FROM links l WHERE l.target = {literal(scope.target)})"
        )
    return filters


def literal(value: str) -> str:
    """A SQL string literal (quotes doubled): for the few values fixed per report, not per row."""
    return "'" + value.replace("'", "''") + "'"


def severity_key(column: str, scope: Scope) -> str:
    """The severity a row is grouped under: `[report] severity_aliases` applied, '(none)' for none."""
    mapped = column
    if scope.severity_aliases:
        cases = " ".join(f"WHEN {literal(a)} THEN {literal(b)}" for a, b in scope.severity_aliases)
        mapped = f"CASE {column} {cases} ELSE {column} END"
    return f"COALESCE({mapped}, '{NONE_KEY}')"


def scope_values(scope: Scope) -> dict[str, Any]:
    """The bound values `scope_filters` refers to."""
    return {f"o{i}": name for i, name in enumerate(scope.owner_spellings or ())}


def row_filter(scope: Scope, item_lookup: bool = True) -> str:
    """The report rows of the items in scope, in the stretch that holds at the cut."""
    cut = ["r.valid_from < :cut", "(r.valid_to IS NULL OR r.valid_to >= :cut)"]
    return " AND ".join(cut + scope_filters(scope, "r", item_lookup))


def union(selects: list[str]) -> str:
    return "\nUNION ALL\n".join(selects)


def figures_sql(
    dialect: Dialect,
    scope: Scope,
    dimensions: tuple[str, ...],
    incident_months: bool = False,
    targets: tuple[str, ...] | None = None,
) -> str:
    """One statement: the figures overall and per key of each dimension, with the median days to done.

    Two passes over the report rows give every count: one per postmortem (which adds up to the
    severity and overall figures, and with `incident_months` to the months of the incidents) and one
    per (team, set of targets) cell (which adds up to the team and target figures; an item linked on
    two targets counts once for each). Medians do not add up: each dimension reads the done rows
    once, from a partial index that holds them in order.

    `targets` (SQLite: the link targets' names, `target_names`): the overall and per-target medians
    are then one read of the done rows, each aggregate FILTERed to its target, instead of a read
    per target (0.02 s instead of 0.08 s over 47,000 done rows).
    """
    where = row_filter(scope)
    done_day = dialect.local_day("r.done_at", scope.low, scope.cut)
    aggregates = _AGGREGATES.format(on_time_base=_ON_TIME_BASE, done_day=done_day)
    median = median_expr(dialect, "r.days_to_done")
    names = ", ".join(_NAMES)
    pm_sums = _ROLLED_UP.format(g="pm")
    cell_sums = _ROLLED_UP.format(g="c")
    has = dialect.contains
    # Incident months: the days from each postmortem's incident to an item's close are counted in the
    # postmortem pass (its rows are read postmortem by postmortem anyway), so the months are sums of
    # postmortems, not another pass over every report row. Other groups carry NULLs in those columns.
    windows = ""
    pm_where = where
    pm_source = "report_rows r"
    pm_key = "r.postmortem_id"
    # What the postmortem and severity groups read of the postmortem: joined by id to the pass's rows,
    # or (incident months) carried by the pass itself, which reads the postmortems first anyway.
    pm_columns = ""
    pm_join = " JOIN postmortems p ON p.id = pm.postmortem_id"
    pm_slug, pm_severity = "p.slug", "p.severity"
    no_windows = ""
    if incident_months:
        incident_day = (
            "CAST(julianday(p.incident_date) - 2440587.5 AS INTEGER)"
            if dialect.sqlite
            else "(p.incident_date - DATE '1970-01-01')"
        )
        windows = "".join(
            f",\n  COUNT(*) FILTER (WHERE r.kind = 2 AND r.done_at IS NOT NULL"
            f" AND {done_day} - {incident_day} <= {n}) AS within_{n}"
            for n in WINDOWS
        )
        # SQLite: postmortems first (CROSS JOIN keeps the order), each reading its own report rows
        # in the table's order: no lookup per report row, and the groups come in order.
        join = "CROSS JOIN" if dialect.sqlite else "JOIN"
        pm_source = f"postmortems p {join} report_rows r ON r.postmortem_id = p.id"
        pm_key = "p.id"
        # Bare columns of the grouped postmortem: one value per group (PostgreSQL: p.id is its key).
        pm_columns = ", p.slug AS slug, p.severity AS severity, p.incident_date AS incident_date"
        pm_join, pm_slug, pm_severity = "", "pm.slug", "pm.severity"
        pm_where = row_filter(scope, item_lookup=False)
        no_windows = ", NULL, NULL, NULL"
        if scope.postmortem_ids is not None:  # the outer loop's postmortems, not only the rows'
            pm_where += f" AND p.id IN ({', '.join(str(int(i)) for i in scope.postmortem_ids) or 'NULL'})"
    parts = [
        f"SELECT 'overall' AS dim, '' AS key, {pm_sums}, CAST(NULL AS FLOAT) AS median_days_to_done"
        + "".join(f", CAST(NULL AS INTEGER) AS within_{n}" for n in WINDOWS if incident_months)
        + " FROM pm"
    ]
    one_read = targets is not None and dialect.sqlite
    if one_read:
        medians = ["SELECT 'overall' AS dim, '' AS key, m0 AS median_days_to_done FROM done_medians"]
    else:
        medians = [f"SELECT 'overall' AS dim, '' AS key, {median} AS median_days_to_done FROM report_rows r"
                   f" WHERE {where} AND {_DONE}"]  # fmt: skip
    postmortem_rows = ""
    for dim in dimensions:
        if dim == "postmortem":
            # Ten thousand rows with their own median: added after the medians' join, not through it.
            postmortem_rows = (
                f"\nUNION ALL\nSELECT 'postmortem', {pm_slug}, {names}, pm.median_days_to_done{no_windows}"
                f" FROM pm{pm_join}"
            )
        elif dim == "severity":
            key = severity_key(pm_severity, scope)
            parts.append(
                f"SELECT 'severity', {key}, {pm_sums}, NULL{no_windows} FROM pm{pm_join} GROUP BY {key}"
            )
            row_key = severity_key("r.severity", scope)
            medians.append(
                f"SELECT 'severity', {row_key}, {median} FROM report_rows r"
                f" WHERE {where} AND {_DONE} GROUP BY {row_key if scope.severity_aliases else 'r.severity'}"
            )
        elif dim == "team":
            parts.append(
                f"SELECT 'team', COALESCE(c.team, '{NONE_KEY}'), {cell_sums}, NULL{no_windows} FROM cells c"
                " GROUP BY c.team"
            )
            medians.append(
                f"SELECT 'team', COALESCE(r.team, '{NONE_KEY}'), {median} FROM report_rows r"
                f" WHERE {where} AND {_DONE} GROUP BY r.team"
            )
        elif dim == "target":
            parts.append(
                f"SELECT 'target', n.target, {cell_sums}, NULL{no_windows} FROM target_names n"
                f" JOIN cells c ON {has('c.targets', 'n.target')} GROUP BY n.target"
            )
            parts.append(
                f"SELECT 'target', '{NONE_KEY}', {cell_sums}, NULL{no_windows} FROM cells c WHERE c.targets IS NULL"
                " HAVING COUNT(*) > 0"
            )
            if one_read:
                medians += [f"SELECT 'target', '{NONE_KEY}', m1 FROM done_medians"] + [
                    f"SELECT 'target', {literal(name)}, m{index} FROM done_medians"
                    for index, name in enumerate(targets or (), start=2)
                ]
                continue
            # A subquery per target, not a join: each picks its own index (the done rows, or a
            # scope's postmortems), where a join would make SQLite build a filter over every row.
            medians.append(
                f"SELECT 'target', n.target, (SELECT {median} FROM report_rows r"
                f" WHERE {where} AND {_DONE} AND {has('r.targets', 'n.target')}) FROM target_names n"
                " WHERE n.target IS NOT NULL"
            )
            medians.append(
                f"SELECT 'target', '{NONE_KEY}', {median} FROM report_rows r"
                f" WHERE {where} AND {_DONE} AND r.targets IS NULL"
            )
        elif dim == "person":
            parts.append(
                f"SELECT 'person', COALESCE(r.owner_person, '{NONE_KEY}'), {aggregates}, {median}{no_windows}"
                f" FROM report_rows r WHERE {where} GROUP BY r.owner_person"
            )
    if incident_months:
        month = "substr(pm.incident_date, 1, 7)" if dialect.sqlite else "to_char(pm.incident_date, 'YYYY-MM')"
        window_sums = "".join(f", SUM(pm.within_{n})" for n in WINDOWS)
        parts.append(
            f"SELECT 'incident_month', {month}, {pm_sums}, NULL{window_sums} FROM pm"
            f" WHERE pm.incident_date IS NOT NULL GROUP BY {month}"
        )
    window_columns = "".join(f", f.within_{n}" for n in WINDOWS if incident_months)
    done_medians = ""
    if one_read:
        filtered = ["tracker_median(r.days_to_done) FILTER (WHERE r.targets IS NULL) AS m1"] + [
            f"tracker_median(r.days_to_done) FILTER (WHERE {has('r.targets', literal(name))}) AS m{index}"
            for index, name in enumerate(targets or (), start=2)
        ]
        done_medians = f"""
done_medians AS MATERIALIZED (
  SELECT tracker_median(r.days_to_done) AS m0, {", ".join(filtered)}
  FROM report_rows r WHERE {where} AND {_DONE}
),"""
    return f"""
WITH RECURSIVE {done_medians}
pm AS MATERIALIZED (
  SELECT {pm_key} AS postmortem_id, {aggregates}, {median} AS median_days_to_done{windows}{pm_columns}
  FROM {pm_source} WHERE {pm_where} GROUP BY {pm_key}
),
cells AS MATERIALIZED (
  SELECT r.team, r.targets, {aggregates} FROM report_rows r WHERE {where} GROUP BY r.team, r.targets
),
{TARGET_NAMES},
figures AS (
{union(parts)}
),
medians AS (
{union(medians)}
)
SELECT f.dim, f.key, {", ".join(f"f.{name}" for name in _NAMES)},
  COALESCE(f.median_days_to_done, m.median_days_to_done) AS median_days_to_done{window_columns}
FROM figures f LEFT JOIN medians m ON m.dim = f.dim AND m.key = f.key{postmortem_rows}"""


# The distinct targets by skipping through the links index: a lookup per target, not a scan.
TARGET_NAMES = """target_names (target) AS (
  SELECT MIN(target) FROM links
  UNION ALL
  SELECT (SELECT MIN(l.target) FROM links l WHERE l.target > n.target) FROM target_names n
  WHERE n.target IS NOT NULL
)"""


def params(dialect: Dialect, scope: Scope, rows: bool = False) -> dict[str, Any]:
    """The scope's bound values: for `item_states` (stored forms), or for `report_rows` (integers)."""
    values: dict[str, Any] = (
        {"cut": dialect.micros(scope.cut), "today": dialect.day_number(scope.today)}
        if rows
        else {"cut": dialect.ts(scope.cut), "today": dialect.day(scope.today)}
    )
    return values | scope_values(scope)


# A figures statement's columns: dim, key, the FIGURES, the median (then the windows of incident months).
_KEYED = ("key", *FIGURES)
_MEDIAN_AT = 2 + len(FIGURES)


def finish(values: Sequence[Any]) -> dict[str, Any]:
    """One row of the figures statement as figures with their key: ints, rates and the median.

    Ten thousand postmortem rows pass here, so it builds one dict from the row's positions; the counts
    are ints as they come unless a sum says otherwise (PostgreSQL's sums of counts are Decimals,
    SQLite's empty sums None).
    """
    group: dict[str, Any] = dict(zip(_KEYED, values[1:_MEDIAN_AT], strict=True))
    try:
        exact = type(sum(values[2:_MEDIAN_AT])) is int
    except TypeError:  # a None among them
        exact = False
    if not exact:
        group.update((name, int(group[name] or 0)) for name in FIGURES)
    committed = group["total"] - group["wont_do"]
    group["completion_rate"] = round(group["done"] / committed, 4) if committed else None
    base = group["on_time_base"]
    group["on_time_rate"] = round(group["on_time"] / base, 4) if base else None
    median = values[_MEDIAN_AT]
    group["median_days_to_done"] = round(float(median), 1) if median is not None else None
    return group


def figures(
    connection: ReadConnection,
    dialect: Dialect,
    scope: Scope,
    dimensions: tuple[str, ...],
    incident_months: bool = False,
) -> tuple[Figures, dict[str, list[Group]]]:
    """(overall figures, {dimension: [figures with their key]}) as of the scope's cut.

    With `incident_months`, the groups also hold "incident_month": the figures of the postmortems
    of each month of incidents (key YYYY-MM), with `within_30`/`_60`/`_90`: the items done within
    that many days of their incident (read by `manager.by_incident_month`).
    """
    register_median(connection, dialect)
    targets = None
    if dialect.sqlite:  # see figures_sql: one read of the done rows for every target's median
        targets = tuple(
            connection.scalars(
                f"WITH RECURSIVE {TARGET_NAMES} SELECT target FROM target_names WHERE target IS NOT NULL"
            )
        )
    rows = connection.tuples(
        figures_sql(dialect, scope, dimensions, incident_months, targets), params(dialect, scope, rows=True)
    )
    overall: Figures | None = None
    groups: dict[str, list[Group]] = {dim: [] for dim in dimensions}
    if incident_months:
        groups["incident_month"] = []
    for values in rows:
        dim = values[0]
        group = finish(values)
        if dim == "overall":
            del group["key"]  # the summary is the figures alone
            overall = cast(Figures, group)
            continue
        if dim == "incident_month":
            for index, n in enumerate(WINDOWS, start=_MEDIAN_AT + 1):
                group[f"within_{n}"] = int(values[index] or 0)
        groups[dim].append(cast(Group, group))
    assert overall is not None, "the statement's first part sums every group into one row"
    for dim in groups:
        groups[dim].sort(key=lambda g: (g["key"] == NONE_KEY, str(g["key"])))
    return overall, groups
