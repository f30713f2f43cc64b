"""The World Cup rules: the only place that knows how points, standings and classifications
are worked out. Pure, with no ORM and no cache, in layers that import one way:

- `rules`: a season's rules as data (`Rules`, `rules_for`) and one line's points (`points_for`);
- `ranking`: `standings(scores, best_of, tie_break)`: counted and dropped results, gross and
  net, tie-breaks and why;
- `classification`: what a race's classification must hold;
- `table`: a season's tables (race columns, "after K of M", rank changes, progression) and
  their one JSON shape and CSV rows;
- `compare`: published standings against computed ones;
- `athlete`: an athlete's record.

`loader` is the one module here that reads the database (one query per season) and keeps the
caches; it imports the models, which import only the pure modules above.
"""
