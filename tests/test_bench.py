"""bench/: the data set, the query counter, the live writer and the report, fast enough to run
with the suite (no gunicorn, no wrk: the writer's requests go through Django's test client)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from urllib.parse import parse_qs

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench import cpu, instructions, report, run, seeding, targets
from bench.cli import count_queries
from bench.live import Member, Writer, reply_request, rsvp_request, succeeded
from conversations.models import Post, Reply
from meetings.models import AgendaTopic, Rsvp

pytestmark = pytest.mark.django_db

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8077/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.80ms    4.10ms  60.00ms   80.00%
  Latency Distribution
     50%   21.80ms
     75%   23.00ms
     90%   25.00ms
     99%   31.50ms
  7240 requests in 10.00s, 80.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    724.00
Transfer/sec:      8.00MB
"""


def test_the_seed_builds_what_the_benchmark_requests():
    assert not seeding.seeded()
    seeding.seed(scale=0.005)
    assert seeding.seeded()
    found = seeding.targets()
    assert Rsvp.objects.filter(meeting_id=found.meeting_id, answer="going").count() >= 12
    assert AgendaTopic.objects.filter(meeting_id=found.meeting_id).count() == 15
    assert Post.objects.get(pk=found.post_id).replies.count() == 100
    assert found.session_key
    # Writers for the live rows: other members, none of them going to the meeting.
    assert len(found.writer_sessions) >= 4
    assert found.session_key not in found.writer_sessions


def test_query_counts_are_taken_through_the_middleware_with_the_session(settings):
    seeding.seed(scale=0.005)
    found = seeding.targets()
    thread = f"/circles/{found.circle_slug}/posts/{found.post_id}/"
    counts = count_queries([thread, "@" + thread], found.session_key)
    assert counts[thread] in (-302, -404), "signed out, a thread is not shown"
    # 200 (not -302 or -404): the session signed the member in. The second request is
    # counted: the person, the post with the reader's role and the replies
    # (conversations/thread.py).
    assert counts["@" + thread] == 3


def test_bench_cpu_measures_the_signed_in_page_through_the_whole_stack(settings, monkeypatch):
    """bench/cpu.py calls Django's WSGI handler with the bench member's session cookie."""
    from django.core.wsgi import get_wsgi_application

    monkeypatch.setattr(cpu, "REQUESTS", 3)
    monkeypatch.setattr(cpu, "WARMUP", 2)
    seeding.seed(scale=0.005)
    found = seeding.targets()
    application = get_wsgi_application()
    cookie = f"{settings.SESSION_COOKIE_NAME}={found.session_key}"
    thread = f"/circles/{found.circle_slug}/posts/{found.post_id}/"
    # As Django's test client does: the test's transaction must outlive each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        cpu_ms, wall_ms, size = cpu.measure(application, thread, cookie)
        assert cpu_ms > 0 and wall_ms > 0 and size > 10_000  # the thread and its 100 replies
        with pytest.raises(SystemExit, match="answered (302|404)"):
            cpu.measure(application, thread, "")  # signed out: not shown, so not measured
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_the_members_pages_are_requested_with_the_csrf_cookie_their_browser_keeps(client):
    """As a browser sends it back: the page renews that cookie instead of making a new secret."""
    seeding.seed(scale=0.005)
    found = seeding.targets()
    page = f"/circles/{found.circle_slug}/"
    header = targets.member_cookie(found.session_key)
    cookies = dict(part.split("=", 1) for part in header.split("; "))
    assert cookies == {"sessionid": found.session_key, "csrftoken": targets.BROWSER_CSRF}
    client.cookies.load(cookies)
    response = client.get(page)
    assert response.status_code == 200
    assert response.cookies["csrftoken"].value == targets.BROWSER_CSRF
    del client.cookies["csrftoken"]  # the first visit: a new secret is made and set
    assert client.get(page).cookies["csrftoken"].value != targets.BROWSER_CSRF


def test_the_uncached_settings_make_every_request_take_the_full_path(settings):
    seeding.seed(scale=0.005)
    found = seeding.targets()
    for name, value in targets.UNCACHED.items():
        setattr(settings, name, int(value))
    thread = "@" + f"/circles/{found.circle_slug}/posts/{found.post_id}/"
    circle = f"@/circles/{found.circle_slug}/"
    counts = count_queries([thread, circle], found.session_key)
    # The second request is counted; with nothing kept it reads the database again.
    assert counts[thread] > 0
    assert counts[circle] > 0


def test_every_seconds_setting_is_either_turned_off_uncached_or_said_not_to_keep_output():
    """A new cache of rendered output must be turned off by the bench's uncached rows: its
    time comes from a *_SECONDS setting, and the bench must name it one way or the other."""
    names = {name for name in dir(django_settings) if name.endswith("_SECONDS")}
    unknown = names - set(targets.UNCACHED) - set(targets.NOT_RENDERED_OUTPUT)
    assert not unknown, (
        f"bench/targets.py: add {sorted(unknown)} to UNCACHED or NOT_RENDERED_OUTPUT"
    )
    assert "FRAGMENT_CACHE_SECONDS" in names


def test_the_uncached_environment_adds_the_switches_to_the_given_one(monkeypatch):
    monkeypatch.setenv("SIGNED_OUT_PAGE_CACHE_SECONDS", "5")
    cached = run.bench_env("cached", port=9001)
    uncached = run.bench_env("uncached", port=9002)
    assert cached["SIGNED_OUT_PAGE_CACHE_SECONDS"] == "5", "the environment as given is honoured"
    assert "FRAGMENT_CACHE_SECONDS" not in cached
    assert {k: uncached[k] for k in targets.UNCACHED} == targets.UNCACHED
    assert uncached["SITE_URL"] == "http://127.0.0.1:9002"
    assert cached["SECRET_KEY"] == uncached["SECRET_KEY"], "one session signs in on both"


def test_parse_wrk_counts_non_2xx_and_socket_errors():
    result = run.parse_wrk(WRK_OUTPUT)
    assert result == {"rps": 724.0, "p50": 21.8, "p99": 31.5, "errors": 7}


# --- The report ------------------------------------------------------------------


def _result(rps, p99=30.0, queries=0, **extra):
    return {"rps": rps, "p50": p99 / 2, "p99": p99, "errors": 0, "queries": queries, **extra}


def _rows(circle_uncached_rps=500.0, *, small_queries=9, p99=40.0):
    return [
        {
            "name": "ceiling (constant string)",
            "path": "/bench/ceiling",
            "signed_in": False,
            "cached": _result(2000.0),
            "uncached": _result(2000.0),
        },
        {
            "name": "circle page",
            "path": "/circles/x/",
            "signed_in": True,
            "cached": _result(800.0, queries=2),
            "uncached": _result(circle_uncached_rps, p99=p99, queries=9),
            "small_queries": small_queries,
        },
    ]


def _live_rows(failed=0):
    live = _result(300.0, p99=90.0, writes=20, replies=10, rsvps=10, write_failures=failed)
    return [{"name": "live circle: thread", "path": "/t/", "cached": live, "uncached": dict(live)}]


TARGETS = [
    targets.Target("ceiling (constant string)", "/bench/ceiling"),
    targets.Target("circle page", "@/c/", 0.20),
]


def test_the_table_puts_the_uncached_numbers_beside_the_cached_ones():
    table = report.render_table(_rows())
    head, rule, ceiling, circle = table.splitlines()
    assert head.startswith("| target | cached req/s | % of ceiling |")
    assert "| uncached req/s | % of ceiling | p50 ms | p99 ms | queries |" in head
    assert head.count("|") - 1 == rule.count("|") - 1 == circle.count("|") - 1
    cells = [cell.strip() for cell in circle.strip("|").split("|")]
    # target; cached: 800 req/s, 40 %, p50, p99, 2 queries; uncached: 500, 25 %, ..., 9;
    # 9 queries on the small data set; no errors.
    assert cells[0] == "circle page (signed in)"
    assert cells[1:3] == ["800", "40 %"]
    assert cells[5] == "2"
    assert cells[6:8] == ["500", "25 %"]
    assert cells[10:] == ["9", "9", "0"]


def test_every_share_is_of_the_higher_of_the_two_ceilings():
    rows = _rows()
    rows[0]["uncached"]["rps"] = 1000.0  # disturbed while it was measured
    assert report.ceilings(rows) == {"cached": 2000.0, "uncached": 2000.0}
    assert "| 500 | 25 % |" in report.render_table(rows)


def test_a_target_that_answers_nothing_is_an_error():
    nothing = WRK_OUTPUT.replace("7240 requests", "0 requests").replace("724.00", "0.00")
    assert run.parse_wrk(nothing)["errors"] == 8


def test_a_failed_query_count_shows_as_its_status():
    rows = _rows()
    rows[1]["uncached"]["queries"] = -302
    assert "| status 302 |" in report.render_table(rows)


def test_the_targets_are_met_or_not_by_the_uncached_share_of_the_ceiling():
    met = {c.target: c for c in report.check_targets(_rows(400.0), _live_rows(), TARGETS)}
    assert met["circle page, uncached"].met is True  # 400 of 2,000: 20 %
    assert met["circle page, uncached"].measured == "20 % (400 req/s)"
    missed = {c.target: c for c in report.check_targets(_rows(398.0), _live_rows(), TARGETS)}
    assert missed["circle page, uncached"].met is False


def test_p99_queries_and_writes_are_checked_too():
    checks = report.check_targets(_rows(p99=151.0, small_queries=7), _live_rows(failed=1), TARGETS)
    by_start = {c.target.split(" ")[0]: c for c in checks}
    assert by_start["p99"].met is False
    assert "151 ms (circle page, uncached)" in by_start["p99"].measured
    assert by_start["queries"].met is False
    assert "circle page 7 → 9" in by_start["queries"].measured
    assert by_start["no"].met is False
    assert "2 failed" in by_start["no"].measured  # one on each server
    good = report.check_targets(_rows(), _live_rows(), TARGETS)
    assert all(check.met for check in good)


def test_without_the_small_data_set_the_query_check_is_not_measured():
    rows = _rows()
    del rows[1]["small_queries"]
    (queries,) = [c for c in report.check_targets(rows, [], TARGETS) if "queries" in c.target]
    assert queries.met is None
    assert "| not measured |" in report.render_checks([queries])


def test_the_report_has_both_tables_and_the_checks():
    rows = _rows()
    checks = report.check_targets(rows, _live_rows(), TARGETS)
    text = report.render_report(rows, _live_rows(), checks)
    assert "| live circle: thread | 300 | 15 % |" in text
    assert "| 10 + 10 |" in text
    assert "| circle page, uncached | ≥ 20 % of the ceiling | 25 % (500 req/s) | met |" in text
    assert "FRAGMENT_CACHE_SECONDS=0" in text


def test_write_performance_replaces_only_the_generated_part(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    path.write_text(
        f"# Performance\n\nIntro.\n\n{targets.MARK_START}\nold table\n{targets.MARK_END}\n\n"
        "## Circle page, uncached\n\nWhat another helper wrote.\n"
    )
    report.write_performance("new table", path)
    text = path.read_text()
    assert "old table" not in text
    assert f"{targets.MARK_START}\nnew table\n{targets.MARK_END}" in text
    assert text.startswith("# Performance\n\nIntro.\n")
    assert text.endswith("## Circle page, uncached\n\nWhat another helper wrote.\n")


# --- The live writer -------------------------------------------------------------


@pytest.fixture
def behind_the_proxy(settings):
    """As gunicorn runs in the bench: production's proxy header, the bench's host."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["127.0.0.1"]


def _send(client, request):
    headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
    return client.post(
        request.path,
        data=request.body,
        content_type=request.headers["Content-Type"],
        headers=headers,
    )


def test_the_writers_reply_and_rsvp_are_taken_with_csrf_checks_on(behind_the_proxy, client):
    seeding.seed(scale=0.005)
    found = seeding.targets()
    client.handler.enforce_csrf_checks = True
    member = Member(found.writer_sessions[0])
    host = "127.0.0.1:8077"
    reply = reply_request(
        host=host, slug=found.circle_slug, post_id=found.post_id, member=member, text="Live!"
    )
    response = _send(client, reply)
    assert succeeded(reply, response.status_code, response.get("Location", ""), "")
    assert Reply.objects.filter(post_id=found.post_id, body="Live!").exists()

    rsvp = rsvp_request(
        host=host,
        slug=found.circle_slug,
        meeting_id=found.meeting_id,
        member=member,
        answer="maybe",
    )
    response = _send(client, rsvp)
    assert succeeded(rsvp, response.status_code, "", response.content.decode())
    assert Rsvp.objects.filter(meeting_id=found.meeting_id, answer="maybe").count() == 1

    # What they wrote is taken back before the next run.
    seeding.targets()
    assert Post.objects.get(pk=found.post_id).replies.count() == 100
    assert not Rsvp.objects.filter(meeting_id=found.meeting_id, answer="maybe").exists()


def test_a_write_without_the_csrf_token_is_refused_and_counted_as_failed(behind_the_proxy, client):
    seeding.seed(scale=0.005)
    found = seeding.targets()
    client.handler.enforce_csrf_checks = True
    request = reply_request(
        host="127.0.0.1:8077",
        slug=found.circle_slug,
        post_id=found.post_id,
        member=Member(found.writer_sessions[0]),
        text="No token",
    )
    del request.headers["X-CSRFToken"]
    response = _send(client, request)
    assert response.status_code == 403
    assert not succeeded(request, 403, "", "")
    assert not Reply.objects.filter(body="No token").exists()


def test_an_rsvp_answered_with_an_error_is_a_failed_write():
    request = rsvp_request(host="h", slug="s", meeting_id=1, member=Member("k"), answer="maybe")
    assert not succeeded(request, 200, "", '<p class="message message-error" role="alert">No</p>')
    assert not succeeded(request, 302, "/accounts/login/", "")


def test_the_writer_takes_turns_and_each_member_alternates_their_answer():
    writer = Writer(port=8077, slug="s", post_id=5, meeting_id=7, sessions=["a", "b"])
    turns = [writer.requests_for_turn(turn) for turn in range(4)]
    sessions = [turn[0].headers["Cookie"].split(";")[0] for turn in turns]
    assert sessions == ["sessionid=a", "sessionid=b", "sessionid=a", "sessionid=b"]
    answers = [parse_qs(turn[1].body.decode())["answer"][0] for turn in turns]
    assert answers == ["maybe", "maybe", "not_going", "not_going"]
    reply, rsvp = turns[0]
    assert reply.path == "/circles/s/posts/5/replies/new/"
    assert rsvp.path == "/circles/s/meetings/7/rsvp/"
    assert rsvp.headers["HX-Request"] == "true"
    assert reply.headers["X-CSRFToken"] in reply.headers["Cookie"]


# --- Nothing rendered is kept in the uncached rows ---------------------------------


def _kept_html(cache) -> list[str]:
    """The keys of everything the local cache holds, unexpired, that is HTML."""
    import pickle
    import time

    found = []
    for key, value in list(cache._cache.items()):
        expires = cache._expire_info.get(key)
        if expires is not None and expires <= time.time():
            continue  # stored with a timeout of 0: already gone
        text = repr(pickle.loads(value))  # noqa: S301 - our own test cache
        if "</" in text or "/>" in text:
            found.append(key)
    return found


@pytest.mark.parametrize(
    "page",
    [
        "circle",
        "meeting",
        "thread",
        "directory",
        "landing",
        "directory_out",
    ],
)
def test_the_uncached_settings_keep_no_rendered_html(settings, page):
    """Every cache of rendered output must honour bench/targets.py's UNCACHED settings, or the
    bench's uncached column measures a cache: after two requests for a page, nothing in
    the cache holds HTML."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("reads the local-memory cache's entries (the suite without REDIS_URL)")
    seeding.seed(scale=0.005)
    found = seeding.targets()
    for name, value in targets.UNCACHED.items():
        setattr(settings, name, int(value))
    slug = found.circle_slug
    path = {
        "circle": f"@/circles/{slug}/",
        "meeting": f"@/circles/{slug}/meetings/{found.meeting_id}/",
        "thread": f"@/circles/{slug}/posts/{found.post_id}/",
        "directory": "@/circles/",
        "landing": "/",
        "directory_out": "/circles/",
    }[page]
    cache.clear()
    counts = count_queries([path], found.session_key)
    assert counts[path] >= 0, "the page answered 200"
    assert _kept_html(cache) == []


def test_instructions_are_counted_inside_sys_call_tracing_alone(tmp_path):
    """bench/instructions.py's way of counting, on a program small enough for the suite:
    one dump per call, each counting that call's work and nothing before or between."""
    if not shutil.which("valgrind"):
        pytest.skip("valgrind is not installed")
    script = tmp_path / "work.py"
    script.write_text(
        "import sys\n"
        "def work(n):\n"
        "    return sum(i * i for i in range(n))\n"
        "work(300_000)  # before: not counted\n"
        "sys.call_tracing(work, (20_000,))\n"
        "work(300_000)  # between: not counted\n"
        "sys.call_tracing(work, (40_000,))\n"
    )
    out_file = tmp_path / "callgrind.out"
    command = instructions.valgrind_command([sys.executable, str(script)], out_file)
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603
    first, second = instructions.counted(out_file)
    assert 1_000_000 < first < 30_000_000  # far less than one uncounted call of 300,000
    assert 1.8 < second / first < 2.2  # twice the work, twice the count


def test_a_file_that_is_not_a_callgrind_dump_stops_the_count(tmp_path):
    (tmp_path / "callgrind.out.1").write_text("totals: 120\n")
    (tmp_path / "callgrind.out.2").write_text("something else\n")
    with pytest.raises(SystemExit, match="no totals line"):
        instructions.counted(tmp_path / "callgrind.out")
    (tmp_path / "callgrind.out.2").write_text("summary: 80\ntotals: 80\n")
    (tmp_path / "callgrind.out.10").write_text("totals: 7\n")
    assert instructions.counted(tmp_path / "callgrind.out") == [120, 80, 7]  # by number
