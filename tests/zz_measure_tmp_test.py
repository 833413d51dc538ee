import json, math
from test_scale_adopt import *

@pytest.mark.parametrize("n", [500, 2000])
def test_measure(gh, run_cli, make_config, workdir, db_url, n):
    numbers = [gh.create_issue(REPO, f"Filed by hand {i}") for i in range(n)]
    for number in numbers[: n // 4]:
        gh.close_issue(REPO, number, "completed", actor="dana-w")
    make_config(config_text(gh.api_url))
    for path in write_documents(workdir, numbers):
        run_cli.ok("import", str(path))
    gh.set_rate_limit(limit=100000, remaining=100000, reset_in=3600)
    first = sync(run_cli)
    posts = sum(1 for r in gh.requests if r.method == "POST")
    print(f"\nMEASURE n={n} linked={linked(db_url)} requests={first['requests']} per_issue={first['requests']/n:.3f} posts={posts}")
    by = {}
    for r in gh.requests:
        key = r.method + " " + ("events" if r.path.endswith("events") else "list" if r.path.endswith("/issues") else "single" if r.path.split("/")[-1].isdigit() else r.path.split("/")[-1])
        by[key] = by.get(key, 0) + 1
    print("MEASURE", by)
    for k in (150, 300):
        pass
