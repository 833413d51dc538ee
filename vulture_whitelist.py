"""Names vulture reports as unused that are used where it cannot see (`vulture` reads this file too).

Each group says why. Dead code is deleted, not listed here; the last group is the exception: dead code
in files that other branches were rewriting when vulture was added, to delete once they have merged.
"""

# Hooks that a framework calls by name.
_.do_POST, _.do_PUT, _.do_DELETE, _.log_message, _.date_time_string  # http.server handlers (sandbox)
do_DELETE, do_HEAD, do_PATCH, do_POST, do_PUT  # http.server handlers assigned in one line (sandbox)
protocol_version, disable_nagle_algorithm, _.close_connection  # http.server handler settings
daemon_threads, allow_reuse_address  # socketserver settings (sandbox/server_base.py)
exc_type, tb  # the __exit__ signature (sandbox/github.py)
_.handle_DATA, mechanism  # aiosmtpd handler hooks and their signature (tests' SMTP servers)
_.handle_starttag, _.handle_endtag, _.handle_data  # html.parser hooks (tests reading the HTML report)
_.whitespace_split, _.commenters  # shlex settings (tests/test_docs_recipes.py)
_.format_commands  # click.Group hook (cli.py's command list for --help)
impl, cache_ok, _.process_bind_param, _.process_result_value  # SQLAlchemy TypeDecorator (models.py)
type_annotation_map  # SQLAlchemy declarative base setting (models.py)
_.finalize  # sqlite3 aggregate protocol (report/sqlbits.py registers the class as a SQL function)
pytestmark  # pytest reads it from a test module
_.max_retry_delay  # an attribute of the jira library's client, set by a test to avoid waiting

# Database columns: written by the ORM, read by raw SQL (reports, repair), migrations and people.
remote_node_id, _.remote_node_id, tool_version, last_good_run_id, _.last_good_run_id, verify_offset
heartbeat_at, days_to_done, slip_days, in_progress, wont_do, period

# Read by name: getattr(channel, "password_env") in notify/channels.py's secret(); schema fields read by
# tracker/config_keys.py through dataclasses.fields (Files.include is merged before validation).
password_env, include
EXIT_OK  # the table of exit codes in tracker/errors.py is documented whole; 0 is click's own default

# DEAD, in files other branches are rewriting: delete the code and these lines after merging them.
_.rate_limit_state  # tracker/sandbox/github_controls.py (adopt)
head_revision  # tracker/db.py (fast)
ChangeSet  # tracker/history.py (fast)
DIMENSIONS  # tracker/report/queries.py (fast)
to_rich  # tracker/report/render_text.py (fast)
percent  # tracker/report/sections.py (fast)
_.days_between_dates, _.days_between_times  # tracker/report/sqlbits.py (fast)
_.losing_value  # tracker/merge.py (plan16)

# Enum members and stored flags: values the database holds (written as text by other code or by
# older versions), and link flags set through `with_flags(**changes)`, which vulture cannot follow.
MANUAL, MEMORY  # tracker/linkstate.py: link origin 'manual' (`tracker relink`), target kind 'memory'
_.title_cut  # tracker/linkstate.py LinkFlags: set by with_flags(title_cut=...) in sync/create.py
# Hypothesis calls a RuleBasedStateMachine's rules, invariants and teardown by decorator and name.
_.teardown, _.first_item, _.never_a_duplicate, _.never_a_false_close, TestSyncMachine
# The ORM class declares the owner_names table in the models' metadata (create_all, Alembic's
# autogenerate comparison); reads and writes go through SQL text (tracker/report/, states.py).
OwnerName
# The report's TypedDicts (tracker/report/shape.py) declare the JSON keys the report writes by string.
_.no_deadline, _.on_time_base, _.deadline_slips, _.items_slipped, _.max_slip_days, _.done_before_tracking
_.due_done, _.completion_rate, _.on_time_rate, _.median_days_to_done, _.age_hours, _.done_time_unknown
_.window_base, _.within_30, _.rate_30, _.within_60, _.rate_60, _.within_90, _.rate_90
_.previous_report_at, _.unowned_means, _.due_so_far, _.since_previous, _.report_version, _.generated_at
# The sync_runs column the report's freshness reads in SQL text (tracker/report/build.py).
_.finished_at
